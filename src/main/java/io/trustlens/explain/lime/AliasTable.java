package io.trustlens.explain.lime;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws one of a few outcomes with given shares in constant time: Walker's alias method (1977) with
 * Vose's construction (1991). The table has a power-of-two number of slots {@code P}, so one {@code
 * nextLong} gives both an exactly uniform slot (its top bits) and an independent 53-bit coin (its
 * low bits): slot {@code i} gives {@code heads[i]} when the coin is below {@code coin[i]}, else
 * {@code alias[i]}. Slots beyond the outcomes have coin 0.
 *
 * <p>Invariant: outcome {@code o} is drawn with probability {@code (sum of coin[i] over slots
 * headed by o + sum of 1 - coin[i] over slots aliased to o) / P}, which equals its share over the
 * shares' sum up to rounding of the construction (pinned by {@code LimeCoreTest}); outcomes of
 * share 0 are never drawn.
 */
final class AliasTable {
  /** Slots at most: 11 bits of slot leave 53 for the coin. */
  static final int MAX_SLOTS = 1 << 11;

  private final int shift;
  private final double[] coin;
  private final long[] threshold;
  private final int[] heads;
  private final int[] alias;

  /**
   * A table drawing {@code outcomes[k]} with probability {@code shares[k] / sum(shares)}; shares
   * are non-negative with a positive sum, at most {@link #MAX_SLOTS} of them.
   */
  AliasTable(int[] outcomes, double[] shares) {
    int n = outcomes.length;
    if (n == 0 || n > MAX_SLOTS) {
      throw new IllegalArgumentException("an alias table holds 1.." + MAX_SLOTS + " outcomes");
    }
    int slots = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
    shift = 64 - Integer.numberOfTrailingZeros(slots);
    double total = 0;
    int largest = 0;
    for (int k = 0; k < n; k++) {
      total += shares[k];
      largest = shares[k] > shares[largest] ? k : largest;
    }
    coin = new double[slots];
    heads = new int[slots];
    alias = new int[slots];
    double[] q = new double[slots];
    Deque<Integer> small = new ArrayDeque<>();
    Deque<Integer> large = new ArrayDeque<>();
    for (int i = 0; i < slots; i++) {
      q[i] = i < n ? shares[i] * slots / total : 0;
      heads[i] = outcomes[i < n ? i : largest];
      alias[i] = heads[i];
      (q[i] < 1 ? small : large).push(i);
    }
    while (!small.isEmpty() && !large.isEmpty()) {
      int l = small.pop();
      int g = large.pop();
      coin[l] = q[l];
      alias[l] = heads[g];
      q[g] = (q[g] + q[l]) - 1;
      (q[g] < 1 ? small : large).push(g);
    }
    // What is left holds a whole slot up to rounding: heads, or (for no share at all, which only
    // a rounding far beyond double's could leave) the largest outcome.
    for (Deque<Integer> left : List.of(small, large)) {
      for (int i : left) {
        coin[i] = q[i] > 0 ? 1 : 0;
        alias[i] = outcomes[largest];
      }
    }
    threshold = new long[slots];
    for (int i = 0; i < slots; i++) {
      threshold[i] = (long) Math.ceil(coin[i] * 0x1.0p53);
    }
  }

  /**
   * The outcome of one draw, without a branch on the coin: heads when the 53-bit integer {@code k}
   * of the low bits is below {@code threshold[slot]}, the least integer not below {@code coin[slot]
   * 2^53} (so exactly when {@code k 2^-53 < coin[slot]}); the sign of their difference selects
   * heads or alias.
   */
  int draw(SplittableRandom random) {
    return draw(random.nextLong());
  }

  /** The outcome drawn by 64 random {@code bits}. */
  int draw(long bits) {
    int slot = shift == 64 ? 0 : (int) (bits >>> shift);
    int below = (int) (((bits & ((1L << 53) - 1)) - threshold[slot]) >> 63); // -1 or 0
    return alias[slot] ^ ((heads[slot] ^ alias[slot]) & below);
  }

  /** The coin rule that {@link #draw(long)} follows without a branch, for tests. */
  int drawByCoin(long bits) {
    int slot = shift == 64 ? 0 : (int) (bits >>> shift);
    double u = (bits & ((1L << 53) - 1)) * 0x1.0p-53;
    return u < coin[slot] ? heads[slot] : alias[slot];
  }

  /** Slot {@code i}'s threshold on the 53 low bits: below it, heads. */
  long threshold(int i) {
    return threshold[i];
  }

  /** Slots (a power of two). */
  int slots() {
    return coin.length;
  }

  /** The probability the table gives {@code outcome}, summed over its slots. */
  double probability(int outcome) {
    double p = 0;
    for (int i = 0; i < coin.length; i++) {
      p += (heads[i] == outcome ? coin[i] : 0) + (alias[i] == outcome ? 1 - coin[i] : 0);
    }
    return p / coin.length;
  }
}
