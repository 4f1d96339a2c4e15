package io.trustlens.uncertainty;

import java.io.Serializable;
import java.math.BigInteger;

/**
 * A few sums of doubles kept exactly (a superaccumulator: each sum is an integer multiple of
 * 2<sup>-1074</sup>, held in 32-bit limbs of longs), so that a statistic gathered over partitions
 * is the same double whatever the partitioning and the order in which partitions are merged.
 * Rounded once, at the end, to the nearest double. Only finite values are accepted.
 */
public final class ExactSums implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int LIMBS = 66; // (2046 exponents + 53 mantissa bits) / 32, rounded up
  private static final long MASK = 0xFFFFFFFFL;
  private static final int ADDS_BEFORE_CARRY = 1 << 30;

  private final long[][] limbs;
  private int adds;

  /** {@code size} sums, all zero. */
  public ExactSums(int size) {
    limbs = new long[size][LIMBS];
  }

  /** The number of sums. */
  public int size() {
    return limbs.length;
  }

  /** Adds {@code v} to sum {@code i}. */
  public void add(int i, double v) {
    long bits = Double.doubleToRawLongBits(v);
    int exponent = (int) ((bits >>> 52) & 0x7FF);
    if (exponent == 0x7FF) {
      throw new IllegalArgumentException("an exact sum takes finite values only, not " + v);
    }
    long mantissa = bits & ((1L << 52) - 1);
    if (exponent != 0) {
      mantissa |= 1L << 52;
    }
    if (mantissa == 0) {
      return;
    }
    int position = Math.max(exponent, 1) - 1; // bit of 2^-1074 units where the mantissa starts
    int limb = position >>> 5;
    int shift = position & 31;
    long rest = shift == 0 ? mantissa >>> 32 : mantissa >>> (32 - shift);
    long sign = bits < 0 ? -1 : 1;
    long[] sum = limbs[i];
    sum[limb] += sign * ((mantissa << shift) & MASK);
    sum[limb + 1] += sign * (rest & MASK);
    sum[limb + 2] += sign * (rest >>> 32);
    if (++adds == ADDS_BEFORE_CARRY) {
      carry();
    }
  }

  /** Adds every sum of {@code other} to this one's; returns this. */
  public ExactSums merge(ExactSums other) {
    carry();
    other.carry();
    for (int i = 0; i < limbs.length; i++) {
      for (int j = 0; j < LIMBS; j++) {
        limbs[i][j] += other.limbs[i][j];
      }
    }
    carry();
    return this;
  }

  /** Sum {@code i}, rounded to the nearest double (ties to even). */
  public double value(int i) {
    return rounded(units(i), -1074);
  }

  /** Sum {@code i} exactly, in units of 2<sup>-1074</sup>. */
  public BigInteger units(int i) {
    carry();
    BigInteger total = BigInteger.ZERO;
    for (int j = LIMBS - 1; j >= 0; j--) {
      total = total.shiftLeft(32).add(BigInteger.valueOf(limbs[i][j]));
    }
    return total;
  }

  /**
   * {@code units × 2^exponent} rounded to the nearest double (ties to even; a result in the
   * subnormal range is rounded again to its coarser spacing).
   */
  public static double rounded(BigInteger units, int exponent) {
    int signum = units.signum();
    BigInteger magnitude = units.abs();
    int drop = Math.max(0, magnitude.bitLength() - 62);
    long top = magnitude.shiftRight(drop).longValueExact();
    if (drop > 0 && magnitude.getLowestSetBit() < drop) {
      top |= 1; // sticky bit: 62 kept bits leave room for correct rounding to 53
    }
    return signum * Math.scalb((double) top, drop + exponent);
  }

  /** Moves each limb's overflow above 32 bits into the next limb. */
  private void carry() {
    for (long[] sum : limbs) {
      for (int j = 0; j < LIMBS - 1; j++) {
        long c = sum[j] >> 32;
        sum[j] -= c << 32;
        sum[j + 1] += c;
      }
    }
    adds = 0;
  }
}
