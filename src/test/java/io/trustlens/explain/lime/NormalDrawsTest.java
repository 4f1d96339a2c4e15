package io.trustlens.explain.lime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

/**
 * The laws of LIME's normal draws, tested as laws: the ziggurat's standard normal over its whole
 * range and in its tail; each bin's share and truncated normal from the strip method, computed
 * exactly from its tables and met by its draws.
 */
class NormalDrawsTest {

  /** The 0.1% line of the Kolmogorov-Smirnov statistic times the square root of the draws. */
  private static final double KS_LINE = 1.95;

  @Test
  void zigguratLayersCloseUpToRounding() {
    // The recursion from r lands the top layer on the density's peak with the others' area.
    assertEquals(1.0, Ziggurat.TOP_AREA, 1e-12);
  }

  @Test
  void zigguratDrawsAreStandardNormal() {
    int n = 2_000_000;
    double[] z = new double[n];
    SplittableRandom random = new SplittableRandom(21);
    long state = 5;
    for (int i = 0; i < n; i++) {
      // Half the draws as TabularSampler makes them (a SplitMix stream's bits first), half plain.
      state += SplitMix.GAMMA;
      z[i] = i % 2 == 0 ? Ziggurat.next(SplitMix.mix(state), random) : Ziggurat.next(random);
    }
    long beyondR = Arrays.stream(z).filter(v -> Math.abs(v) > Ziggurat.R).count();
    long beyondTwo = Arrays.stream(z).filter(v -> v > 2).count();
    Arrays.sort(z);
    assertTrue(ks(z, NormalDrawsTest::phi) * Math.sqrt(n) < KS_LINE);
    // The tail beyond r (drawn apart from the layers): within 4 standard errors of its mass.
    assertWithin(beyondR, n, 2 * phi(-Ziggurat.R));
    assertWithin(beyondTwo, n, phi(-2));
    // Fine cells: 512 of equal probability (chi-square, 511 degrees of freedom, 0.1% line 617),
    // so each layer's box and wedge is seen, not only the law's overall shape.
    int cells = 512;
    long[] counts = new long[cells];
    for (double v : z) {
      counts[Math.min(cells - 1, (int) (phi(v) * cells))]++;
    }
    assertTrue(chiSquareUniform(counts) < 617, "chi-square " + chiSquareUniform(counts));
  }

  @Test
  void binsHaveTheirSharesExactlyInTheTables() {
    double[] share = {0.1, 0.0, 0.45, 0.2, 0.25};
    double[] mean = {0, 5, 0.2, 3, 7};
    double[] sd = {1, 1, 0.5, 0, 1};
    double[] min = {-1.8, 4, -0.1, 3, 13}; // bin 4 lies 6 to 8 of its deviations above its mean
    double[] max = {1.6, 6, 1.4, 3, 15};
    BinnedNormal normal = new BinnedNormal(share, mean, sd, min, max);
    for (int b = 0; b < share.length; b++) {
      assertEquals(share[b], normal.binProbability(b), 1e-12, "bin " + b);
    }
    assertTrue(normal.acceptance() > 0.9, "acceptance " + normal.acceptance());
    assertEquals(0, normal.boxesOffTheCurve());
  }

  @Test
  void valuesFollowEachBinsTruncatedNormal() {
    double[] share = {0.3, 0.4, 0.1, 0.2};
    double[] mean = {-1, 2, 4, 10};
    double[] sd = {0.8, 0.5, 1, 3};
    double[] min = {-2.5, 1, 6.5, 10}; // bin 2: [2.5, 3] deviations, far in its tail
    double[] max = {0.1, 3.2, 7, 10}; // bin 3: one value
    BinnedNormal normal = new BinnedNormal(share, mean, sd, min, max);
    int n = 800_000;
    double[][] values = new double[share.length][n];
    int[] count = new int[share.length];
    long[] bins = new long[share.length];
    SplittableRandom random = new SplittableRandom(4);
    long state = 9;
    double[] out = new double[1];
    for (int i = 0; i < n; i++) {
      int b;
      if (i % 2 == 0) {
        b = normal.draw(random, out, 0);
      } else {
        do { // as TabularSampler draws: a SplitMix stream's bits, tries repeated
          state += SplitMix.GAMMA;
          long box = SplitMix.mix(state);
          state += SplitMix.GAMMA;
          b = normal.draw(box, SplitMix.mix(state), random, out, 0);
        } while (b < 0);
      }
      bins[b]++;
      values[b][count[b]++] = out[0];
      assertTrue(out[0] >= min[b] && out[0] <= max[b], out[0] + " outside bin " + b);
    }
    // Bins with their shares (chi-square, 3 degrees of freedom, 0.1% line 16.27).
    double chi = 0;
    for (int b = 0; b < share.length; b++) {
      double e = share[b] * n;
      chi += (bins[b] - e) * (bins[b] - e) / e;
    }
    assertTrue(chi < 16.27, "chi-square " + chi);
    for (int b = 0; b < 3; b++) {
      double[] v = Arrays.copyOf(values[b], count[b]);
      Arrays.sort(v);
      double mu = mean[b];
      double s = sd[b];
      double lo = phi((min[b] - mu) / s);
      double hi = phi((max[b] - mu) / s);
      double ks = ks(v, x -> (phi((x - mu) / s) - lo) / (hi - lo));
      assertTrue(
          ks * Math.sqrt(v.length) < KS_LINE, "bin " + b + ": KS " + ks * Math.sqrt(v.length));
    }
    assertEquals(10.0, Arrays.stream(values[3], 0, count[3]).max().orElseThrow());
    assertEquals(10.0, Arrays.stream(values[3], 0, count[3]).min().orElseThrow());
  }

