package io.trustlens.explain.lime;

import java.util.SplittableRandom;
import org.apache.commons.math3.special.Erf;

/**
 * One numeric player's values in lime's quartile neighbourhoods (Ribeiro et al. 2016, arXiv
 * 1602.04938): a bin drawn with its share, then a value from the normal of the bin's mean and
 * standard deviation truncated to the bin's bounds; drawn in one step by rejection from a
 * piecewise-constant envelope (the strip method: Devroye 1986, Non-Uniform Random Variate
 * Generation, on rejection from a dominating step function).
 *
 * <p>Each bin's interval, in its own standard units {@code [lo, hi]}, is cut into {@link #STRIPS}
 * strips of equal width {@code w}; strip {@code k} of bin {@code b} is covered by a box of height
 * {@code top} (the density {@code f(z) = exp(-z^2/2)} at the strip's point nearest 0). One alias
 * draw picks a box with probability proportional to {@code share[b] * top * w / Z[b]} ({@code Z[b]}
 * the bin's integral of {@code f}), the value is uniform in its strip, and a uniform height in the
 * box is accepted when it falls under {@code f}; else all starts again. A box is accepted with
 * probability {@code (integral of f over the strip) / (top w)}, so a bin is accepted in proportion
 * to its share, and within it the value has density proportional to {@code f}: lime's law, exactly
 * up to rounding. Most heights are settled by 11 bits of the value's draw against the strip's least
 * density ({@code sure}); the rest (about 4 in 100 for a quartile of evenly spread values) draw a
 * full height and evaluate {@code f}. A bin whose bounds are equal (or whose spread is 0) is one
 * box that always gives its bound. Strips stop where {@code f} falls below 2^-64 of its highest
 * point in the bin, whose mass beyond lies under the draws' resolution.
 *
 * <p>Cost: two 64-bit draws per value and a few loads; a third draw and an {@code exp} for about 4
 * values in 100; no branch that depends on the bin.
 */
final class BinnedNormal {
  /** Strips per bin (fewer when the bins times this would not fit an alias table). */
  static final int STRIPS = 64;

  /** {@code z^2 - peak^2} beyond which {@code f(z)} is below 2^-64 of {@code f(peak)}. */
  private static final double NEGLIGIBLE = 128 * Math.log(2);

  private final AliasTable boxes;
  private final int[] bin;
  private final double[] left;
  private final double[] width;
  private final double[] top;
  private final int[] sure;

  /** Per box: the value at its left edge and the value's step across the strip. */
  private final double[] base;

  private final double[] step;

  /**
   * The player's bins: their shares (0 for a bin never drawn), means, standard deviations and
   * bounds, as {@link TabularStatistics} holds them.
   */
  BinnedNormal(double[] share, double[] mean, double[] sd, double[] min, double[] max) {
    int bins = share.length;
    int strips = Math.max(1, Math.min(STRIPS, AliasTable.MAX_SLOTS / Math.max(1, bins)));
    int n = 0;
    for (int b = 0; b < bins; b++) {
      n += share[b] > 0 ? (Double.isNaN(point(b, mean, sd, min, max)) ? strips : 1) : 0;
    }
    bin = new int[n];
    left = new double[n];
    width = new double[n];
    top = new double[n];
    sure = new int[n];
    base = new double[n];
    step = new double[n];
    double[] weight = new double[n];
    int[] outcomes = new int[n];
    int box = 0;
    for (int b = 0; b < bins; b++) {
      if (!(share[b] > 0)) {
        continue;
      }
      double point = point(b, mean, sd, min, max);
      if (!Double.isNaN(point)) {
        bin[box] = b;
        top[box] = 1;
        sure[box] = 2048; // every height is accepted
        base[box] = point;
        weight[box] = share[b];
        outcomes[box] = box;
        box++;
        continue;
      }
      double lo = (min[b] - mean[b]) / sd[b];
      double hi = (max[b] - mean[b]) / sd[b];
      // Where f falls below 2^-64 of its highest point in the bin the law's mass is beneath the
      // draws' resolution (2^-53): the strips cover the rest. A bin of one value among wider
      // bounds (a column of whole numbers: mean 1, spread 1e-11, bounds 0 and 1) spans 1e11
      // standard units, and 64 strips across all of it were accepted about once in 1e9 tries.
      double peak = lo > 0 ? lo : hi < 0 ? hi : 0;
      double reach = Math.sqrt(peak * peak + NEGLIGIBLE);
      lo = Math.max(lo, -reach);
      hi = Math.min(hi, reach);
      double w = (hi - lo) / strips;
      double mass = mass(lo, hi);
      for (int k = 0; k < strips; k++) {
        double a = lo + k * w;
        double c = k == strips - 1 ? hi : lo + (k + 1) * w;
        double highest = f(a <= 0 && c >= 0 ? 0 : Math.min(Math.abs(a), Math.abs(c)));
        double lowest = f(Math.max(Math.abs(a), Math.abs(c)));
        bin[box] = b;
        left[box] = a;
        width[box] = c - a;
        top[box] = highest;
        // Heights below lowest / highest are surely under f; trimmed by 1e-12 against rounding.
        sure[box] = (int) Math.floor(2048 * (lowest / highest) * (1 - 1e-12));
        base[box] = mean[b] + sd[b] * a;
        step[box] = sd[b] * (c - a);
        weight[box] = share[b] * highest * (c - a) / mass;
        outcomes[box] = box;
        box++;
      }
    }
    boxes = new AliasTable(outcomes, weight);
  }

