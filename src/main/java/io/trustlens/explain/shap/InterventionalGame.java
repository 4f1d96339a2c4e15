package io.trustlens.explain.shap;

import io.trustlens.feature.FeatureGroup;
import io.trustlens.model.BatchModel;
import java.util.List;

/**
 * The masker and the model together: the value of a coalition S for row x is the weighted mean,
 * over background rows b, of the model's outputs on x with the players outside S taken from b. All
 * inputs of a row's coalitions are built into large matrices and scored in few model calls, never
 * as one Spark row per perturbation. The input matrix is kept between calls (a few MB that would
 * otherwise be a fresh large allocation per row), so use one instance per thread.
 */
public final class InterventionalGame {
  /** Model rows per scoring call: large enough to amortise the call, small enough for memory. */
  static final int ROWS_PER_CALL = 16384;

  private final BatchModel model;
  private final Background background;
  private final int[][] players;
  private final int features;
  private final int width;
  private long evaluations;
  private double[] inputs = new double[0];

  /**
   * A game over {@code groups} (each group one player) for {@code model} and {@code background}.
   */
  public InterventionalGame(BatchModel model, Background background, List<FeatureGroup> groups) {
    this.model = model;
    this.background = background;
    this.players = groups.stream().map(FeatureGroup::slots).toArray(int[][]::new);
    this.features = background.features();
    this.width = model.info().outputSize();
    if (features != model.info().inputSize()) {
      throw new IllegalArgumentException(
          "the background has "
              + features
              + " features; the model reads "
              + model.info().inputSize());
    }
  }

  /** The number of players. */
  public int players() {
    return players.length;
  }

  /** Outputs per coalition value. */
  public int width() {
    return width;
  }

  /** Model evaluations (rows scored) so far. */
  public long evaluations() {
    return evaluations;
  }

  /**
   * The values of {@code coalitions} for row {@code x}: {@code result[c * width + k]} is output k
   * of coalition c.
   */
  public double[] values(double[] x, boolean[][] coalitions) {
    int nb = background.size();
    double[] result = new double[coalitions.length * width];
    int perCall = Math.max(1, ROWS_PER_CALL / nb);
    int size = Math.min(perCall, coalitions.length) * nb * features;
    if (inputs.length < size) {
      inputs = new double[size];
    }
    for (int start = 0; start < coalitions.length; start += perCall) {
      int count = Math.min(perCall, coalitions.length - start);
      for (int c = 0; c < count; c++) {
        fill(x, coalitions[start + c], inputs, c * nb * features);
      }
      int rows = count * nb;
      double[] out = model.outputs(inputs, rows);
      evaluations += rows;
      for (int c = 0; c < count; c++) {
        for (int b = 0; b < nb; b++) {
          double w = background.weights()[b];
          int o = (c * nb + b) * width;
          for (int k = 0; k < width; k++) {
            result[(start + c) * width + k] += w * out[o + k];
          }
        }
      }
    }
    return result;
  }

  /** Writes the background rows with the coalition's players set to x's values. */
  private void fill(double[] x, boolean[] coalition, double[] dest, int offset) {
    int nb = background.size();
    System.arraycopy(background.rows(), 0, dest, offset, nb * features);
    for (int p = 0; p < players.length; p++) {
      if (coalition[p]) {
        for (int slot : players[p]) {
          double value = x[slot];
          for (int b = 0; b < nb; b++) {
            dest[offset + b * features + slot] = value;
          }
        }
      }
    }
  }

  /** The coalition of bit mask {@code mask} over {@code m} players. */
  static boolean[] fromMask(long mask, int m) {
    boolean[] c = new boolean[m];
    for (int i = 0; i < m; i++) {
      c[i] = (mask & (1L << i)) != 0;
    }
    return c;
  }
}
