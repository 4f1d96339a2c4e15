package io.trustlens.explore.pca;

import io.trustlens.explore.Eigen;

/**
 * The covariance of standardised features {@code z = (x - shift) / std}: summed whole ({@code d ×
 * d}) or applied to a block of vectors in one pass ({@code Zᵀ (Z Q) / (n - 1)}), with exact sums.
 */
final class Covariance {
  private Covariance() {}

  /** The full covariance matrix, row-major. */
  static double[] of(Pass.Source source, double[] shift, double[] std, long n) {
    int d = source.features().size();
    ExactSums triangle =
        source.run(
            () -> new ExactSums(d * (d + 1) / 2),
            (acc, x) -> {
              double[] z = standardise(x, shift, std);
              double[] hi = acc.hi;
              double[] lo = acc.lo;
              int t = 0;
              for (int i = 0; i < d; i++) {
                double zi = z[i];
                for (int j = i; j < d; j++, t++) {
                  double v = zi * z[j];
                  double a = hi[t];
                  double s = a + v;
                  double bv = s - a;
                  lo[t] += (a - (s - bv)) + (v - bv);
                  hi[t] = s;
                }
              }
            },
            ExactSums::merge);
    double[] c = new double[d * d];
    int t = 0;
    for (int i = 0; i < d; i++) {
      for (int j = i; j < d; j++, t++) {
        double v = triangle.value(t) / (n - 1);
        c[i * d + j] = v;
        c[j * d + i] = v;
      }
    }
    return c;
  }

  /** The covariance as an operator: each product is one distributed pass. */
  static Eigen.Operator operator(Pass.Source source, double[] shift, double[] std, long n) {
    int d = source.features().size();
    return (q, l) -> {
      ExactSums product =
          source.run(
              () -> new ExactSums(d * l),
              (acc, x) -> {
                double[] z = standardise(x, shift, std);
                double[] y = new double[l];
                for (int i = 0; i < d; i++) {
                  double zi = z[i];
                  int o = i * l;
                  for (int c = 0; c < l; c++) {
                    y[c] += zi * q[o + c];
                  }
                }
                double[] hi = acc.hi;
                double[] lo = acc.lo;
                for (int i = 0; i < d; i++) {
                  double zi = z[i];
                  int o = i * l;
                  for (int c = 0; c < l; c++) {
                    int t = o + c;
                    double v = zi * y[c];
                    double a = hi[t];
                    double s = a + v;
                    double bv = s - a;
                    lo[t] += (a - (s - bv)) + (v - bv);
                    hi[t] = s;
                  }
                }
              },
              ExactSums::merge);
      double[] out = new double[d * l];
      for (int t = 0; t < out.length; t++) {
        out[t] = product.value(t) / (n - 1);
      }
      return out;
    };
  }

  static double[] standardise(double[] x, double[] shift, double[] std) {
    double[] z = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      z[i] = (x[i] - shift[i]) / std[i];
    }
    return z;
  }
}
