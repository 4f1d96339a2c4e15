package io.trustlens.explain.shap;

/**
 * Exact interventional Shapley values over all 2^M coalitions of up to 16 players (Shapley 1953;
 * the interventional game of Janzing et al. 2019, arXiv 1910.13413).
 *
 * <p>Invariant: additivity holds to rounding, because every coalition's value is computed.
 */
public final class ExactShapley implements RowExplainer {
  private final InterventionalGame game;
  private final boolean[][] coalitions;

  /**
   * Exact values for {@code game}.
   *
   * @throws IllegalArgumentException above {@link ShapleyValues#MAX_PLAYERS} players
   */
  public ExactShapley(InterventionalGame game) {
    int m = game.players();
    if (m > ShapleyValues.MAX_PLAYERS) {
      throw new IllegalArgumentException(
          m
              + " players is more than exact Shapley values allow ("
              + ShapleyValues.MAX_PLAYERS
              + "); use method kernel or permutation");
    }
    this.game = game;
    this.coalitions = new boolean[1 << m][];
    for (int s = 0; s < coalitions.length; s++) {
      coalitions[s] = InterventionalGame.fromMask(s, m);
    }
  }

  @Override
  public ShapleyResult[] explain(double[] x, long key) {
    int m = game.players();
    int w = game.width();
    double[] values = game.values(x, coalitions);
    ShapleyResult[] results = new ShapleyResult[w];
    double[] v = new double[coalitions.length];
    for (int k = 0; k < w; k++) {
      for (int s = 0; s < v.length; s++) {
        v[s] = values[s * w + k];
      }
      results[k] = new ShapleyResult(ShapleyValues.of(v, m), v[0], v[v.length - 1]);
    }
    return results;
  }

  @Override
  public long evaluations() {
    return game.evaluations();
  }
}
