package io.trustlens.explain.lime;

import java.util.Arrays;

/**
 * One numeric player's values in lime's quartile neighbourhoods (Ribeiro et al. 2016, arXiv
 * 1602.04938) for a model that reads the player only through split thresholds {@code x <= t} (a
 * tree model: {@link io.trustlens.model.BatchModel#splitThresholds}). Such a model gives every
 * value between two adjacent thresholds the same outputs, so a value needs drawing only as far as
 * its piece.
 *
 * <p>Bin {@code b}, {@code [min, max]}, is cut at the thresholds {@code t} with {@code min <= t <
 * max} into pieces {@code [min, t1], (t1, t2], ..., (tm, max]}. Piece {@code p} of bin {@code b} is
 * drawn with probability {@code share[b] * P(p)}, {@code P(p)} the mass of the bin's truncated
 * normal (mean and standard deviation of the bin, truncated to its bounds) on the piece, all the
 * pieces of all the bins in one {@link AliasTable}, and gives the piece's upper end ({@code t1},
 * ..., or {@code max}). For every threshold {@code t} of the model, a value of the piece is {@code
 * <= t} exactly when the upper end is, so the model scores the upper end as it scores every value
 * of the piece.
 *
 * <p>Invariant: the bins drawn, and the model's outputs at the values drawn, follow lime's law
 * exactly (up to rounding of the pieces' masses), as {@link BinnedNormal}'s do, with one 64-bit
 * draw a value and no rejection. The values themselves are not lime's: they are fit for this
 * model's inputs only, and quartile neighbourhoods use nothing else of them (a sample's
 * interpretable value is its bin against the row's). A bin drawn as one value ({@link
 * BinnedNormal#point}) is one piece giving that value.
 */
final class PiecewiseBins {
  private final AliasTable pieces;

  /** Per piece: its bin and the value it gives. */
  private final int[] bin;

  private final double[] value;

  private PiecewiseBins(AliasTable pieces, int[] bin, double[] value) {
    this.pieces = pieces;
    this.bin = bin;
    this.value = value;
  }

  /**
   * The pieces of the player's bins (shares, means, standard deviations and bounds as {@link
   * TabularStatistics} holds them) cut at {@code thresholds} (ascending); null when they are more
   * than an alias table holds.
   */
  static PiecewiseBins of(
      double[] share, double[] mean, double[] sd, double[] min, double[] max, double[] thresholds) {
    int[] bins = new int[AliasTable.MAX_SLOTS];
    double[] values = new double[AliasTable.MAX_SLOTS];
    double[] weights = new double[AliasTable.MAX_SLOTS];
    int n = 0;
    for (int b = 0; b < share.length; b++) {
      if (!(share[b] > 0)) {
        continue;
      }
      double point = BinnedNormal.point(b, mean, sd, min, max);
      int first = n;
      double lower = (min[b] - mean[b]) / sd[b];
      double bound = min[b];
      int t = firstAtOrAbove(thresholds, min[b]);
      do {
        boolean last = !Double.isNaN(point) || t == thresholds.length || thresholds[t] >= max[b];
        double upper = last ? max[b] : thresholds[t++];
        if (n == AliasTable.MAX_SLOTS) {
          return null;
        }
        double z = (upper - mean[b]) / sd[b];
        bins[n] = b;
        values[n] = Double.isNaN(point) ? upper : point;
        weights[n] = Double.isNaN(point) ? BinnedNormal.mass(lower, z) : 1;
        n++;
        lower = z;
        bound = upper;
      } while (bound < max[b] && Double.isNaN(point));
      double bin = 0;
      for (int k = first; k < n; k++) {
        bin += weights[k];
      }
      for (int k = first; k < n; k++) {
        weights[k] = share[b] * weights[k] / bin;
      }
    }
    int[] outcomes = new int[n];
    for (int k = 0; k < n; k++) {
      outcomes[k] = k;
    }
    return new PiecewiseBins(
        new AliasTable(outcomes, Arrays.copyOf(weights, n)),
        Arrays.copyOf(bins, n),
        Arrays.copyOf(values, n));
  }

  /** The index of the first threshold at or above {@code v} (their count when none is). */
  private static int firstAtOrAbove(double[] thresholds, double v) {
    int t = 0;
    while (t < thresholds.length && thresholds[t] < v) {
      t++;
    }
    return t;
  }

  /** One value, drawn by 64 random {@code bits}, into {@code out[at]}; returns its bin. */
  int draw(long bits, double[] out, int at) {
    int k = pieces.draw(bits);
    out[at] = value[k];
    return bin[k];
  }

  /** Pieces (for tests). */
  int pieces() {
    return bin.length;
  }

  /** Piece {@code k}'s bin, value and probability (for tests). */
  int bin(int k) {
    return bin[k];
  }

  double value(int k) {
    return value[k];
  }

  double probability(int k) {
    return pieces.probability(k);
  }
}
