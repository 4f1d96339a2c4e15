package io.trustlens.data;

import io.trustlens.uncertainty.ExactSums;
import java.io.Serializable;
import java.math.BigInteger;

/**
 * The count, mean and sample variance of finite values, the same bits whatever the order in which
 * values are added and partial moments merged (so a profile's mean and standard deviation do not
 * depend on the partitioning): the sum of the values {@code S1} and of their squares {@code S2} are
 * kept exactly ({@link ExactSums}; each square as the pair {@code hi + lo} that {@code Math.fma}
 * makes exact), and each statistic is computed from them in integers and rounded once: {@code mean
 * = S1 / n}, {@code variance = (n S2 - S1^2) / (n (n - 1))} (one pass, with no cancellation: the
 * difference is exact).
 *
 * <p>Invariants: the sums are exact while every square is a normal double; a value whose square
 * overflows (beyond about 1.34e154 in magnitude) makes the variance infinite, as Welford's update
 * made it too, and a square below the normal range is rounded (deterministically, so the bits still
 * do not depend on the order).
 */
final class ExactMoments implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Extra quotient bits before rounding: far more than the 55 that correct rounding needs. */
  private static final int GUARD = 128;

  private final ExactSums sums = new ExactSums(2);
  private long count;
  private boolean squareOverflows;

  /** Adds a finite value. */
  void add(double v) {
    count++;
    sums.add(0, v);
    double square = v * v;
    if (Double.isInfinite(square)) {
      squareOverflows = true;
      return;
    }
    sums.add(1, square);
    sums.add(1, Math.fma(v, v, -square));
  }

  /** Adds {@code other}'s values; returns this. */
  ExactMoments merge(ExactMoments other) {
    sums.merge(other.sums);
    count += other.count;
    squareOverflows |= other.squareOverflows;
    return this;
  }

  /** The values added. */
  long count() {
    return count;
  }

  /** The mean of the values, correctly rounded; NaN without values. */
  double mean() {
    return count == 0 ? Double.NaN : quotient(sums.units(0), BigInteger.valueOf(count), -1074);
  }

  /**
   * The sample variance (divided by {@code n - 1}), correctly rounded; NaN with fewer than two
   * values, infinite when a square overflows.
   */
  double variance() {
    if (count < 2) {
      return Double.NaN;
    }
    if (squareOverflows) {
      return Double.POSITIVE_INFINITY;
    }
    BigInteger n = BigInteger.valueOf(count);
    BigInteger s1 = sums.units(0);
    // In units of 2^-2148: n S2 (S2 in units of 2^-1074) less S1^2.
    BigInteger d = n.multiply(sums.units(1)).shiftLeft(1074).subtract(s1.multiply(s1));
    if (d.signum() <= 0) {
      return 0; // only squares rounded below the normal range could leave it negative
    }
    return quotient(d, n.multiply(n.subtract(BigInteger.ONE)), -2148);
  }

  /** {@code a × 2^exponent / b} correctly rounded ({@code b > 0}). */
  private static double quotient(BigInteger a, BigInteger b, int exponent) {
    BigInteger[] qr = a.abs().shiftLeft(GUARD).divideAndRemainder(b);
    // One more bit, set when the division left a remainder: the rounding sees it as sticky.
    BigInteger q = qr[0].shiftLeft(1).or(qr[1].signum() == 0 ? BigInteger.ZERO : BigInteger.ONE);
    return ExactSums.rounded(a.signum() < 0 ? q.negate() : q, exponent - GUARD - 1);
  }
}
