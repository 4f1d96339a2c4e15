package io.trustlens.explain.lime;

import java.util.SplittableRandom;
import org.apache.commons.math3.special.Erf;

/**
 * Draws a row's LIME neighbourhood from {@link TabularStatistics} as lime's {@code
 * LimeTabularExplainer} does (Ribeiro et al. 2016, arXiv 1602.04938), with {@code
 * sample_around_instance} off:
 *
 * <ul>
 *   <li>numeric players, {@code discretize} on (lime's default, quartiles): a bin drawn with its
 *       share of the reference rows, the value from the normal of the bin's mean and standard
 *       deviation truncated to the bin's bounds; the interpretable value is 1 when the bin is the
 *       row's own, else 0;
 *   <li>numeric players, {@code discretize} off: the value {@code mean + scale z}, {@code z}
 *       standard normal; the interpretable value is {@code z} (the row's own: its scaled value);
 *   <li>categorical players: a category drawn with its share; the interpretable value is 1 when it
 *       is the row's own, else 0.
 * </ul>
 *
 * <p>The first sample is the row itself (interpretable values 1, or its scaled values). A bin whose
 * bounds are equal gives that bound. Bins and categories are drawn from an {@link AliasTable}; a
 * row's stream of random numbers serves its players in turn, all samples of one player before the
 * next's.
 */
public final class TabularSampler {
  private final TabularStatistics stats;
  private final boolean discretize;
  private final int samples;
  private final int d;

  /** Per numeric player and bin: the bounds in standard units, and the normal's mass between. */
  private final double[][] lowZ;

  private final double[][] highZ;
  private final double[][] mass;

  /**
   * Per player: the bins (or categories) that can be drawn, those whose share is not 0, and their
   * shares summed in that order; its first slot.
   */
  private final int[][] drawable;

  private final double[][] cumulative;

  /** Per player: the draw of its bins or categories (null beyond an alias table's size). */
  private final AliasTable[] tables;

  private final int[] slot;
  private final boolean[] numeric;

  /** Draws {@code samples} inputs of {@code d} features (the row itself first) per row. */
  public TabularSampler(TabularStatistics stats, boolean discretize, int samples, int d) {
    if (samples < 2) {
      throw new IllegalArgumentException("LIME needs at least 2 samples per row, not " + samples);
    }
    this.stats = stats;
    this.discretize = discretize;
    this.samples = samples;
    this.d = d;
    int m = stats.players();
    lowZ = new double[m][];
    highZ = new double[m][];
    mass = new double[m][];
    drawable = new int[m][];
    cumulative = new double[m][];
    tables = new AliasTable[m];
    slot = new int[m];
    numeric = new boolean[m];
    for (int j = 0; j < m; j++) {
      double[] shares = stats.shares()[j];
      int n = 0;
      for (double share : shares) {
        n += share > 0 ? 1 : 0;
      }
      drawable[j] = new int[n];
      cumulative[j] = new double[n];
      double sum = 0;
      for (int k = 0, i = 0; k < shares.length; k++) {
        sum += shares[k];
        if (shares[k] > 0) {
          drawable[j][i] = k;
          cumulative[j][i++] = sum;
        }
      }
      double[] positive = new double[n];
      for (int i = 0; i < n; i++) {
        positive[i] = shares[drawable[j][i]];
      }
      tables[j] = n <= AliasTable.MAX_SLOTS ? new AliasTable(drawable[j], positive) : null;
      slot[j] = stats.slots()[j][0];
      numeric[j] = stats.isNumeric(j);
      int bins = stats.isNumeric(j) ? stats.shares()[j].length : 0;
      lowZ[j] = new double[bins];
      highZ[j] = new double[bins];
      mass[j] = new double[bins];
      for (int b = 0; b < bins; b++) {
        double sd = stats.binStd()[j][b];
        lowZ[j][b] = (stats.binMin()[j][b] - stats.binMean()[j][b]) / sd;
        highZ[j][b] = (stats.binMax()[j][b] - stats.binMean()[j][b]) / sd;
        mass[j][b] = phi(highZ[j][b]) - phi(lowZ[j][b]);
      }
    }
  }

  /** Samples per row, the row itself included. */
  public int samples() {
    return samples;
  }

  /** Interpretable values per sample: one per player. */
  public int players() {
    return stats.players();
  }

  /**
   * A buffer for one row's interpretable values: indicators when every player's are 0/1 (quartiles
   * or categories), else values.
   */
  public Neighbourhood neighbourhood() {
    boolean indicators = true;
    for (boolean n : numeric) {
      indicators &= discretize || !n;
    }
    return indicators
        ? Neighbourhood.indicators(samples, players())
        : Neighbourhood.values(samples, players());
  }

