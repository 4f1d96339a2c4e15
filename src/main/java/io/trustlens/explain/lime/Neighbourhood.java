package io.trustlens.explain.lime;

import java.util.Arrays;

/**
 * A row's LIME samples in the interpretable space, the row itself first (Ribeiro et al. 2016, arXiv
 * 1602.04938): either 0/1 indicators (quartile bins, categories, words, superpixels), held as bits
 * with 64 players a word, or real values (continuous neighbourhoods), held row-major.
 *
 * <p>The bits are what make a row's surrogate cheap: a sample's squared distance from the row is
 * the number of players where the two differ (one population count a word), and its terms of the
 * weighted sums are the pairs of its ones, about a sixteenth of all pairs for quartiles.
 *
 * <p>Invariant: {@link #value(int, int)} is the sample's interpretable value whichever way it is
 * held; a buffer is reused from row to row, each sample written whole by {@link #clear()} then its
 * players.
 */
public final class Neighbourhood {
  private final int samples;
  private final int players;
  private final int words;
  private final long[] bits;
  private final double[] values;

  private Neighbourhood(int samples, int players, boolean indicators) {
    this.samples = samples;
    this.players = players;
    this.words = (players + 63) >>> 6;
    this.bits = indicators ? new long[samples * words] : null;
    this.values = indicators ? null : new double[samples * players];
  }

  /** A buffer of 0/1 indicators, all 0. */
  public static Neighbourhood indicators(int samples, int players) {
    return new Neighbourhood(samples, players, true);
  }

  /** A buffer of real values, all 0. */
  public static Neighbourhood values(int samples, int players) {
    return new Neighbourhood(samples, players, false);
  }

  /** The samples of row-major {@code x}: as indicators when every value is 0 or 1. */
  public static Neighbourhood of(double[] x, int samples, int players) {
    for (int i = 0; i < samples * players; i++) {
      if (x[i] != 0 && x[i] != 1) {
        return valuesOf(x, samples, players);
      }
    }
    Neighbourhood n = indicators(samples, players);
    for (int i = 0; i < samples; i++) {
      for (int j = 0; j < players; j++) {
        if (x[i * players + j] != 0) {
          n.set(i, j);
        }
      }
    }
    return n;
  }

  /** The samples of row-major {@code x} as values, even when all are 0 or 1 (for tests). */
  static Neighbourhood valuesOf(double[] x, int samples, int players) {
    Neighbourhood n = values(samples, players);
    for (int i = 0; i < samples; i++) {
      for (int j = 0; j < players; j++) {
        n.put(i, j, x[i * players + j]);
      }
    }
    return n;
  }

  /** Samples, the row itself included. */
  public int samples() {
    return samples;
  }

  /** Interpretable values per sample. */
  public int players() {
    return players;
  }

  /** Whether the samples are 0/1 indicators held as bits. */
  public boolean isIndicators() {
    return bits != null;
  }

  /** Sample {@code i}'s value of player {@code j}. */
  public double value(int i, int j) {
    return bits != null ? (bits[i * words + (j >>> 6)] >>> j) & 1 : values[j * samples + i];
  }

  /** Sets every indicator to 0 (values are overwritten whole and need no clearing). */
  void clear() {
    if (bits != null) {
      Arrays.fill(bits, 0L);
    }
  }

  /** Sets sample {@code i}'s indicator of player {@code j} to 1. */
  void set(int i, int j) {
    bits[i * words + (j >>> 6)] |= 1L << j;
  }

  /**
   * Sets sample {@code i}'s indicator of player {@code j} to 1 when {@code drawn == own}, without a
   * branch: the draw is random, so a branch on it would mispredict often. ({@code x | -x} has its
   * sign bit set for every {@code x} but 0.)
   */
  void setWhenEqual(int i, int j, int drawn, int own) {
    int x = drawn ^ own;
    bits[i * words + (j >>> 6)] |= (long) (((x | -x) >>> 31) ^ 1) << j;
  }

  /**
   * Sets samples {@code from .. from + n - 1}'s indicator of player {@code j} to 1 where their
   * draws {@code drawn[0 .. n - 1]} equal {@code own}: a player's block of samples at once, four a
   * step with vector instructions when a sample's indicators are one word ({@link Lanes#VECTORS}).
   */
  void setWhereEqual(int from, int n, int j, long[] drawn, int own) {
    if (words == 1 && Lanes.VECTORS) {
      DrawLanes.orWhereEqual(bits, from, drawn, n, own, 1L << j);
      return;
    }
    for (int i = 0; i < n; i++) {
      setWhenEqual(from + i, j, (int) drawn[i], own);
    }
  }

  /**
   * Sets every sample but the first from its draws: player {@code j}'s indicator of sample {@code
   * i} is 1 when {@code codes[i players + j]} equals {@code own[j]}; a word's bits gathered before
   * it is written.
   */
  void setWhereEqual(int[] codes, int[] own) {
    for (int i = 1; i < samples; i++) {
      int at = i * players;
      for (int w = 0; w < words; w++) {
        long word = 0;
        for (int j = w << 6, end = Math.min(players, j + 64); j < end; j++) {
          int x = codes[at + j] ^ own[j];
          word |= (long) (((x | -x) >>> 31) ^ 1) << j;
        }
        bits[i * words + w] = word;
      }
    }
  }

  /** Sets sample {@code i}'s value of player {@code j}. */
  void put(int i, int j, double v) {
    values[j * samples + i] = v;
  }

  /** Bit words per sample (indicators). */
  int words() {
    return words;
  }

  /** The indicator words, {@link #words()} a sample (null for values). */
  long[] bits() {
    return bits;
  }

  /**
   * The values, column-major: player {@code j}'s value in sample {@code i} at {@code j samples + i}
   * (null for indicators). A sampler writes a player's samples in turn, and a fit's sums run down
   * columns.
   */
  double[] values() {
    return values;
  }

  /** Sample {@code i}'s squared Euclidean distance from the row (sample 0). */
  double distance2(int i) {
    if (bits != null) {
      int differ = 0;
      for (int w = 0; w < words; w++) {
        differ += Long.bitCount(bits[i * words + w] ^ bits[w]);
      }
      return differ;
    }
    double d2 = 0;
    for (int j = 0; j < players; j++) {
      double diff = values[j * samples + i] - values[j * samples];
      d2 += diff * diff;
    }
    return d2;
  }

  /**
   * Every sample's {@link #distance2(int)} into {@code out}, the same bits: values are summed
   * player by player down their columns, each sample's terms in the same order.
   */
  void distances2(double[] out) {
    if (bits != null) {
      for (int i = 0; i < samples; i++) {
        out[i] = distance2(i);
      }
      return;
    }
    java.util.Arrays.fill(out, 0, samples, 0.0);
    for (int j = 0; j < players; j++) {
      int column = j * samples;
      double own = values[column];
      for (int i = 0; i < samples; i++) {
        double diff = values[column + i] - own;
        out[i] += diff * diff;
      }
    }
  }
}
