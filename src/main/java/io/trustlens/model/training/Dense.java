package io.trustlens.model.training;

import java.util.SplittableRandom;

/**
 * The pieces of a small fully connected network shared by its fits and its scoring in the JVM: a
 * dense layer's forward pass, the standardisation of training rows, and minibatch order.
 */
public final class Dense {
  private Dense() {}

  /**
   * One layer: {@code out = in · W + b}, then ReLU when {@code relu}.
   *
   * @param w the {@code n × m} weights (input-major) followed by the {@code m} biases
   */
  public static double[] layer(double[] in, double[] w, int n, int m, boolean relu) {
    double[] out = new double[m];
    System.arraycopy(w, n * m, out, 0, m);
    for (int i = 0; i < n; i++) {
      double v = in[i];
      int row = i * m;
      for (int o = 0; o < m; o++) {
        out[o] += v * w[row + o];
      }
    }
    if (relu) {
      for (int o = 0; o < m; o++) {
        out[o] = Math.max(0, out[o]);
      }
    }
    return out;
  }

  /**
   * Writes each column's mean and population standard deviation (1 where a column is constant) of
   * {@code rows}, summed in row order.
   *
   * @throws IllegalArgumentException naming the row and column of a value that is not finite
   */
  public static void standardisation(double[][] rows, double[] means, double[] scales) {
    int d = means.length;
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < d; j++) {
        if (!Double.isFinite(rows[i][j])) {
          throw new IllegalArgumentException(
              "training row " + i + " has a non-finite value in column " + j);
        }
        means[j] += rows[i][j] / rows.length;
      }
    }
    for (double[] row : rows) {
      for (int j = 0; j < d; j++) {
        double e = row[j] - means[j];
        scales[j] += e * e / rows.length;
      }
    }
    for (int j = 0; j < d; j++) {
      scales[j] = scales[j] > 1e-24 ? Math.sqrt(scales[j]) : 1;
    }
  }

  /** Row indices in minibatch order: each epoch a Fisher-Yates shuffle from {@code random}. */
  public static final class Order {
    private final int[] order;
    private final SplittableRandom random;
    private int at;

    public Order(int rows, SplittableRandom random) {
      order = new int[rows];
      for (int i = 0; i < rows; i++) {
        order[i] = i;
      }
      this.random = random;
      at = rows;
    }

    /** The next row; a new epoch's shuffle when the last one is used up. */
    public int next() {
      if (at == order.length) {
        for (int i = order.length - 1; i > 0; i--) {
          int j = random.nextInt(i + 1);
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        at = 0;
      }
      return order[at++];
    }
  }

  /**
   * Fails a fit whose loss stopped being finite, naming the network, the step and the learning rate
   * to lower.
   *
   * @param step the step just taken, 0-based
   */
  public static void requireFinite(
      String network, double loss, int step, int steps, double learningRate) {
    if (!Double.isFinite(loss)) {
      throw new IllegalStateException(
          network
              + " diverged: the loss is "
              + loss
              + " at step "
              + (step + 1)
              + " of "
              + steps
              + "; lower the learning rate (now "
              + learningRate
              + ")");
    }
  }
}
