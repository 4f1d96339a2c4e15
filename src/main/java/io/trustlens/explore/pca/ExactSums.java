package io.trustlens.explore.pca;

import java.io.Serializable;

/**
 * Sums kept as unevaluated pairs {@code hi + lo} (double-double: Knuth's TwoSum after each term),
 * about 100 bits of precision. Rounded to a double at the end, a sum comes out the same whatever
 * the order of its terms unless the exact sum lies within the pair's own rounding error (about
 * {@code n 2^-106} of it for {@code n} terms, typically) of a point halfway between two doubles: a
 * chance of the order of 2^-30 per sum for a million rows, so statistics gathered over partitions
 * do not depend on the partitioning in practice, but not by construction as with {@link
 * io.trustlens.uncertainty.ExactSums} (whose 528 bytes a sum, for the d(d+1)/2 sums of a
 * covariance, would cost several times the time per row).
 */
final class ExactSums implements Serializable {
  private static final long serialVersionUID = 1L;

  final double[] hi;
  final double[] lo;

  ExactSums(int size) {
    hi = new double[size];
    lo = new double[size];
  }

  /** Adds {@code v} to sum {@code i}. */
  void add(int i, double v) {
    double a = hi[i];
    double s = a + v;
    double bv = s - a;
    lo[i] += (a - (s - bv)) + (v - bv);
    hi[i] = s;
  }

  /** Adds every sum of {@code other} into this one; returns this. */
  ExactSums merge(ExactSums other) {
    for (int i = 0; i < hi.length; i++) {
      add(i, other.hi[i]);
      lo[i] += other.lo[i];
    }
    return this;
  }

  /** Sum {@code i} rounded to a double. */
  double value(int i) {
    return hi[i] + lo[i];
  }

  int size() {
    return hi.length;
  }
}
