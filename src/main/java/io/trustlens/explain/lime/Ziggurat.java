package io.trustlens.explain.lime;

import java.util.SplittableRandom;

/**
 * Standard normal draws by the ziggurat method (Marsaglia and Tsang 2000, "The Ziggurat Method for
 * Generating Random Variables", J. Stat. Softw. 5(8), doi:10.18637/jss.v005.i08), with 256 layers
 * and the layer and the value taken from disjoint bits of one 64-bit draw (Doornik 2005, "An
 * Improved Ziggurat Method to Generate Normal Random Samples"), so that they are independent.
 *
 * <p>The half density {@code f(x) = exp(-x^2/2)} is covered by 256 layers of equal area {@code v}:
 * the base, a box of width {@code r} and height {@code f(r)} together with the tail beyond {@code
 * r}, counted as one box of width {@code x[0] = v / f(r)}; and above it boxes {@code [0, x[i]] x
 * [f(x[i]), f(x[i+1])]} with {@code x[1] = r} and {@code x[256] = 0}. A draw picks a layer {@code
 * i} uniformly and {@code z = u x[i]}, {@code u} uniform on [-1, 1); it returns {@code z} when
 * {@code |z| < x[i+1]} (under the curve whatever the height: about 99% of draws), a draw from the
 * tail beyond {@code r} (Marsaglia 1964) when the base's {@code z} falls past {@code r}, and
 * otherwise {@code z} when a uniform height in the layer falls under {@code f(z)}, else it starts
 * again. Every point under the curve is equally likely, hence the normal law exactly (up to the
 * tables' rounding: the top layer's area is the others' to 1.4e-13).
 *
 * <p>Invariant: a draw reads the bits it is given and, beyond them, the stream it is given and
 * nothing else, so a row's stream gives the same values whatever else is drawn.
 */
final class Ziggurat {
  private static final int LAYERS = 256;

  /** The base's right edge: the 256-layer ziggurat's {@code r}, from Marsaglia and Tsang. */
  static final double R = 3.6541528853610088;

  /** Each layer's width {@code x[i]} scaled by {@code 2^-52}, for a 53-bit signed integer. */
  private static final double[] WIDTH = new double[LAYERS + 1];

  /** The inner widths {@code x[i+1]}: below it a draw is surely under the curve. */
  private static final double[] INNER = new double[LAYERS];

  /** The density at each edge, {@code f(x[i])}. */
  private static final double[] F = new double[LAYERS + 1];

  /** The top layer's area over the others': 1 up to the rounding of {@link #R} and the tables. */
  static final double TOP_AREA;

  static {
    double fr = Math.exp(-0.5 * R * R);
    // The tail's area beyond r: sqrt(pi/2) erfc(r / sqrt 2).
    double tail =
        Math.sqrt(Math.PI / 2) * org.apache.commons.math3.special.Erf.erfc(R / Math.sqrt(2));
    double v = R * fr + tail;
    double[] x = new double[LAYERS + 1];
    x[0] = v / fr;
    x[1] = R;
    for (int i = 1; i < LAYERS - 1; i++) {
      x[i + 1] = Math.sqrt(-2 * Math.log(Math.exp(-0.5 * x[i] * x[i]) + v / x[i]));
    }
    TOP_AREA = x[LAYERS - 1] * (1 - Math.exp(-0.5 * x[LAYERS - 1] * x[LAYERS - 1])) / v;
    x[LAYERS] = 0;
    for (int i = 0; i <= LAYERS; i++) {
      WIDTH[i] = x[i] * 0x1.0p-52;
      F[i] = Math.exp(-0.5 * x[i] * x[i]);
    }
    for (int i = 0; i < LAYERS; i++) {
      INNER[i] = x[i + 1];
    }
  }

  private Ziggurat() {}

  /** One standard normal value from {@code random}. */
  static double next(SplittableRandom random) {
    return next(random.nextLong(), random);
  }

  /**
   * One standard normal value whose first try is {@code bits} (the layer from the low 8, the value
   * from the top 53); tries beyond it, the tail and the wedges draw from {@code random}. A sampling
   * loop that keeps its own {@link SplitMix} state passes its bits here and {@code random} is
   * touched about once in a hundred values.
   */
  static double next(long bits, SplittableRandom random) {
    while (true) {
      int i = (int) bits & (LAYERS - 1);
      double z = (bits >> 11) * WIDTH[i]; // bits >> 11: uniform on [-2^52, 2^52)
      if (Math.abs(z) < INNER[i]) {
        return z;
      }
      if (i == 0) {
        return Math.copySign(R + tail(random), z);
      }
      double y = F[i] + random.nextDouble() * (F[i + 1] - F[i]);
      if (y < Math.exp(-0.5 * z * z)) {
        return z;
      }
      bits = random.nextLong();
    }
  }

  /** The excess beyond {@code R} of a normal conditioned to exceed it (Marsaglia 1964). */
  private static double tail(SplittableRandom random) {
    double a;
    double b;
    do {
      a = -Math.log(1 - random.nextDouble()) / R;
      b = -Math.log(1 - random.nextDouble());
    } while (b + b < a * a);
    return a;
  }
}
