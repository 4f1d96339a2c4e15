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
    int oa = a * d;
    int ob = b * d;
    double s = 0;
    for (int j = 0; j < d; j++) {
      double t = values[oa + j] - values[ob + j];
      s += t * t;
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