  /**
   * A bin drawn as one value: bounds equal (or a spread of 0), or a bin so far in the normal's tail
   * (beyond 37 of its own standard deviations) that its mass underflows: there the truncated normal
   * lies within a 37th of a standard deviation of its nearer bound, which it then gives. Returns
   * that value, or NaN for a bin drawn by its strips.
   */
  static double point(int b, double[] mean, double[] sd, double[] min, double[] max) {
    double lo = (min[b] - mean[b]) / sd[b];
    double hi = (max[b] - mean[b]) / sd[b];
    boolean one = !(lo < hi) || Double.isInfinite(hi - lo) || !(mass(lo, hi) > 0);
    return !one ? Double.NaN : hi < 0 ? max[b] : min[b];
  }

  /**
   * One try: the box drawn by {@code boxBits}, the place in its strip by the top 53 bits of {@code
   * valueBits} and the height by their low 11 (with a fraction from {@code random} when those do
   * not settle it). Writes the value into {@code out[at]} and returns its bin, or -1 when the try
   * is rejected (the caller tries again with fresh bits).
   */
  int draw(long boxBits, long valueBits, SplittableRandom random, double[] out, int at) {
    int k = boxes.draw(boxBits);
    double u = (valueBits >>> 11) * 0x1.0p-53;
    int height = (int) valueBits & 2047;
    if (height < sure[k] || accepts(k, u, height, random)) {
      out[at] = base[k] + step[k] * u;
      return bin[k];
    }
    return -1;
  }

  /** One value into {@code out[at]} from {@code random}; returns its bin. */
  int draw(SplittableRandom random, double[] out, int at) {
    int b;
    do {
      b = draw(random.nextLong(), random.nextLong(), random, out, at);
    } while (b < 0);
    return b;
  }

  /**
   * A height from the 2048th {@code height} with a fresh fraction, under {@code f} at the value.
   */
  private boolean accepts(int k, double u, int height, SplittableRandom random) {
    double y = (height + random.nextDouble()) * 0x1.0p-11;
    double z = left[k] + width[k] * u;
    return y * top[k] < f(z);
  }

  /**
   * The probability that one try is accepted (for tests): the mass under {@code f} over the boxes'.
   */
  double acceptance() {
    double boxesArea = 0;
    double under = 0;
    for (int k = 0; k < bin.length; k++) {
      boxesArea += boxes.probability(k);
      under += accepted(k);
    }
    return under / boxesArea;
  }

  /**
   * The probability of bin {@code b} (for tests): its boxes' probabilities times their chances of
   * acceptance, over all bins'.
   */
  double binProbability(int b) {
    double all = 0;
    double mine = 0;
    for (int k = 0; k < bin.length; k++) {
      all += accepted(k);
      mine += bin[k] == b ? accepted(k) : 0;
    }
    return mine / all;
  }

  /** Box {@code k}'s probability of being drawn and accepted in one try. */
  private double accepted(int k) {
    double p = boxes.probability(k);
    return width[k] == 0 ? p : p * mass(left[k], left[k] + width[k]) / (top[k] * width[k]);
  }

  /**
   * Boxes that do not hold the curve as the method needs (for tests: none): a top below {@code f}
   * somewhere in the strip, or a sure height above it.
   */
  int boxesOffTheCurve() {
    int off = 0;
    for (int k = 0; k < bin.length; k++) {
      double a = left[k];
      double c = left[k] + width[k];
      double least = Math.min(f(a), f(c));
      double most = a <= 0 && c >= 0 ? 1 : Math.max(f(a), f(c));
      off += width[k] > 0 && (top[k] < most || sure[k] / 2048.0 * top[k] > least) ? 1 : 0;
    }
    return off;
  }

  private static double f(double z) {
    return Math.exp(-0.5 * z * z);
  }

  /**
   * The integral of {@code f} over {@code [a, b]}: {@code sqrt(pi/2) (erfc(a/sqrt 2) - erfc(b/sqrt
   * 2))}, on the side of 0 where neither tail loses precision.
   */
  static double mass(double a, double b) {
    double s = Math.sqrt(2);
    double halfRootPi = Math.sqrt(Math.PI / 2);
    if (a >= 0) {
      return halfRootPi * (Erf.erfc(a / s) - Erf.erfc(b / s));
    }
    if (b <= 0) {
      return halfRootPi * (Erf.erfc(-b / s) - Erf.erfc(-a / s));
    }
    return halfRootPi * (2 - Erf.erfc(-a / s) - Erf.erfc(b / s));
  }
}
