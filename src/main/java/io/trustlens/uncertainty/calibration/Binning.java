package io.trustlens.uncertainty.calibration;

import java.util.Locale;

/**
 * How a reliability diagram cuts [0, 1] into bins. A bin holds the values {@code x} with {@code
 * edge[b-1] <= x < edge[b]} (the first bin also everything below, the last everything above), so
 * the bin of {@code x} is the number of inner edges at or below it (numpy's {@code
 * searchsorted(..., side="right")}, as scikit-learn's {@code calibration_curve} does).
 */
public enum Binning {
  /** B bins of width 1/B (Guo et al. 2017, arXiv 1706.04599, use 15). */
  EQUAL_WIDTH,
  /**
   * B bins of (nearly) equal counts: the inner edges are the values at ranks ⌊b·n/B⌋ (0-based) of
   * the n sorted values, b = 1..B-1 (Nixon et al. 2019, arXiv 1904.01685, adaptive binning).
   */
  EQUAL_MASS;

  /** The binning named {@code name} (equal_width or equal_mass). */
  public static Binning named(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "binning is '" + name + "'; expected equal_width or equal_mass");
    }
  }

  /** Its name in specs and on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The B-1 inner edges of equal-width bins. */
  public static double[] equalWidthEdges(int bins) {
    double[] edges = new double[bins - 1];
    for (int b = 1; b < bins; b++) {
      edges[b - 1] = (double) b / bins;
    }
    return edges;
  }

  /** The 0-based ranks whose values are the inner edges of equal-mass bins over n values. */
  public static long[] equalMassRanks(long n, int bins) {
    long[] ranks = new long[bins - 1];
    for (int b = 1; b < bins; b++) {
      ranks[b - 1] = Math.floorDiv(b * n, bins);
    }
    return ranks;
  }

  /** The inner edges of equal-mass bins over {@code sorted} (ascending) values. */
  public static double[] equalMassEdges(double[] sorted, int bins) {
    long[] ranks = equalMassRanks(sorted.length, bins);
    double[] edges = new double[ranks.length];
    for (int b = 0; b < ranks.length; b++) {
      edges[b] = sorted[(int) ranks[b]];
    }
    return edges;
  }

  /** The bin of {@code x}: the number of inner edges at or below it. */
  public static int bin(double[] edges, double x) {
    int lo = 0;
    int hi = edges.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (edges[mid] <= x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
