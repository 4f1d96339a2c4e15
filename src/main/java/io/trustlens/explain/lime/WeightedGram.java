package io.trustlens.explain.lime;

/**
 * The weighted, centred sums a weighted least-squares fit of real values needs (LIME's surrogate,
 * Ribeiro et al. 2016, arXiv 1602.04938): for {@code m} players' values {@code x} (column-major,
 * {@code n} samples a column), outputs {@code y} and weights {@code w},
 *
 * <ul>
 *   <li>the weighted means {@code xbar_j = sum_i w_i x_ij / W};
 *   <li>the upper triangle {@code j <= k} of {@code G_jk = sum_i w_i (x_ij - xbar_j)(x_ik -
 *       xbar_k)};
 *   <li>{@code c_j = sum_i w_i (x_ij - xbar_j)(y_i - ybar)}.
 * </ul>
 *
 * <p>Invariant: every sum is taken in four lanes, lane {@code l} adding the terms of samples {@code
 * i = l, l + 4, l + 8, ...} in order up to the last multiple of four, the lanes added as {@code (l0
 * + l1) + (l2 + l3)}, then the last {@code n mod 4} samples' terms in order; a term is {@code w_i
 * x_ij} for a mean and {@code (w_i (x_ij - xbar_j)) (x_ik - xbar_k)} for a product. Both ways of
 * computing them keep it, so they give the same bits: with the JDK's vector instructions ({@code
 * jdk.incubator.vector}, which Spark's own JVM options add, on a CPU with 256-bit vectors, where
 * the optimising compiler runs) four samples a step, and in plain Java otherwise.
 */
final class WeightedGram {
  private WeightedGram() {}

  /**
   * The sums: the weighted means, the Gram matrix's upper triangle (0 below the diagonal) and
   * {@code Xᵀy}.
   */
  record Sums(double[] mean, double[][] gram, double[] xty) {
    /** Zeros for {@code m} players. */
    static Sums zeros(int m) {
      return new Sums(new double[m], new double[m][m], new double[m]);
    }
  }

  /**
   * The sums of {@code n} samples of {@code m} players, given the total weight and {@code yMean}.
   */
  static Sums compute(
      double[] x, double[] y, double[] w, int n, int m, double total, double yMean) {
    return Lanes.VECTORS
        ? WeightedGramLanes.compute(x, y, w, n, m, total, yMean)
        : inPlainJava(x, y, w, n, m, total, yMean);
  }

  /** {@link #compute} without vector instructions (the same bits). */
  static Sums inPlainJava(
      double[] x, double[] y, double[] w, int n, int m, double total, double yMean) {
    Sums sums = Sums.zeros(m);
    double[] mean = sums.mean();
    double[][] gram = sums.gram();
    double[] xty = sums.xty();
    int steps = n & ~3;
    means(x, w, n, m, total, mean);
    double[] u = new double[n];
    for (int j = 0; j < m; j++) {
      int at = j * n;
      for (int i = 0; i < n; i++) {
        u[i] = w[i] * (x[at + i] - mean[j]);
      }
      for (int k = j; k <= m; k++) { // column m: y
        double[] v = k < m ? x : y;
        int vAt = k < m ? k * n : 0;
        double vMean = k < m ? mean[k] : yMean;
        double l0 = 0;
        double l1 = 0;
        double l2 = 0;
        double l3 = 0;
        for (int i = 0; i < steps; i += 4) {
          l0 += u[i] * (v[vAt + i] - vMean);
          l1 += u[i + 1] * (v[vAt + i + 1] - vMean);
          l2 += u[i + 2] * (v[vAt + i + 2] - vMean);
          l3 += u[i + 3] * (v[vAt + i + 3] - vMean);
        }
        double sum = (l0 + l1) + (l2 + l3);
        for (int i = steps; i < n; i++) {
          sum += u[i] * (v[vAt + i] - vMean);
        }
        if (k < m) {
          gram[j][k] = sum;
        } else {
          xty[j] = sum;
        }
      }
    }
    return sums;
  }

  /** The weighted means {@code mean[j] = sum_i w_i x_ij / total}, each sum in four lanes. */
  private static void means(double[] x, double[] w, int n, int m, double total, double[] mean) {
    int steps = n & ~3;
    for (int j = 0; j < m; j++) {
      int at = j * n;
      double l0 = 0;
      double l1 = 0;
      double l2 = 0;
      double l3 = 0;
      for (int i = 0; i < steps; i += 4) {
        l0 += w[i] * x[at + i];
        l1 += w[i + 1] * x[at + i + 1];
        l2 += w[i + 2] * x[at + i + 2];
        l3 += w[i + 3] * x[at + i + 3];
      }
      double sum = (l0 + l1) + (l2 + l3);
      for (int i = steps; i < n; i++) {
        sum += w[i] * x[at + i];
      }
      mean[j] = sum / total;
    }
  }
}
