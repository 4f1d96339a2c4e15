package io.trustlens.data;

import java.io.Serializable;

/**
 * Counts of finite values over equal-width bins spanning {@code [min, max]}: bin {@code i} holds
 * {@code [edges[i], edges[i+1])}, the last bin also its right edge. A column with one value has one
 * bin.
 *
 * @param edges {@code bins + 1} increasing edges
 * @param counts values per bin
 */
public record Histogram(double[] edges, long[] counts) implements Serializable {

  /** Empty equal-width bins over {@code [min, max]}. */
  public static Histogram empty(double min, double max, int bins) {
    int n = max > min ? bins : 1;
    double[] edges = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      edges[i] = i == n ? max : min + (max - min) * i / n;
    }
    return new Histogram(edges, new long[n]);
  }

  /** The bin of a finite value in {@code [min, max]}. */
  public int bin(double v) {
    int n = counts.length;
    double min = edges[0];
    double max = edges[n];
    if (n == 1 || v <= min) {
      return 0;
    }
    return (int) Math.min(n - 1, Math.floor((v - min) / (max - min) * n));
  }
}
