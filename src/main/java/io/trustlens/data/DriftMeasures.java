package io.trustlens.data;

/**
 * Distances between two samples of one column, from their counts over common intervals or
 * categories (Spark-free; {@link Drift} gathers the counts).
 *
 * <p>Numeric columns are counted over the intervals {@code (e[i-1], e[i]]} of one sorted grid of
 * edges {@code e} (with {@code e[-1] = -inf}) that holds both samples' quantiles, minimum and
 * maximum, so each sample's empirical CDF is known exactly at every edge. Between edges it is not:
 * the Kolmogorov-Smirnov statistic read at the edges is below the true one by at most the largest
 * share of either sample inside one interval ({@link #intervalMass}), and the Wasserstein distance
 * (trapezoids of |F_a - F_b| between edges) is off by at most {@code sum(width * (mass_a +
 * mass_b))} over the intervals.
 */
public final class DriftMeasures {
  /**
   * Proportions below this are raised to it in PSI, as is usual, so that empty bins stay finite.
   */
  public static final double PSI_FLOOR = 1e-4;

  private DriftMeasures() {}

  /**
   * The population stability index {@code sum (a - e) ln(a / e)} over bins, where {@code e} and
   * {@code a} are the shares of the expected (reference) and actual samples in each bin.
   */
  public static double psi(long[] expected, long[] actual) {
    double ne = sum(expected);
    double na = sum(actual);
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(PSI_FLOOR, expected[i] / ne);
      double a = Math.max(PSI_FLOOR, actual[i] / na);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }

  /**
   * The Jensen-Shannon distance in bits, {@code sqrt(JSD(p, q))} with base-2 logarithms: 0 for
   * equal distributions, 1 for disjoint ones.
   */
  public static double jensenShannon(long[] p, long[] q) {
    double np = sum(p);
    double nq = sum(q);
    double jsd = 0;
    for (int i = 0; i < p.length; i++) {
      double a = p[i] / np;
      double b = q[i] / nq;
      double m = (a + b) / 2;
      if (a > 0) {
        jsd += a / 2 * Math.log(a / m);
      }
      if (b > 0) {
        jsd += b / 2 * Math.log(b / m);
      }
    }
    return Math.sqrt(Math.max(0, jsd / Math.log(2)));
  }

  /** The largest difference of the two empirical CDFs at the interval ends. */
  public static double kolmogorovSmirnov(long[] a, long[] b) {
    double na = sum(a);
    double nb = sum(b);
    double fa = 0;
    double fb = 0;
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      fa += a[i];
      fb += b[i];
      d = Math.max(d, Math.abs(fa / na - fb / nb));
    }
    return d;
  }

  /**
   * The asymptotic p-value of a two-sample Kolmogorov-Smirnov statistic {@code d} of samples of
   * {@code n} and {@code m} values, with Stephens' small-sample correction (Numerical Recipes
   * 14.3).
   */
  public static double kolmogorovSmirnovPValue(double d, long n, long m) {
    double ne = (double) n * m / (n + m);
    double root = Math.sqrt(ne);
    double lambda = (root + 0.12 + 0.11 / root) * d;
    if (lambda < 1e-3) {
      return 1;
    }
    double sum = 0;
    for (int k = 1; k <= 100; k++) {
      double term = Math.exp(-2.0 * k * k * lambda * lambda);
      sum += (k % 2 == 1 ? 2 : -2) * term;
      if (term < 1e-17) {
        break;
      }
    }
    return Math.min(1, Math.max(0, sum));
  }

  /**
   * The first Wasserstein distance {@code integral |F_a - F_b| dx} by trapezoids between the edges.
   */
  public static double wasserstein(double[] edges, long[] a, long[] b) {
    double na = sum(a);
    double nb = sum(b);
    double fa = a[0] / na;
    double fb = b[0] / nb;
    double w = 0;
    for (int i = 1; i < edges.length; i++) {
      double before = Math.abs(fa - fb);
      fa += a[i] / na;
      fb += b[i] / nb;
      w += (before + Math.abs(fa - fb)) / 2 * (edges[i] - edges[i - 1]);
    }
    return w;
  }

  /** The largest share of either sample inside one interval: the KS statistic's error bound. */
  public static double intervalMass(long[] a, long[] b) {
    double na = sum(a);
    double nb = sum(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.max(a[i] / na, b[i] / nb));
    }
    return m;
  }

  /**
   * Sums interval counts into the coarser bins {@code (-inf, c[0]], (c[0], c[1]], ..., (c[last],
   * inf)} whose cuts {@code c} are among the edges.
   */
  public static long[] coarsen(double[] edges, long[] counts, double[] cuts) {
    long[] bins = new long[cuts.length + 1];
    int b = 0;
    for (int i = 0; i < edges.length; i++) {
      while (b < cuts.length && cuts[b] < edges[i]) {
        b++;
      }
      bins[b] += counts[i];
    }
    return bins;
  }

  /** The index of the interval {@code (e[i-1], e[i]]} that holds {@code v} (v at most the last). */
  public static int interval(double[] edges, double v) {
    int i = java.util.Arrays.binarySearch(edges, v);
    return i >= 0 ? i : Math.min(edges.length - 1, -i - 1);
  }

  private static double sum(long[] v) {
    double s = 0;
    for (long x : v) {
      s += x;
    }
    return s;
  }
}
