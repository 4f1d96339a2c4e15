package io.trustlens.job;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A sum of doubles kept exactly, as non-overlapping partials (Shewchuk 1997, "Adaptive precision
 * floating-point arithmetic and fast robust geometric predicates"; the algorithm of Python's {@code
 * math.fsum}), and rounded once when read. The value is the exact sum correctly rounded, so it is
 * the same bits whatever the order of the values and however they were split into sums that were
 * then merged: a summary's mean over a table is the same for any partitioning and any order in
 * which Spark's tasks finish, where a plain sum of per-partition sums changes in its last digits.
 *
 * <p>{@link io.trustlens.uncertainty.ExactSums} keeps a few sums exactly in a fixed
 * superaccumulator of 528 bytes each; a summary keeps one sum per feature (up to 100,000 for hashed
 * text), so here each sum holds only its partials, usually one to three doubles.
 *
 * <p>Invariants: the partials are finite, non-zero but for a last one, increasing in magnitude, and
 * add up exactly to the sum of the finite values added. NaN and infinities are summed apart, as a
 * plain sum treats them (any NaN, or both infinities, give NaN); a running sum beyond the largest
 * double makes the value infinite.
 */
final class ExactSum implements Serializable {
  private static final long serialVersionUID = 1L;

  private double[] partials = new double[4];
  private int n;
  private double special;
  private boolean anySpecial;

  /** Adds {@code x}. */
  void add(double x) {
    if (!Double.isFinite(x)) {
      special(x);
      return;
    }
    int i = 0;
    for (int j = 0; j < n; j++) {
      double y = partials[j];
      if (Math.abs(x) < Math.abs(y)) {
        double t = x;
        x = y;
        y = t;
      }
      double hi = x + y;
      if (Double.isInfinite(hi)) {
        special(hi); // beyond the double range
        return;
      }
      double lo = y - (hi - x);
      if (lo != 0.0) {
        partials[i++] = lo;
      }
      x = hi;
    }
    if (i == partials.length) {
      partials = Arrays.copyOf(partials, 2 * i);
    }
    partials[i] = x;
    n = i + 1;
  }

  private void special(double x) {
    special += x;
    anySpecial = true;
  }

  /** Adds every value {@code other} holds. */
  void add(ExactSum other) {
    for (int j = 0; j < other.n; j++) {
      add(other.partials[j]);
    }
    if (other.anySpecial) {
      special(other.special);
    }
  }

  /** The sum, correctly rounded (to nearest, ties to even). */
  double value() {
    if (anySpecial) {
      return special;
    }
    if (n == 0) {
      return 0.0;
    }
    int k = n - 1;
    double hi = partials[k];
    double lo = 0;
    while (k > 0) {
      double x = hi;
      double y = partials[--k];
      hi = x + y;
      lo = y - (hi - x);
      if (lo != 0.0) {
        break;
      }
    }
    // The partials below the break decide a tie: round half to even across them.
    if (k > 0 && ((lo < 0 && partials[k - 1] < 0) || (lo > 0 && partials[k - 1] > 0))) {
      double y = lo * 2;
      double x = hi + y;
      if (y == x - hi) {
        hi = x;
      }
    }
    return hi;
  }
}
