package io.trustlens.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DataStatisticsTest {

  @Test
  void frequentValuesAreExactOnFewValuesAndBoundedOnMany() {
    Random random = new Random(1);
    FrequentValues a = new FrequentValues(5);
    FrequentValues b = new FrequentValues(5);
    Map<String, Long> truth = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      // A heavy value, a few medium ones and a long tail of 5,000 values.
      int r = random.nextInt(100);
      String v = r < 30 ? "heavy" : r < 50 ? "m" + random.nextInt(3) : "t" + random.nextInt(5000);
      truth.merge(v, 1L, Long::sum);
      (i % 2 == 0 ? a : b).add(v);
    }
    FrequentValues merged = a.merge(b);
    assertFalse(merged.exact());
    assertEquals(20_000, merged.total());
    assertTrue(merged.error() <= 20_000 / 6, "at most n / (k + 1): " + merged.error());
    List<FrequentValues.Count> top = merged.top(4);
    assertEquals("heavy", top.get(0).value());
    for (FrequentValues.Count c : top) {
      long t = truth.get(c.value());
      assertTrue(c.count() <= t && c.count() >= t - merged.error(), c + " vs " + t);
    }
    FrequentValues few = new FrequentValues(5);
    for (int i = 0; i < 1000; i++) {
      few.add("v" + (i % 10));
    }
    assertTrue(few.exact());
    assertEquals(new FrequentValues.Count("v0", 100), few.top(1).get(0));
  }

  @Test
  void chiSquareMatchesTheTextbookTable() {
    ChiSquare t = ChiSquare.of(new long[][] {{10, 20}, {30, 40}});
    assertEquals(0.79365, t.statistic(), 1e-5);
    assertEquals(1, t.degreesOfFreedom());
    assertEquals(0.3730, t.pValue(), 1e-3);
    assertEquals(1, ChiSquare.of(new long[][] {{5, 0}, {7, 0}}).pValue(), "one column has counts");
  }

  @Test
  void kolmogorovSmirnovPValuesAreUniformUnderTheNull() {
    Random random = new Random(2);
    int trials = 2000;
    int below5 = 0;
    int below20 = 0;
    for (int t = 0; t < trials; t++) {
      double[] x = random.doubles(300).toArray();
      double[] y = random.doubles(200).toArray();
      double d = exactKs(x, y);
      double p = DriftMeasures.kolmogorovSmirnovPValue(d, x.length, y.length);
      below5 += p < 0.05 ? 1 : 0;
      below20 += p < 0.2 ? 1 : 0;
    }
    // Binomial standard errors are 0.005 and 0.009; the asymptotic p-value is a little
    // conservative.
    assertEquals(0.05, below5 / (double) trials, 0.015);
    assertEquals(0.20, below20 / (double) trials, 0.03);
  }

  private static double exactKs(double[] x, double[] y) {
    double[] all =
        java.util.stream.DoubleStream.concat(Arrays.stream(x), Arrays.stream(y)).sorted().toArray();
    double[] sx = x.clone();
    double[] sy = y.clone();
    Arrays.sort(sx);
    Arrays.sort(sy);
    double d = 0;
    for (double v : all) {
      double fx = upper(sx, v) / (double) sx.length;
      double fy = upper(sy, v) / (double) sy.length;
      d = Math.max(d, Math.abs(fx - fy));
    }
    return d;
  }

  private static int upper(double[] sorted, double v) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Test
  void gridMeasuresEqualTheirExactValuesWhenEveryValueIsAnEdge() {
    Random random = new Random(4);
    double[] x = random.doubles(500).map(v -> Math.floor(v * 50)).toArray();
    double[] y = random.doubles(400).map(v -> Math.floor(v * 50 + 8)).toArray();
    double[] edges =
        java.util.stream.DoubleStream.concat(Arrays.stream(x), Arrays.stream(y))
            .distinct()
            .sorted()
            .toArray();
    long[] a = new long[edges.length];
    long[] b = new long[edges.length];
    for (double v : x) {
      a[DriftMeasures.interval(edges, v)]++;
    }
    for (double v : y) {
      b[DriftMeasures.interval(edges, v)]++;
    }
    assertEquals(exactKs(x, y), DriftMeasures.kolmogorovSmirnov(a, b), 1e-12);
    // W1 of two samples = the mean |difference| of their quantile functions over u in (0, 1).
    double w = 0;
    int steps = 200_000;
    double[] sx = x.clone();
    double[] sy = y.clone();
    Arrays.sort(sx);
    Arrays.sort(sy);
    for (int s = 0; s < steps; s++) {
      double u = (s + 0.5) / steps;
      w += Math.abs(sx[(int) (u * sx.length)] - sy[(int) (u * sy.length)]) / steps;
    }
    // Trapezoids smear each step of |F_a - F_b| over one interval of width 1: a small bias.
    double mean =
        Arrays.stream(sy).average().orElseThrow() - Arrays.stream(sx).average().orElseThrow();
    assertEquals(w, DriftMeasures.wasserstein(edges, a, b), 0.5);
    assertTrue(w >= mean - 1e-9, "W1 >= the shift of the means");
  }

  @Test
  void psiAndJensenShannonOnKnownShares() {
    long[] e = {50, 50};
    long[] a = {80, 20};
    double expected = (0.8 - 0.5) * Math.log(0.8 / 0.5) + (0.2 - 0.5) * Math.log(0.2 / 0.5);
    assertEquals(expected, DriftMeasures.psi(e, a), 1e-12);
    assertEquals(0, DriftMeasures.psi(e, e), 0);
    assertEquals(1, DriftMeasures.jensenShannon(new long[] {3, 0}, new long[] {0, 9}), 1e-12);
    assertEquals(0, DriftMeasures.jensenShannon(new long[] {3, 6}, new long[] {1, 2}), 1e-7);
    long[] bins =
        DriftMeasures.coarsen(
            new double[] {1, 2, 3, 4, 5}, new long[] {1, 2, 3, 4, 5}, new double[] {2, 4});
    assertEquals(List.of(3L, 7L, 5L), Arrays.stream(bins).boxed().toList());
  }

  @Test
  void disparityIsFairlearnsBetweenGroups() {
    // Group a: 100 rows, 40 positives, 50 selected of which 30 true positives.
    GroupRates a = new GroupRates("a", 100, 40, 50, 30, 45);
    GroupRates b = new GroupRates("b", 200, 40, 40, 20, 50);
    assertEquals(0.5, a.selectionRate());
    assertEquals(0.75, a.truePositiveRate());
    assertEquals(20 / 60.0, a.falsePositiveRate(), 1e-15);
    assertEquals(0.6, a.precision());
    assertEquals((30 + 40) / 100.0, a.accuracy(), 1e-15);
    assertEquals(0.05, a.calibrationGap(), 1e-15);
    Disparity d = Disparity.of(List.of(a, b));
    assertEquals(0.5 - 0.2, d.parityDifference(), 1e-15);
    assertEquals(0.2 / 0.5, d.parityRatio(), 1e-15);
    assertEquals(0.75 - 0.5, d.truePositiveRateDifference(), 1e-15);
    assertEquals(20 / 60.0 - 20 / 160.0, d.falsePositiveRateDifference(), 1e-15);
    assertEquals(0.25, d.equalizedOddsDifference(), 1e-15);
    assertEquals(0.4 - 0.2, d.baseRateDifference(), 1e-15);
  }
}