  @Test
  void binsFarInEitherTailStayInsideTheirBounds() {
    double[] share = {0.5, 0.5};
    double[] mean = {0, 0};
    double[] sd = {1, 1};
    double[] min = {6, -9};
    double[] max = {7, -8};
    BinnedNormal normal = new BinnedNormal(share, mean, sd, min, max);
    SplittableRandom random = new SplittableRandom(1);
    double[] out = new double[1];
    double[] sum = new double[2];
    int[] count = new int[2];
    for (int i = 0; i < 20_000; i++) {
      int b = normal.draw(random, out, 0);
      assertTrue(out[0] >= min[b] && out[0] <= max[b], out[0] + " outside bin " + b);
      sum[b] += out[0];
      count[b]++;
    }
    // The normal truncated to [6, 7] has mean 6.1572 (its mass piles against 6); to [-9, -8]
    // -8.1212.
    assertEquals(6.1572, sum[0] / count[0], 0.01);
    assertEquals(-8.1212, sum[1] / count[1], 0.01);
  }

  /**
   * A column of whole numbers gives bins of one value between wider bounds (lime's spread of 1e-11:
   * mean 1 and bounds 0 and 1 span 1e11 standard units): draws stay at the value, to the spread,
   * and are accepted as often as any bin's.
   */
  @Test
  void binsOfOneValueBetweenWiderBoundsDrawThatValue() {
    double[] share = {0.36, 0.34, 0.3};
    double[] mean = {0, 1, 2};
    double[] sd = {1e-11, 1e-11, 1e-11};
    double[] min = {0, 0, 1};
    double[] max = {0, 1, 2};
    BinnedNormal normal = new BinnedNormal(share, mean, sd, min, max);
    assertTrue(normal.acceptance() > 0.9, "acceptance " + normal.acceptance());
    assertEquals(0.34, normal.binProbability(1), 1e-12);
    SplittableRandom random = new SplittableRandom(2);
    double[] out = new double[1];
    for (int i = 0; i < 20_000; i++) {
      int b = normal.draw(random, out, 0);
      assertTrue(out[0] >= min[b] && out[0] <= max[b], out[0] + " outside bin " + b);
      assertEquals(mean[b], out[0], 1e-9, "bin " + b);
    }
  }

  private static void assertWithin(long count, int n, double p) {
    double sd = Math.sqrt(n * p * (1 - p));
    assertTrue(Math.abs(count - n * p) < 4 * sd, count + " against " + n * p + " expected");
  }

  private static double ks(double[] sorted, java.util.function.DoubleUnaryOperator cdf) {
    int n = sorted.length;
    double ks = 0;
    for (int i = 0; i < n; i++) {
      double c = cdf.applyAsDouble(sorted[i]);
      ks = Math.max(ks, Math.max(Math.abs(c - (i + 1.0) / n), Math.abs(c - (double) i / n)));
    }
    return ks;
  }

  private static double chiSquareUniform(long[] counts) {
    double e = Arrays.stream(counts).sum() / (double) counts.length;
    double chi = 0;
    for (long c : counts) {
      chi += (c - e) * (c - e) / e;
    }
    return chi;
  }

  private static double phi(double z) {
    return 0.5 * Erf.erfc(-z / Math.sqrt(2));
  }
}
