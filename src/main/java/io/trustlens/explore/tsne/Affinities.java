package io.trustlens.explore.tsne;

import io.trustlens.explore.knn.NeighbourGraph;

/**
 * t-SNE's joint input affinities {@code P_ij = (p(j|i) + p(i|j)) / 2n}, sparse and symmetric, in
 * compressed rows (each row's columns ascending). Built from a graph whose values are the
 * conditional {@code p(j|i)}.
 */
public final class Affinities {
  final int n;
  final int[] rowStart;
  final int[] column;
  final float[] value;

  private Affinities(int n, int[] rowStart, int[] column, float[] value) {
    this.n = n;
    this.rowStart = rowStart;
    this.column = column;
    this.value = value;
  }

  /** Symmetrises the conditional affinities of {@code graph}. */
  public static Affinities symmetric(NeighbourGraph graph) {
    int n = graph.size();
    int k = graph.k();
    // Incoming edges, by target, sources ascending (a counting sort).
    int[] inStart = new int[n + 1];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        int t = graph.neighbour(i, j);
        if (t >= 0) {
          inStart[t + 1]++;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      inStart[i + 1] += inStart[i];
    }
    int[] inSource = new int[inStart[n]];
    float[] inValue = new float[inStart[n]];
    int[] fill = java.util.Arrays.copyOf(inStart, n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        int t = graph.neighbour(i, j);
        if (t >= 0) {
          inSource[fill[t]] = i;
          inValue[fill[t]++] = graph.value(i, j);
        }
      }
    }
    // Row i is the union of its outgoing (sorted here) and incoming edges.
    int[] rowStart = new int[n + 1];
    int[] outCol = new int[k];
    float[] outVal = new float[k];
    int[] column = new int[n * k + inStart[n]];
    float[] value = new float[column.length];
    int nnz = 0;
    double scale = 1.0 / (2.0 * n);
    for (int i = 0; i < n; i++) {
      int m = 0;
      for (int j = 0; j < k; j++) {
        int t = graph.neighbour(i, j);
        if (t >= 0) {
          outCol[m] = t;
          outVal[m++] = graph.value(i, j);
        }
      }
      sortByColumn(outCol, outVal, m);
      int a = 0;
      int b = inStart[i];
      int bEnd = inStart[i + 1];
      while (a < m || b < bEnd) {
        int ca = a < m ? outCol[a] : Integer.MAX_VALUE;
        int cb = b < bEnd ? inSource[b] : Integer.MAX_VALUE;
        double v;
        int c;
        if (ca == cb) {
          c = ca;
          v = outVal[a++] + (double) inValue[b++];
        } else if (ca < cb) {
          c = ca;
          v = outVal[a++];
        } else {
          c = cb;
          v = inValue[b++];
        }
        column[nnz] = c;
        value[nnz++] = (float) (v * scale);
      }
      rowStart[i + 1] = nnz;
    }
    return new Affinities(
        n, rowStart, java.util.Arrays.copyOf(column, nnz), java.util.Arrays.copyOf(value, nnz));
  }

  public int size() {
    return n;
  }

  /** Stored non-zeros. */
  public int nonZeros() {
    return rowStart[n];
  }

  private static void sortByColumn(int[] col, float[] val, int m) {
    long[] packed = new long[m];
    for (int i = 0; i < m; i++) {
      packed[i] = ((long) col[i] << 32) | (Float.floatToRawIntBits(val[i]) & 0xffffffffL);
    }
    java.util.Arrays.sort(packed);
    for (int i = 0; i < m; i++) {
      col[i] = (int) (packed[i] >>> 32);
      val[i] = Float.intBitsToFloat((int) packed[i]);
    }
  }
}
