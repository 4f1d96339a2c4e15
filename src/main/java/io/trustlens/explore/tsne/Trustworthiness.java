package io.trustlens.explore.tsne;

import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How well a map keeps neighbourhoods (Venna and Kaski 2001): {@code 1 - 2 / (n k (2n - 3k - 1))
 * Σ_i Σ_{j ∈ U_k(i)} (r(i, j) - k)}, where {@code U_k(i)} are the map's k nearest neighbours of i
 * that are not among its k nearest in the input and {@code r} is the rank in the input. 1 is
 * perfect. Computed over the rows given (a sample), in O(n² log n).
 */
public final class Trustworthiness {
  private Trustworthiness() {}

  /** The trustworthiness of map {@code low} (n × 2) for input {@code high} (n × d). */
  public static double of(double[][] high, double[][] low, int k) {
    int n = high.length;
    if (n < 3 * k + 2) {
      throw new IllegalArgumentException("trustworthiness needs more than 3k+1 rows");
    }
    double penalty = 0;
    for (int i = 0; i < n; i++) {
      int[] inputOrder = ranked(high, i);
      int[] rank = new int[n];
      for (int r = 0; r < inputOrder.length; r++) {
        rank[inputOrder[r]] = r + 1;
      }
      int[] mapOrder = ranked(low, i);
      for (int r = 0; r < k; r++) {
        int j = mapOrder[r];
        if (rank[j] > k) {
          penalty += rank[j] - k;
        }
      }
    }
    return 1 - 2.0 / (n * (double) k * (2 * n - 3 * k - 1)) * penalty;
  }

  /** The other rows by distance from row {@code i}, nearest first (ties by index). */
  private static int[] ranked(double[][] x, int i) {
    int n = x.length;
    double[] d = new double[n];
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int c = 0; c < x[i].length; c++) {
        double t = x[i][c] - x[j][c];
        s += t * t;
      }
      d[j] = s;
    }
    return IntStream.range(0, n)
        .filter(j -> j != i)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer j) -> d[j]).thenComparing(j -> j))
        .mapToInt(Integer::intValue)
        .toArray();
  }
}
