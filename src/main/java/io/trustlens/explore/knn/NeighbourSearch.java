package io.trustlens.explore.knn;

import java.io.Serializable;

/**
 * How a point's neighbours are found among the others: every point ({@code exact}) or the
 * candidates of a random projection forest ({@code approximate}).
 */
public final class NeighbourSearch implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Up to this many points {@code auto} searches exactly. */
  public static final int EXACT_LIMIT = 20_000;

  /** Trees in the default forest. */
  public static final int DEFAULT_TREES = 16;

  /** How many of a query's neighbours lend it their own in a refinement round. */
  static final int EXPAND = 12;

  /** Most rounds of a vector query's walk on the graph after the forest. */
  static final int ROUNDS = 10;

  private final ProjectionForest forest;
  private final int[] previous;
  private final int previousK;

  private NeighbourSearch(ProjectionForest forest, int[] previous, int previousK) {
    this.forest = forest;
    this.previous = previous;
    this.previousK = previousK;
  }

  /** Compares every pair: {@code n²} distances. */
  public static NeighbourSearch exact() {
    return new NeighbourSearch(null, null, 0);
  }

  /** Searches the leaves of {@code trees} random projection trees of at most {@code leafSize}. */
  public static NeighbourSearch approximate(
      Points points, int trees, int leafSize, long seed, int threads) {
    return new NeighbourSearch(
        ProjectionForest.build(points, trees, leafSize, seed, threads), null, 0);
  }

  /**
   * One round of neighbour descent (Dong, Moses and Li 2011) after this search: a query considers
   * its neighbours in {@code graph} (what the forest found) and the neighbours of its nearest
   * {@value #EXPAND}, which mends most of what the forest missed.
   */
  public NeighbourSearch refinedBy(NeighbourGraph graph) {
    return refinedBy(graph, graph.k());
  }

  /** As {@link #refinedBy(NeighbourGraph)} with only the nearest {@code most} of each row's. */
  public NeighbourSearch refinedBy(NeighbourGraph graph, int most) {
    if (forest == null) {
      return this;
    }
    int n = graph.size();
    int k = Math.min(most, graph.k());
    int[] edges = new int[n * k];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        edges[i * k + j] = graph.neighbour(i, j);
      }
    }
    return new NeighbourSearch(forest, edges, k);
  }

  /** The default leaf size for {@code k} neighbours. */
  public static int defaultLeafSize(int k) {
    return Math.max(128, 3 * k);
  }

  public boolean isExact() {
    return forest == null;
  }

  /** A searcher for one thread (it holds scratch space). */
  public Searcher searcher(Points points, int k) {
    return new Searcher(points, k);
  }

  /** Finds neighbours one query at a time. */
  public final class Searcher {
    private final Points points;
    private final Neighbours best;
    private final int[] seen;
    private final int[] expanded;
    private int stamp;

    private Searcher(Points points, int k) {
      this.points = points;
      this.best = new Neighbours(k);
      this.seen = forest == null ? null : new int[points.size()];
      this.expanded = forest == null ? null : new int[points.size()];
    }

    private void offer(int query, int j) {
      if (seen[j] != stamp) {
        seen[j] = stamp;
        best.offer(j, points.distanceSquared(query, j));
      }
    }

    /**
     * The neighbours among the points of a vector {@code query} from elsewhere, nearest first: the
     * forest's candidates, then (after {@link #refinedBy}) a walk on the graph: the neighbours of
     * those kept so far join, until none joins or {@value NeighbourSearch#ROUNDS} rounds pass.
     */
    public void find(float[] query, int[] index, double[] distanceSquared) {
      best.clear();
      if (forest == null) {
        for (int j = 0; j < points.size(); j++) {
          best.offer(j, points.distanceSquared(j, query));
        }
      } else {
        ++stamp;
        forest.search(points, query, best, seen, stamp);
        // A greedy walk on the graph: every point kept lends its neighbours, and again for those
        // that joined, until none joins or ROUNDS pass. Asked for more than it needs, a searcher
        // walks a wider beam.
        for (int round = 0; previous != null && round < ROUNDS; round++) {
          best.sorted(index, distanceSquared);
          boolean walked = false;
          for (int a = 0, m = best.size(); a < m; a++) {
            int j = index[a];
            if (expanded[j] == stamp) {
              continue;
            }
            expanded[j] = stamp;
            walked = true;
            for (int b = 0; b < previousK; b++) {
              int c = previous[j * previousK + b];
              if (c >= 0 && seen[c] != stamp) {
                seen[c] = stamp;
                best.offer(c, points.distanceSquared(c, query));
              }
            }
          }
          if (!walked) {
            break;
          }
        }
      }
      java.util.Arrays.fill(index, -1);
      java.util.Arrays.fill(distanceSquared, Double.POSITIVE_INFINITY);
      best.sorted(index, distanceSquared);
    }

    /** The neighbours of point {@code query} (itself excluded), nearest first. */
    public void find(int query, int[] index, double[] distanceSquared) {
      best.clear();
      if (forest == null) {
        for (int j = 0; j < points.size(); j++) {
          if (j != query) {
            best.offer(j, points.distanceSquared(query, j));
          }
        }
      } else {
        ++stamp;
        if (previous == null) {
          forest.search(points, query, best, seen, stamp);
        } else {
          seen[query] = stamp;
          for (int a = 0; a < previousK; a++) {
            int j = previous[query * previousK + a];
            if (j < 0) {
              continue;
            }
            offer(query, j);
            if (a >= EXPAND) {
              continue;
            }
            for (int b = 0; b < previousK; b++) {
              int m = previous[j * previousK + b];
              if (m >= 0) {
                offer(query, m);
              }
            }
          }
        }
      }
      java.util.Arrays.fill(index, -1);
      java.util.Arrays.fill(distanceSquared, Double.POSITIVE_INFINITY);
      best.sorted(index, distanceSquared);
    }
  }
}
