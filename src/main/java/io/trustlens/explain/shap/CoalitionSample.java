package io.trustlens.explain.shap;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The coalitions Kernel SHAP fits, as packed bit sets ({@code words()} longs each), with a weight
 * each: a coalition drawn again adds its weight to the first draw's. Repeats are found through an
 * open-addressing table of indices, so a row's two thousand draws cost no objects.
 */
final class CoalitionSample {
  private final int players;
  private final int words;
  private long[] bits;
  private double[] weights;
  private int size;
  private int[] table; // index + 1 of the coalition in each slot, 0 when empty
  private final long[] scratch;

  CoalitionSample(int players, int expected) {
    this.players = players;
    this.words = (players + 63) >>> 6;
    int capacity = Math.max(4, expected);
    this.bits = new long[capacity * words];
    this.weights = new double[capacity];
    this.table = new int[Integer.highestOneBit(capacity * 2 - 1) * 2];
    this.scratch = new long[words];
  }

  int players() {
    return players;
  }

  int size() {
    return size;
  }

  double weight(int s) {
    return weights[s];
  }

  void scaleWeights(int from, double factor) {
    for (int s = from; s < size; s++) {
      weights[s] *= factor;
    }
  }

  /** Whether player {@code i} is in coalition {@code s}. */
  boolean has(int s, int i) {
    return (bits[s * words + (i >>> 6)] & (1L << i)) != 0;
  }

  /**
   * Writes the players below {@code limit} that are in coalition {@code s} (or out of it, when
   * {@code in} is false) to {@code out} from {@code at}, in order; returns the next free position.
   */
  int list(int s, boolean in, int limit, int[] out, int at) {
    for (int w = 0; w * 64 < limit; w++) {
      long word = in ? bits[s * words + w] : ~bits[s * words + w];
      int left = limit - w * 64;
      if (left < 64) {
        word &= (1L << left) - 1;
      }
      while (word != 0) {
        out[at++] = w * 64 + Long.numberOfTrailingZeros(word);
        word &= word - 1;
      }
    }
    return at;
  }

  /** Coalition {@code s} as one flag per player. */
  boolean[] toBooleans(int s) {
    boolean[] z = new boolean[players];
    for (int i = 0; i < players; i++) {
      z[i] = has(s, i);
    }
    return z;
  }

  /** Adds every coalition of {@code k} players, and each one's complement when asked. */
  void addAllOfSize(int k, double weight, boolean withComplements) {
    int[] idx = new int[k];
    for (int i = 0; i < k; i++) {
      idx[i] = i;
    }
    while (true) {
      Arrays.fill(scratch, 0);
      for (int i : idx) {
        scratch[i >>> 6] |= 1L << i;
      }
      addScratch(weight, withComplements);
      int i = k - 1;
      while (i >= 0 && idx[i] == players - k + i) {
        i--;
      }
      if (i < 0) {
        return;
      }
      idx[i]++;
      for (int j = i + 1; j < k; j++) {
        idx[j] = idx[j - 1] + 1;
      }
    }
  }

  /**
   * Adds a uniformly random coalition of {@code k} players (Floyd's algorithm: k draws), and its
   * complement when asked.
   */
  void addRandom(int k, SplittableRandom random, boolean withComplement) {
    Arrays.fill(scratch, 0);
    for (int j = players - k; j < players; j++) {
      int t = random.nextInt(j + 1);
      int chosen = (scratch[t >>> 6] & (1L << t)) != 0 ? j : t;
      scratch[chosen >>> 6] |= 1L << chosen;
    }
    addScratch(1.0, withComplement);
  }

  private void addScratch(double weight, boolean withComplement) {
    add(scratch, weight);
    if (withComplement) {
      for (int w = 0; w < words; w++) {
        scratch[w] = ~scratch[w];
      }
      int tail = players & 63;
      if (tail != 0) {
        scratch[words - 1] &= (1L << tail) - 1;
      }
      add(scratch, weight);
    }
  }

  private void add(long[] z, double weight) {
    int mask = table.length - 1;
    int slot = hash(z, 0) & mask;
    while (table[slot] != 0) {
      int s = table[slot] - 1;
      if (Arrays.equals(bits, s * words, (s + 1) * words, z, 0, words)) {
        weights[s] += weight;
        return;
      }
      slot = (slot + 1) & mask;
    }
    if (size == weights.length) {
      grow();
      add(z, weight);
      return;
    }
    System.arraycopy(z, 0, bits, size * words, words);
    weights[size] = weight;
    table[slot] = ++size;
  }

  private void grow() {
    int capacity = weights.length * 2;
    bits = Arrays.copyOf(bits, capacity * words);
    weights = Arrays.copyOf(weights, capacity);
    table = new int[table.length * 2];
    int mask = table.length - 1;
    for (int s = 0; s < size; s++) {
      int slot = hash(bits, s * words) & mask;
      while (table[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      table[slot] = s + 1;
    }
  }

  private int hash(long[] z, int offset) {
    long h = 0x9E3779B97F4A7C15L;
    for (int w = 0; w < words; w++) {
      h = (h ^ z[offset + w]) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return (int) (h ^ (h >>> 32));
  }
}
