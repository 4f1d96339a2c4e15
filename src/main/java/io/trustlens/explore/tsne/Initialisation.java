package io.trustlens.explore.tsne;

import io.trustlens.explore.Eigen;
import io.trustlens.explore.knn.Points;

/**
 * t-SNE's starting map: the points' first two principal components, rescaled so the first has
 * standard deviation 1e-4 (openTSNE's default; Kobak and Linderman 2021 show it keeps global
 * structure that a random start loses).
 */
public final class Initialisation {
  private static final double STD = 1e-4;

  private Initialisation() {}

  /** The map as {@code (x, y)} pairs. */
  public static double[] pca(Points points) {
    int n = points.size();
    int d = points.dimensions();
    double[] mean = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        mean[j] += points.get(i, j);
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    double[] cov = new double[d * d];
    double[] z = new double[d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        z[j] = points.get(i, j) - mean[j];
      }
      for (int a = 0; a < d; a++) {
        double za = z[a];
        for (int b = a; b < d; b++) {
          cov[a * d + b] += za * z[b];
        }
      }
    }
    for (int a = 0; a < d; a++) {
      for (int b = 0; b < a; b++) {
        cov[a * d + b] = cov[b * d + a];
      }
    }
    int k = Math.min(2, d);
    Eigen.Pairs pairs = Eigen.full(cov, d, k);
    double[] y = new double[2 * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < k; c++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += (points.get(i, j) - mean[j]) * pairs.vector(j, c);
        }
        y[2 * i + c] = s;
      }
    }
    double sq = 0;
    for (int i = 0; i < n; i++) {
      sq += y[2 * i] * y[2 * i];
    }
    double std = Math.sqrt(sq / n);
    double scale = std > 0 ? STD / std : 1;
    for (int c = 0; c < 2 * n; c++) {
      y[c] *= scale;
    }
    return y;
  }
}
