package io.trustlens.explain.shap;

import io.trustlens.feature.FeatureGroup;
import io.trustlens.model.BatchModel;
import java.util.List;

/**
 * The masker and the model together: the value of a coalition S for row x is the weighted mean,
 * over background rows b, of the model's outputs on x with the players outside S taken from b. The
 * inputs of a row's coalitions are streamed through one buffer of the model's batch size and scored
 * a whole batch per call, never as one Spark row per perturbation. The buffer is kept between
 * calls, so use one instance per thread.
 */
public final class InterventionalGame {
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
   *
   * <p>The coalitions' input rows (each coalition's background rows, one after another) are written
   * into a buffer of the model's {@link BatchModel#batchRows()} rows, scored whenever it is full:
   * every call but the last is whole, and the buffer stays in cache while it is written, converted
   * and scored.
   */
  public double[] values(double[] x, boolean[][] coalitions) {
    int nb = background.size();
    int batch = model.batchRows();
    double[] result = new double[coalitions.length * width];
    if (inputs.length != batch * features) {
      inputs = new double[batch * features];
    }
    double[] bg = background.rows();
    int[] slots = new int[features];
    int filled = 0;
    long first = 0; // the index of the buffer's first row among all rows
    for (boolean[] coalition : coalitions) {
      int taken = slotsOf(coalition, slots);
      for (int b = 0; b < nb; b++) {
        int offset = filled * features;
        System.arraycopy(bg, b * features, inputs, offset, features);
        for (int t = 0; t < taken; t++) {
          inputs[offset + slots[t]] = x[slots[t]];
        }
        if (++filled == batch) {
          score(filled, first, result);
          first += filled;
          filled = 0;
        }
      }
    }
    if (filled > 0) {
      score(filled, first, result);
    }
    return result;
  }

  /** The feature slots of the coalition's players, into {@code slots}; returns how many. */
  private int slotsOf(boolean[] coalition, int[] slots) {
    int taken = 0;
    for (int p = 0; p < players.length; p++) {
      if (coalition[p]) {
        for (int slot : players[p]) {
          slots[taken++] = slot;
        }
      }
    }
    return taken;
  }

  /** Scores the buffer's rows and adds each, weighted, to its coalition's value. */
  private void score(int rows, long first, double[] result) {
    int nb = background.size();
    double[] weights = background.weights();
    double[] out = model.outputs(inputs, rows);
    evaluations += rows;
    for (int i = 0; i < rows; i++) {
      long row = first + i;
      int c = (int) (row / nb);
      double weight = weights[(int) (row % nb)];
      for (int k = 0; k < width; k++) {
        result[c * width + k] += weight * out[i * width + k];
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
