package io.trustlens.explain.shap;

import java.io.Serializable;

/**
 * The rows that stand in for "feature absent": interventional values average the model over them
 * (Janzing et al. 2019, arXiv 1910.13413). Rows may carry weights (a k-means summary does).
 *
 * @param rows {@code size × features} values, row-major
 * @param weights one non-negative weight per row, summing to one
 * @param features values per row
 */
public record Background(double[] rows, double[] weights, int features) implements Serializable {

  /** Equally weighted rows. */
  public static Background of(double[] rows, int features) {
    int n = rows.length / features;
    if (n == 0 || rows.length % features != 0) {
      throw new IllegalArgumentException(
          "a background needs whole rows of " + features + " values; got " + rows.length);
    }
    double[] w = new double[n];
    java.util.Arrays.fill(w, 1.0 / n);
    return new Background(rows, w, features);
  }

  /** Weighted rows; the weights are normalised to sum to one. */
  public static Background weighted(double[] rows, double[] weights, int features) {
    double sum = 0;
    for (double w : weights) {
      if (w < 0 || Double.isNaN(w)) {
        throw new IllegalArgumentException("background weights must be non-negative: " + w);
      }
      sum += w;
    }
    double[] normal = new double[weights.length];
    for (int i = 0; i < weights.length; i++) {
      normal[i] = weights[i] / sum;
    }
    return new Background(rows, normal, features);
  }

  /** The number of rows. */
  public int size() {
    return weights.length;
  }

  /** The weighted mean row. */
  public double[] mean() {
    double[] mean = new double[features];
    for (int b = 0; b < size(); b++) {
      for (int j = 0; j < features; j++) {
        mean[j] += weights[b] * rows[b * features + j];
      }
    }
    return mean;
  }
}
