package io.trustlens.explore.tsne;

/**
 * The map's points renumbered in a quadtree's order, so that points near each other in the map are
 * near in memory: the attraction's reads of its neighbours' positions and the tree's walks then
 * stay in the caches. The input affinities are not touched: their rows are read through {@link
 * #original} and their columns through a renumbered copy.
 */
final class Renumbering {
  /** The original index of each position. */
  final int[] original;

  /** The affinities' columns as positions, entries in the affinities' own storage order. */
  final int[] column;

  private final Affinities p;

  /** The identity numbering of {@code p}'s points. */
  Renumbering(Affinities p) {
    this.p = p;
    this.original = new int[p.size()];
    for (int i = 0; i < original.length; i++) {
      original[i] = i;
    }
    this.column = p.column.clone();
  }

  /** Entries of the row at {@code position}: from {@code rowStart} (inclusive) ... */
  int rowStart(int position) {
    return p.rowStart[original[position]];
  }

  /** ... to {@code rowEnd} (exclusive). */
  int rowEnd(int position) {
    return p.rowStart[original[position] + 1];
  }

  /**
   * Moves position {@code order[k]} to position {@code k}, in every array of (x, y) pairs given and
   * in the numbering.
   */
  void reorder(int[] order, double[]... pairs) {
    int n = original.length;
    double[] moved = new double[2 * n];
    for (double[] a : pairs) {
      for (int k = 0; k < n; k++) {
        moved[2 * k] = a[2 * order[k]];
        moved[2 * k + 1] = a[2 * order[k] + 1];
      }
      System.arraycopy(moved, 0, a, 0, 2 * n);
    }
    int[] was = original.clone();
    int[] position = new int[n];
    for (int k = 0; k < n; k++) {
      original[k] = was[order[k]];
      position[original[k]] = k;
    }
    int[] source = p.column;
    for (int e = 0; e < source.length; e++) {
      column[e] = position[source[e]];
    }
  }

  /** The affinities' values, in their storage order. */
  float[] values() {
    return p.value;
  }

  /** Writes the pairs of {@code byPosition} to {@code byOriginal} in the original numbering. */
  void restore(double[] byPosition, double[] byOriginal) {
    for (int k = 0; k < original.length; k++) {
      byOriginal[2 * original[k]] = byPosition[2 * k];
      byOriginal[2 * original[k] + 1] = byPosition[2 * k + 1];
    }
  }
}
