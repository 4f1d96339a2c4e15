package io.trustlens.explain.shap;

import io.trustlens.feature.RowSeeds;
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

  /**
   * What a row holds for {@code players} players and {@code samples} orders (rounded up to even):
   * the chain of coalitions, {@code orders·(M-1)} of {@code M} booleans each.
   */
  public static double bytesPerRow(int players, int samples) {
    double m = players;
    return (samples + samples % 2) * (m - 1) * m + 2 * m;
  }

  @Override
  public ShapleyResult[] explain(double[] x, long key) {
    int m = game.players();
    int w = game.width();
    SplittableRandom random = RowSeeds.random(seed, key);
    int[][] order = new int[orders][];
    for (int o = 0; o < orders; o += 2) {
      order[o] = shuffled(m, random);
      order[o + 1] = new int[m];
      for (int i = 0; i < m; i++) {
        order[o + 1][i] = order[o][m - 1 - i];
      }
    }
    // The empty and the full coalition open and close every order: each is scored once.
    boolean[][] chain = new boolean[2 + orders * (m - 1)][];
    chain[0] = new boolean[m];
    chain[1] = new boolean[m];
    java.util.Arrays.fill(chain[1], true);
    for (int o = 0; o < orders; o++) {
      boolean[] present = new boolean[m];
      for (int i = 0; i < m - 1; i++) {
        present[order[o][i]] = true;
        chain[2 + o * (m - 1) + i] = present.clone();
      }
    }
    double[] v = game.values(x, chain);
    ShapleyResult[] results = new ShapleyResult[w];
    for (int k = 0; k < w; k++) {
      double[] phi = new double[m];
      for (int o = 0; o < orders; o++) {
        double before = v[k];
        for (int i = 0; i < m; i++) {
          double after = i == m - 1 ? v[w + k] : v[(2 + o * (m - 1) + i) * w + k];
          phi[order[o][i]] += (after - before) / orders;
          before = after;
        }
      }
      results[k] = new ShapleyResult(phi, v[k], v[w + k]);
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
