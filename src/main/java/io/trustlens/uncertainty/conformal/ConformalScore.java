package io.trustlens.uncertainty.conformal;

import java.util.Locale;

/**
 * Nonconformity scores of split conformal prediction (Vovk et al. 2005; Angelopoulos and Bates
 * 2021, arXiv 2107.07511), and the prediction sets they give at a threshold q̂: the labels whose
 * score is at most q̂. With q̂ the ⌈(n+1)(1−α)⌉-th smallest of n calibration scores, a new
 * exchangeable row's true label is in its set with probability at least 1 − α (and at most 1 − α +
 * 1/(n+1) when scores have no ties).
 */
public enum ConformalScore {
  /** Least ambiguous set-valued classifier (Sadinle et al. 2019): s = 1 − p_y. */
  LAC,
  /**
   * Adaptive prediction sets (Romano et al. 2020, arXiv 2006.02544): s = the probability mass of
   * the labels ranked at or above y (by probability, ties by lower index), without randomisation.
   */
  APS,
  /** Regression: s = |y − ŷ|; the interval is ŷ ± q̂. */
  ABSOLUTE;

  /** The score named {@code name} (lac, aps or absolute). */
  public static ConformalScore named(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "conformal score is '" + name + "'; expected lac or aps (classification) or absolute");
    }
  }

  /** Its name in specs and on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The score of class {@code y} for one row's probabilities {@code p}. */
  public double score(double[] p, int y) {
    return switch (this) {
      case LAC -> 1 - p[y];
      case APS -> {
        double mass = 0;
        for (int c = 0; c < p.length; c++) {
          if (p[c] > p[y] || p[c] == p[y] && c <= y) {
            mass += p[c];
          }
        }
        yield mass;
      }
      case ABSOLUTE -> throw new IllegalStateException("absolute scores a regression");
    };
  }

  /** The prediction set at threshold {@code q}: class indices in increasing order. */
  public int[] set(double[] p, double q) {
    int size = 0;
    int[] members = new int[p.length];
    for (int c = 0; c < p.length; c++) {
      if (score(p, c) <= q) {
        members[size++] = c;
      }
    }
    return java.util.Arrays.copyOf(members, size);
  }

  /**
   * The rank k = ⌈(n+1)(1−α)⌉ of the calibration score that is q̂.
   *
   * @throws IllegalArgumentException when k > n: too few rows for this α
   */
  public static int rank(long n, double alpha) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha is " + alpha + "; expected 0 < alpha < 1");
    }
    // (n + 1)(1 − α) computed in a way that is exact for α a multiple of 1/1000 and n < 2^40.
    double k = Math.ceil((n + 1) * (1 - alpha) - 1e-9);
    if (k > n) {
      throw new IllegalArgumentException(
          "too few calibration rows for alpha "
              + alpha
              + ": "
              + n
              + " rows; split conformal needs at least "
              + (long) Math.ceil(1 / alpha - 1)
              + " for a finite threshold");
    }
    return (int) Math.max(1, k);
  }
}
