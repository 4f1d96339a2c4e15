package io.trustlens.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Maps a reader can read: ticked axes, the points inside the frame, labels apart. */
class MapChartsTest {
  private static final Pattern TEXT =
      Pattern.compile("<text x=\"([-0-9.]+)\" y=\"([-0-9.]+)\"[^>]*>([^<]*)</text>");

  @Test
  void theMapAndTheBiplotHaveTickedAxes() {
    double[] x = {-2.1, 0.3, 5.05};
    double[] y = {-1, 0, 2};
    String map = MapCharts.map("pc1", "pc2", x, y, null, null, null);
    for (String tick : List.of(">-2<", ">0<", ">2<", ">4<", ">6<", ">-1<", ">1<")) {
      assertTrue(map.contains(tick), tick + " in " + map);
    }
    String biplot =
        MapCharts.biplot(
            "pc1", "pc2", x, y, List.of("a", "b"), new double[] {1, 0}, new double[] {0, 1});
    assertTrue(biplot.contains(">-4<") && biplot.contains(">4<"), biplot);
    assertTrue(biplot.contains("arrows: loadings, scaled"));
  }

  @Test
  void arrowLabelsThatWouldOverlapAreMovedApart() {
    // Two loadings pointing the same way: their labels would print on top of each other.
    String biplot =
        MapCharts.biplot(
            "pc1",
            "pc2",
            new double[] {-1, 1},
            new double[] {-1, 1},
            List.of("debt_ratio", "income_ratio"),
            new double[] {0.05, 0.06},
            new double[] {0.74, 0.73});
    List<double[]> labels = new ArrayList<>();
    Matcher m = TEXT.matcher(biplot);
    while (m.find()) {
      if (m.group(3).endsWith("_ratio")) {
        labels.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
      }
    }
    assertTrue(labels.size() == 2, biplot);
    assertTrue(
        Math.abs(labels.get(0)[1] - labels.get(1)[1]) >= 11, "at least a line apart: " + biplot);
  }
}
