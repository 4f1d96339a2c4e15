package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A bench's scaling lines: each case's rate per master over the first master's. */
class BenchFigureTest {
  @Test
  void scalingDividesEachCasesRatesByTheFirstMastersWhateverItsRows() {
    Map<BenchFigure, Double> best = new LinkedHashMap<>();
    best.put(new BenchFigure("local[1]", "saliency, digits (65536 rows, 4 partitions)"), 100.0);
    best.put(new BenchFigure("local[1]", "occlusion (20000 rows)"), 40.0);
    best.put(new BenchFigure("local[2]", "saliency, digits (131072 rows, 8 partitions)"), 190.0);
    best.put(new BenchFigure("local[2]", "occlusion (20000 rows)"), 70.0);
    best.put(new BenchFigure("local[2]", "only on two (10 rows)"), 5.0);
    assertEquals(
        List.of(
            "scaling    saliency, digits:  local[2]/local[1] 1.90",
            "scaling    occlusion:  local[2]/local[1] 1.75"),
        BenchFigure.scaling(best));
  }
}
