package io.trustlens.explain.lime;

import java.util.SplittableRandom;

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
 * bounds are equal gives that bound. A numeric player's bin and value are drawn together by its
 * {@link BinnedNormal} (or, for a model that reads it only through split thresholds, its {@link
 * PiecewiseBins}), categories from an {@link AliasTable}, standard normals by the {@link Ziggurat}.
 * Each player draws from a {@link SplitMix} stream of its own, seeded in turn from the row's stream
 * (which also serves the rare draws beyond a first try: rejected boxes, the normal's tail and
 * wedges); samples are drawn {@link #BLOCK} at a time, each player's part of a block in turn: its
 * first tries' random bits at once ({@link SplitMix#fill}), then its values, then its indicators at
 * once ({@link Neighbourhood#setWhereEqual(int, int, int, long[], int)}), the bits and indicators
 * with vector instructions where the JVM has them ({@link Lanes}), the same either way.
 *
 * <p>Samples after the first do not depend on the row, so they can also be drawn once for all rows
 * ({@link #shared}) and each row's interpretable values made from them ({@link
 * #neighbourhood(double[], int, SharedSamples, Neighbourhood)}): the same values and bits as the
 * row's own sampling from the same stream.
 */
public final class TabularSampler {
  private final TabularStatistics stats;
  private final boolean discretize;
  private final int samples;
  private final int d;

  /** Per numeric player drawn by quartile (null for the others): its bins' truncated normals. */
  private final BinnedNormal[] normals;

  /**
   * Per numeric player drawn by quartile whose values the model reads only through split thresholds
   * (null for the others): its bins' pieces between them, drawn in place of {@link #normals}.
   */
  private final PiecewiseBins[] pieces;

  /**
   * Per categorical player (null for the others): the categories that can be drawn, those whose
   * share is not 0, and their shares summed in that order.
   */
  private final int[][] drawable;

  private final double[][] cumulative;

  /** Per categorical player: the draw of its categories (null beyond an alias table's size). */
  private final AliasTable[] tables;

  /** Per player: its first slot. */
  private final int[] slot;

  private final boolean[] numeric;

  /** Draws {@code samples} inputs of {@code d} features (the row itself first) per row. */
  public TabularSampler(TabularStatistics stats, boolean discretize, int samples, int d) {
    this(stats, discretize, samples, d, null);
  }

  /**
   * Draws {@code samples} inputs of {@code d} features (the row itself first) per row for a model
   * that reads input {@code i} only through {@code x <= t} for the thresholds {@code
   * splitThresholds[i]} ({@link io.trustlens.model.BatchModel#splitThresholds}; null, or a null
   * entry, where it does not): a numeric player of such an input is drawn by quartile as {@link
   * PiecewiseBins}, its bins and the model's outputs at its values following lime's law.
   */
  public TabularSampler(
      TabularStatistics stats, boolean discretize, int samples, int d, double[][] splitThresholds) {
    if (samples < 2) {
      throw new IllegalArgumentException("LIME needs at least 2 samples per row, not " + samples);
    }
    this.stats = stats;
    this.discretize = discretize;
    this.samples = samples;
    this.d = d;
    int m = stats.players();
    normals = new BinnedNormal[m];
    pieces = new PiecewiseBins[m];
    drawable = new int[m][];
    cumulative = new double[m][];
    tables = new AliasTable[m];
    slot = new int[m];
    numeric = new boolean[m];
    for (int j = 0; j < m; j++) {
      slot[j] = stats.slots()[j][0];
      numeric[j] = stats.isNumeric(j);
      if (numeric[j] && discretize && splitThresholds != null && splitThresholds[slot[j]] != null) {
        pieces[j] =
            PiecewiseBins.of(
                stats.shares()[j],
                stats.binMean()[j],
                stats.binStd()[j],
                stats.binMin()[j],
                stats.binMax()[j],
                splitThresholds[slot[j]]);
      }
      if (numeric[j] && discretize && pieces[j] == null) {
        normals[j] =
            new BinnedNormal(
                stats.shares()[j],
                stats.binMean()[j],
                stats.binStd()[j],
                stats.binMin()[j],
                stats.binMax()[j]);
      }
      if (numeric[j]) {
        continue;
      }
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
    }
  }

  /**
   * Whether this JVM draws a block's random bits with vector instructions ({@link SplitMix#fill};
   * the same bits either way). Its indicators take them wherever {@link
   * LocalSurrogate#vectorSums()} is true.
   */
  public static boolean vectorDraws() {
    return Lanes.LONG_MULTIPLY;
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
    draw(random, own(x, xOffset, rep), inputs, inOffset, rep, null);
  }

  /**
   * Draws samples 1.. once for every row ({@code sample_around_instance} off, lime's default, makes
   * them independent of the row): their model inputs, and per player the bin or category each drew
   * (or its scaled value). {@link #neighbourhood(double[], int, SharedSamples, Neighbourhood)} then
   * makes a row's interpretable values of them. Drawn as {@link #sample} draws a row's from the
   * same stream.
   */
  public SharedSamples shared(SplittableRandom random) {
    int m = stats.players();
    int covered = 0;
    for (int j = 0; j < m; j++) {
      covered += stats.slots()[j].length;
    }
    if (covered != d) {
      throw new IllegalArgumentException(
          "the players cover " + covered + " of the " + d + " inputs; shared samples need all");
    }
    double[] inputs = new double[samples * d];
    Neighbourhood values = neighbourhood();
    int[] codes = new int[samples * m];
    draw(random, new int[m], inputs, 0, values, codes);
    return new SharedSamples(inputs, codes, values.isIndicators() ? null : values.values());
  }

  /**
   * Writes row {@code x}'s interpretable values of {@code shared}'s samples into {@code rep}: the
   * row's own first, then per sample 1 where it drew the row's bin or category, else 0 (or the
   * sample's scaled value).
   */
  public void neighbourhood(double[] x, int xOffset, SharedSamples shared, Neighbourhood rep) {
    rep.clear();
    int[] own = own(x, xOffset, rep);
    int m = stats.players();
    int[] codes = shared.codes();
    if (rep.isIndicators()) {
      rep.setWhereEqual(codes, own);
      return;
    }
    for (int j = 0; j < m; j++) {
      if (numeric[j] && !discretize) {
        System.arraycopy(
            shared.values(), j * samples + 1, rep.values(), j * samples + 1, samples - 1);
        continue;
      }
      for (int s = 1; s < samples; s++) {
        rep.put(s, j, codes[s * m + j] == own[j] ? 1 : 0);
      }
    }
  }

  /**
   * The row's own bin or category per player (0 for players drawn as scaled values), its
   * interpretable values written as sample 0 of {@code rep}.
   */
  private int[] own(double[] x, int xOffset, Neighbourhood rep) {
    int m = stats.players();
    int[] own = new int[m];
    for (int j = 0; j < m; j++) {
      double v = x[xOffset + slot[j]];
      if (numeric[j] && !discretize) {
        rep.put(0, j, (v - stats.mean()[j]) / stats.scale()[j]);
      } else {
        own[j] = numeric[j] ? stats.bin(j, v) : stats.category(j, x, xOffset);
        mark(rep, 0, j, 0, 0);
      }
    }
    return own;
  }

  /**
   * Samples 1.. into {@code inputs} and {@code rep}: marked against {@code own}, or (when {@code
   * codes} is not null) each player's draw kept in {@code codes}, sample-major.
   */
  private void draw(
      SplittableRandom random,
      int[] own,
      double[] inputs,
      int inOffset,
      Neighbourhood rep,
      int[] codes) {
    int m = stats.players();
    long[] state = new long[m];
    for (int j = 0; j < m; j++) {
      state[j] = random.nextLong();
    }
    Block block = new Block(random, inputs, inOffset, rep, codes);
    for (int from = 1; from < samples; from += BLOCK) {
      block.from = from;
      block.n = Math.min(samples, from + BLOCK) - from;
      for (int j = 0; j < m; j++) {
        if (numeric[j] && !discretize) {
          state[j] = continuous(j, state[j], block);
        } else if (numeric[j]) {
          state[j] = binned(j, own[j], state[j], block);
        } else {
          state[j] = categorical(j, own[j], state[j], block);
        }
      }
    }
  }

  /**
   * Samples drawn a block at a time, every player's in turn: a block's inputs ({@code BLOCK}
   * samples of {@code d} values) stay in the first-level cache while each player writes its column
   * of them. Drawn a player's whole column at a time, the writes strode across all the samples'
   * inputs (240 KB for 1,000 samples of 30 features) and each missed the cache.
   */
  static final int BLOCK = 64;

  /**
   * One row's draw, a block of samples at a time: where they go, and the block's random bits and
   * outcomes, one player's at a time.
   */
  private static final class Block {
    final SplittableRandom random;
    final double[] inputs;
    final int inOffset;
    final Neighbourhood rep;
    final int[] codes;

    /** The block's first sample and its samples. */
    int from;

    int n;

    /** A player's draws from its stream ({@link SplitMix#fill}): two a sample at most. */
    final long[] bits = new long[2 * BLOCK];

    /** A player's outcome per sample: its bin or category. */
    final long[] drawn = new long[BLOCK];

    Block(SplittableRandom random, double[] inputs, int inOffset, Neighbourhood rep, int[] codes) {
      this.random = random;
      this.inputs = inputs;
      this.inOffset = inOffset;
      this.rep = rep;
      this.codes = codes;
    }
  }

  // Within a block a player's samples are drawn together, one player after another: its constants
  // stay at hand and the loop does not dispatch on the player's kind at every value. Each player's
  // first tries come from its own SplitMix stream, a block's worth at once; the rare draws beyond
  // them come from the row's stream, in the order the blocks reach them.

  private long continuous(int j, long state, Block block) {
    double mean = stats.mean()[j];
    double scale = stats.scale()[j];
    // In locals: the ziggurat's rare calls would make the loop reload the block's fields.
    SplittableRandom random = block.random;
    double[] inputs = block.inputs;
    Neighbourhood rep = block.rep;
    int at = block.inOffset + slot[j];
    int to = block.from + block.n;
    for (int s = block.from; s < to; s++) {
      state += SplitMix.GAMMA;
      double z = Ziggurat.next(SplitMix.mix(state), random);
      inputs[at + s * d] = mean + scale * z;
      rep.put(s, j, z);
    }
    return state;
  }

  /**
   * Player {@code j}'s values by quartile: bin and value drawn together by its {@link
   * PiecewiseBins} (one draw a value) or its {@link BinnedNormal} (two a try), from the player's
   * {@link SplitMix} stream.
   */
  private long binned(int j, int own, long state, Block block) {
    state =
        pieces[j] != null
            ? pieces(pieces[j], j, state, block)
            : normals(normals[j], j, state, block);
    record(j, own, block);
    return state;
  }

  /** A block of a player's values by {@link PiecewiseBins}: one draw a value. */
  private long pieces(PiecewiseBins piecewise, int j, long state, Block block) {
    int n = block.n;
    long[] bits = block.bits;
    long[] drawn = block.drawn;
    double[] inputs = block.inputs;
    int first = block.inOffset + slot[j] + block.from * d;
    state = SplitMix.fill(state, bits, n);
    for (int i = 0; i < n; i++) {
      drawn[i] = piecewise.draw(bits[i], inputs, first + i * d);
    }
    return state;
  }

  /**
   * A block of a player's values by {@link BinnedNormal}: two draws a try, a first try for each
   * value drawn at once, the tries after a rejection from the draws that follow.
   */
  private long normals(BinnedNormal normal, int j, long state, Block block) {
    int n = block.n;
    long[] bits = block.bits;
    long[] drawn = block.drawn;
    double[] inputs = block.inputs;
    SplittableRandom random = block.random;
    int first = block.inOffset + slot[j] + block.from * d;
    state = SplitMix.fill(state, bits, 2 * n);
    int next = 0;
    for (int i = 0; i < n; i++) {
      int b;
      do {
        long boxBits;
        long valueBits;
        if (next < 2 * n) {
          boxBits = bits[next++];
          valueBits = bits[next++];
        } else {
          state += SplitMix.GAMMA;
          boxBits = SplitMix.mix(state);
          state += SplitMix.GAMMA;
          valueBits = SplitMix.mix(state);
        }
        b = normal.draw(boxBits, valueBits, random, inputs, first + i * d);
      } while (b < 0);
      drawn[i] = b;
    }
    return state;
  }

  private long categorical(int j, int own, long state, Block block) {
    int[] slots = stats.slots()[j];
    double[][] blocks = stats.categories()[j];
    int n = block.n;
    long[] bits = block.bits;
    state = SplitMix.fill(state, bits, n);
    for (int i = 0, at = block.inOffset + block.from * d; i < n; i++, at += d) {
      int c = pick(j, bits[i]);
      for (int t = 0; t < slots.length; t++) {
        block.inputs[at + slots[t]] = blocks[c][t];
      }
      block.drawn[i] = c;
    }
    record(j, own, block);
    return state;
  }

  /**
   * The block's draws of player {@code j} ({@link Block#drawn}): kept in the codes, else marked
   * against the row's {@code own}.
   */
  private void record(int j, int own, Block block) {
    int m = stats.players();
    int[] codes = block.codes;
    Neighbourhood rep = block.rep;
    if (codes != null) {
      for (int i = 0, s = block.from; i < block.n; i++, s++) {
        codes[s * m + j] = (int) block.drawn[i];
      }
    } else if (rep.isIndicators()) {
      rep.setWhereEqual(block.from, block.n, j, block.drawn, own);
    } else {
      for (int i = 0, s = block.from; i < block.n; i++, s++) {
        rep.put(s, j, block.drawn[i] == own ? 1 : 0);
      }
    }
  }

  /** A bin or category of player {@code j}, drawn with its share. */
  private int pick(int j, long bits) {
    AliasTable table = tables[j];
    return table != null
        ? table.draw(bits)
        : draw(drawable[j], cumulative[j], (bits >>> 11) * 0x1.0p-53);
  }

  /**
   * Sample {@code s}'s interpretable value of player {@code j}: 1 when {@code drawn} is the row's
   * {@code own} bin or category, else 0.
   */
  private static void mark(Neighbourhood rep, int s, int j, int drawn, int own) {
    if (rep.isIndicators()) {
      rep.setWhenEqual(s, j, drawn, own);
    } else {
      rep.put(s, j, drawn == own ? 1 : 0);
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
}
