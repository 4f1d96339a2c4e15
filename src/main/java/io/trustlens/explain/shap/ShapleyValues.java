package io.trustlens.explain.shap;

/**
 * Shapley values of a cooperative game given by its value on every coalition (Shapley 1953).
 *
 * <p>Invariants: (1) coalition {@code S} is the bit mask of its players (player {@code i} is bit
 * {@code i}); (2) efficiency: the values sum to {@code v(all) - v(empty)} up to rounding.
 */
public final class ShapleyValues {
  /** The most players an exact computation takes (2^16 coalitions). */
  public static final int MAX_PLAYERS = 16;

  private ShapleyValues() {}

  /**
   * The Shapley values of {@code players} players from {@code v}, the game's value on each of the
   * {@code 2^players} coalitions: {@code phi_i = sum over S without i of |S|! (M-|S|-1)! / M! *
   * (v(S + i) - v(S))}.
   */
  public static double[] of(double[] v, int players) {
    if (players > MAX_PLAYERS) {
      throw new IllegalArgumentException(
          players + " players is more than exact Shapley values allow (" + MAX_PLAYERS + ")");
    }
    if (v.length != 1 << players) {
      throw new IllegalArgumentException(
          v.length + " coalition values given for " + players + " players; 2^M expected");
    }
    double[] weight = weights(players);
    double[] phi = new double[players];
    for (int s = 0; s < v.length; s++) {
      int size = Integer.bitCount(s);
      for (int i = 0; i < players; i++) {
        if ((s & (1 << i)) == 0) {
          phi[i] += weight[size] * (v[s | (1 << i)] - v[s]);
        }
      }
    }
    return phi;
  }

  /** {@code w[s] = s! (M-s-1)! / M! = 1 / (M * C(M-1, s))}, the weight of a coalition of size s. */
  static double[] weights(int players) {
    double[] w = new double[players];
    double binomial = 1; // C(M-1, s)
    for (int s = 0; s < players; s++) {
      w[s] = 1.0 / (players * binomial);
      binomial = binomial * (players - 1 - s) / (s + 1);
    }
    return w;
  }
}
