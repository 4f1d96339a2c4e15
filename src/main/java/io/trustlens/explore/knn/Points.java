package io.trustlens.explore.knn;

import java.io.Serializable;

/**
 * A set of {@code n} points of {@code d} dimensions, stored as floats in one row-major array (a
 * million points of 50 dimensions take 200 MB). Distances are summed in double.
 */
public final class Points implements Serializable {
  private static final long serialVersionUID = 1L;

  private final float[] values;
  private final int n;
  private final int d;

  public Points(float[] values, int d) {
    if (d <= 0 || values.length % d != 0) {
      throw new IllegalArgumentException(values.length + " values do not make rows of " + d);
    }
    this.values = values;
    this.d = d;
    this.n = values.length / d;
  }

  public int size() {
    return n;
  }

  public int dimensions() {
    return d;
  }

  /** Coordinate {@code j} of point {@code i}. */
  public float get(int i, int j) {
    return values[i * d + j];
  }

  /** The squared distance between points {@code a} and {@code b}. */
  public double distanceSquared(int a, int b) {
    return squared(values, a * d, values, b * d, d);
  }

  /** The squared distance between point {@code a} and a vector {@code q} of this dimension. */
  public double distanceSquared(int a, float[] q) {
    return squared(values, a * d, q, 0, d);
  }

  private static double squared(float[] u, int ou, float[] v, int ov, int d) {
    // Four running sums in a fixed order: faster, and the same bits every time.
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 3 < d; j += 4) {
      double t0 = u[ou + j] - v[ov + j];
      double t1 = u[ou + j + 1] - v[ov + j + 1];
      double t2 = u[ou + j + 2] - v[ov + j + 2];
      double t3 = u[ou + j + 3] - v[ov + j + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    for (; j < d; j++) {
      double t = u[ou + j] - v[ov + j];
      s0 += t * t;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code Σ_j w_j · q_j}. */
  static double dot(float[] q, float[] w) {
    double s = 0;
    for (int j = 0; j < q.length; j++) {
      s += q[j] * (double) w[j];
    }
    return s;
  }

  /** {@code Σ_j w_j · x_ij}: point {@code i} projected on {@code w}. */
  double dot(int i, float[] w) {
    int o = i * d;
    double s = 0;
    for (int j = 0; j < d; j++) {
      s += values[o + j] * (double) w[j];
    }
    return s;
  }
}
