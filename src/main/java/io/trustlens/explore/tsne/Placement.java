package io.trustlens.explore.tsne;

import io.trustlens.explore.knn.NeighbourGraph;
import io.trustlens.explore.knn.NeighbourSearch;
import io.trustlens.explore.knn.Points;
import java.io.Serializable;

/**
 * t-SNE for more rows than the driver maps: a seeded sample of rows is mapped, and every other row
 * is placed at the weighted median (each coordinate) of its {@value #NEIGHBOURS} nearest mapped
 * rows' positions, the weights Gaussian affinities calibrated to perplexity {@value #PERPLEXITY}
 * (after openTSNE's placement of new points, Poličar et al. 2019). The median keeps a row whose
 * neighbours straddle two clusters inside one of them rather than in the gap between. The search is
 * the mapped rows' random projection forest, mended with their own neighbour graph. The rows to map
 * are chosen by a hash of (seed, row index), so the choice does not depend on the partitioning.
 */
final class Placement implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Nearest mapped rows a row is placed among. */
  static final int NEIGHBOURS = 15;

  /** The perplexity of the placement weights. */
  static final double PERPLEXITY = 5;

  private final Points mapped;
  private final double[] map;
  private final NeighbourSearch search;

  /**
   * Places among {@code mapped} (their positions {@code map}), searching with {@code forest} mended
   * by {@code graph}, the mapped rows' own neighbours.
   */
  Placement(Points mapped, double[] map, NeighbourSearch forest, NeighbourGraph graph) {
    this.mapped = mapped;
    this.map = map;
    this.search = forest.refinedBy(graph, NEIGHBOURS);
  }

  /** Whether the row with {@code index} is among the mapped, for a share {@code fraction}. */
  static boolean chosen(long index, long seed, double fraction) {
    long h = (index + 1) * 0x9E3779B97F4A7C15L ^ seed * 0xBF58476D1CE4E5B9L;
    h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
    h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
    h ^= h >>> 31;
    return (h >>> 11) * 0x1.0p-53 < fraction;
  }

  /** The indices of the mapped rows among {@code rows}, ascending. */
  static long[] chosenRows(long rows, long seed, double fraction) {
    java.util.stream.LongStream.Builder out = java.util.stream.LongStream.builder();
    for (long i = 0; i < rows; i++) {
      if (chosen(i, seed, fraction)) {
        out.add(i);
      }
    }
    return out.build().toArray();
  }

  /** The mapped rows' positions, {@code (x, y)} pairs. */
  double[] map() {
    return map;
  }

  /** A placer for one thread (it holds scratch space). */
  Placer placer() {
    return new Placer();
  }

  /** Places one row at a time. */
  final class Placer {
    private final NeighbourSearch.Searcher searcher = search.searcher(mapped, NEIGHBOURS);
    private final int[] index = new int[NEIGHBOURS];
    private final double[] distance = new double[NEIGHBOURS];
    private final float[] weight = new float[NEIGHBOURS];
    private final double[] coordinate = new double[NEIGHBOURS];
    private final double[] share = new double[NEIGHBOURS];
    private final int[] order = new int[NEIGHBOURS];

    /** Writes the position of a row whose (reduced) features are {@code x} to {@code out}. */
    void place(float[] x, double[] out) {
      searcher.find(x, index, distance);
      Perplexity.conditional(distance, PERPLEXITY, weight);
      out[0] = median(0);
      out[1] = median(1);
    }

    /** The weighted median of the neighbours' coordinate {@code axis}. */
    private double median(int axis) {
      int m = 0;
      for (int j = 0; j < NEIGHBOURS; j++) {
        if (index[j] >= 0) {
          coordinate[m] = map[2 * index[j] + axis];
          order[m] = m;
          share[m++] = weight[j];
        }
      }
      // Insertion sort of m ≤ 15 coordinates, ties by neighbour rank: the same order every time.
      for (int a = 1; a < m; a++) {
        int t = order[a];
        int b = a - 1;
        while (b >= 0 && coordinate[order[b]] > coordinate[t]) {
          order[b + 1] = order[b];
          b--;
        }
        order[b + 1] = t;
      }
      double total = 0;
      for (int a = 0; a < m; a++) {
        total += share[a];
      }
      double below = 0;
      for (int a = 0; a < m; a++) {
        below += share[order[a]];
        if (below >= total / 2) {
          return coordinate[order[a]];
        }
      }
      return coordinate[order[m - 1]];
    }
  }
}