  /**
   * Writes the neighbourhood of row {@code x} (at {@code xOffset}): {@code samples × d} model
   * inputs into {@code inputs} from {@code inOffset}, and the interpretable values into {@code rep}
   * (from {@link #neighbourhood()}).
   */
  public void sample(
      double[] x,
      int xOffset,
      SplittableRandom random,
      double[] inputs,
      int inOffset,
      Neighbourhood rep) {
    rep.clear();
    System.arraycopy(x, xOffset, inputs, inOffset, d);
    for (int j = 0; j < stats.players(); j++) {
      double v = x[xOffset + slot[j]];
      if (numeric[j] && !discretize) {
        rep.put(0, j, (v - stats.mean()[j]) / stats.scale()[j]);
        continuous(j, random, inputs, inOffset, rep);
      } else if (numeric[j]) {
        mark(rep, 0, j, true);
        binned(j, stats.bin(j, v), random, inputs, inOffset, rep);
      } else {
        mark(rep, 0, j, true);
        categorical(j, stats.category(j, x, xOffset), random, inputs, inOffset, rep);
      }
    }
  }

  // A player's samples are drawn together, one player after another: its constants stay at hand
  // and the loop does not dispatch on the player's kind at every value.

  private void continuous(
      int j, SplittableRandom random, double[] inputs, int inOffset, Neighbourhood rep) {
    double mean = stats.mean()[j];
    double scale = stats.scale()[j];
    int at = inOffset + slot[j];
    for (int s = 1; s < samples; s++) {
      double z = random.nextGaussian();
      inputs[at + s * d] = mean + scale * z;
      rep.put(s, j, z);
    }
  }

  /**
   * Player {@code j}'s values by quartile: a bin drawn with its share, then the bin's truncated
   * normal, by rejection from the normal when the bin holds at least a fifth of the normal's mass
   * (every draw a standard normal until one falls inside: exactly the truncated law, about two
   * draws at worst), else by inversion; a bin whose bounds are equal gives that bound.
   */
  private void binned(
      int j, int own, SplittableRandom random, double[] inputs, int inOffset, Neighbourhood rep) {
    double[] mean = stats.binMean()[j];
    double[] sd = stats.binStd()[j];
    double[] low = lowZ[j];
    double[] high = highZ[j];
    double[] within = mass[j];
    int at = inOffset + slot[j];
    for (int s = 1; s < samples; s++) {
      int b = pick(j, random);
      double a = low[b];
      double c = high[b];
      double v;
      if (!(a < c)) {
        v = stats.binMin()[j][b];
      } else if (within[b] >= 0.2) {
        double z;
        do {
          z = random.nextGaussian();
        } while (!(z >= a && z <= c));
        v = mean[b] + sd[b] * z;
      } else {
        v =
            truncatedNormal(
                mean[b], sd[b], stats.binMin()[j][b], stats.binMax()[j][b], random.nextDouble());
      }
      inputs[at + s * d] = v;
      mark(rep, s, j, b == own);
    }
  }

  private void categorical(
      int j, int own, SplittableRandom random, double[] inputs, int inOffset, Neighbourhood rep) {
    int[] slots = stats.slots()[j];
    double[][] blocks = stats.categories()[j];
    for (int s = 1; s < samples; s++) {
      int c = pick(j, random);
      int at = inOffset + s * d;
      for (int t = 0; t < slots.length; t++) {
        inputs[at + slots[t]] = blocks[c][t];
      }
      mark(rep, s, j, c == own);
    }
  }

  /** A bin or category of player {@code j}, drawn with its share. */
  private int pick(int j, SplittableRandom random) {
    AliasTable table = tables[j];
    return table != null
        ? table.draw(random)
        : draw(drawable[j], cumulative[j], random.nextDouble());
  }

  /** Sample {@code s}'s interpretable value of player {@code j}: 1 when {@code one}, else 0. */
  private static void mark(Neighbourhood rep, int s, int j, boolean one) {
    if (rep.isIndicators()) {
      rep.set(s, j, one);
    } else {
      rep.put(s, j, one ? 1 : 0);
    }
  }

  /**
   * The index drawn by {@code u} in [0, 1): the first of {@code drawable} whose running share
   * ({@code cumulative}, nondecreasing) exceeds {@code u}, the last when rounding left {@code u}
   * above them all. Counted without a branch on {@code u}: a draw's outcome is random, so a loop
   * that stops at it mispredicts about once a draw.
   */
  static int draw(int[] drawable, double[] cumulative, double u) {
    int below = 0;
    for (double c : cumulative) {
      below += c <= u ? 1 : 0;
    }
    return drawable[Math.min(below, drawable.length - 1)];
  }

  /**
   * The normal of {@code mean} and {@code sd} truncated to {@code [lo, hi]}, by inversion of its
   * distribution function at {@code u}; on the upper side of the mean it inverts the mirror image,
   * so that neither tail loses precision.
   */
  static double truncatedNormal(double mean, double sd, double lo, double hi, double u) {
    double a = (lo - mean) / sd;
    double b = (hi - mean) / sd;
    if (!(a < b)) {
      return lo;
    }
    if (a > 0) {
      return mean - sd * standard(-b, -a, 1 - u);
    }
    return mean + sd * standard(a, b, u);
  }

  /** A standard normal truncated to {@code [a, b]} with {@code a <= 0}, at {@code u}. */
  private static double standard(double a, double b, double u) {
    double pa = phi(a);
    double p = pa + u * (phi(b) - pa);
    double z = p <= 0 ? a : -Math.sqrt(2) * Erf.erfcInv(2 * p);
    return Math.max(a, Math.min(b, z));
  }

  private static double phi(double z) {
    return 0.5 * Erf.erfc(-z / Math.sqrt(2));
  }
}
