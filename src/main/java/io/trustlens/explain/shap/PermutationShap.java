package io.trustlens.explain.shap;

import java.util.SplittableRandom;

/**
 * Shapley values estimated from random orders of the players, each order followed by its reverse
 * (antithetic sampling, as in shap's PermutationExplainer; Mitchell et al. 2022, arXiv 2104.12199).
 * A player's value is its mean marginal contribution where it joins.
 *
 * <p>Invariant: additivity is exact for every order (the contributions telescope), so it holds for
 * the mean whatever the number of samples.
 */
public final class PermutationShap implements RowExplainer {
  private final InterventionalGame game;
  private final int orders;
  private final long seed;

  /**
   * Estimates from {@code samples} orders (rounded up to an even number: pairs of an order and its
   * reverse).
   */
  public PermutationShap(InterventionalGame game, int samples, long seed) {
    if (samples < 1) {
      throw new IllegalArgumentException("samples must be at least 1, not " + samples);
    }
    this.game = game;
    this.orders = samples + (samples % 2);
    this.seed = seed;
  }

  /** The default: 32 orders (16 antithetic pairs). */
  public static int defaultSamples() {
    return 32;
  }

  @Override
  public ShapleyResult[] explain(double[] x, long key) {
    int m = game.players();
    int w = game.width();
    SplittableRandom random = RowSeeds.random(seed, key);
    int[][] order = new int[orders][];
    boolean[][] chain = new boolean[orders * (m + 1)][];
    for (int o = 0; o < orders; o += 2) {
      order[o] = shuffled(m, random);
      order[o + 1] = new int[m];
      for (int i = 0; i < m; i++) {
        order[o + 1][i] = order[o][m - 1 - i];
      }
    }
    for (int o = 0; o < orders; o++) {
      boolean[] present = new boolean[m];
      chain[o * (m + 1)] = present.clone();
      for (int i = 0; i < m; i++) {
        present[order[o][i]] = true;
        chain[o * (m + 1) + i + 1] = present.clone();
      }
    }
    double[] v = game.values(x, chain);
    ShapleyResult[] results = new ShapleyResult[w];
    for (int k = 0; k < w; k++) {
      double[] phi = new double[m];
      for (int o = 0; o < orders; o++) {
        int base = o * (m + 1);
        for (int i = 0; i < m; i++) {
          phi[order[o][i]] += (v[(base + i + 1) * w + k] - v[(base + i) * w + k]) / orders;
        }
      }
      results[k] = new ShapleyResult(phi, v[k], v[m * w + k]);
    }
    return results;
  }

  private static int[] shuffled(int m, SplittableRandom random) {
    int[] p = new int[m];
    for (int i = 0; i < m; i++) {
      p[i] = i;
    }
    for (int i = m - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  @Override
  public long evaluations() {
    return game.evaluations();
  }
}
