package io.trustlens.explore.knn;

import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * A forest of random projection trees over a set of points (Dasgupta and Freund 2008; the index of
 * Annoy). Each node splits its points by the hyperplane halfway between two of them, at the median
 * projection, until a leaf holds at most {@code leafSize}. A query's candidates are the points of
 * its leaf in every tree. Trees are built in parallel, each from its own seed, so the forest is the
 * same for any number of threads.
 */
public final class ProjectionForest implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Tree[] trees;

  private ProjectionForest(Tree[] trees) {
    this.trees = trees;
  }

  /** Builds {@code count} trees over {@code points}. */
  public static ProjectionForest build(
      Points points, int count, int leafSize, long seed, int threads) {
    Tree[] trees = new Tree[count];
    ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
    try {
      pool.submit(
              () ->
                  IntStream.range(0, count)
                      .parallel()
                      .forEach(
                          t ->
                              trees[t] =
                                  Tree.build(
                                      points,
                                      leafSize,
                                      new SplittableRandom(seed * 1_000_003L + t))))
          .get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdown();
    }
    return new ProjectionForest(trees);
  }

  public int trees() {
    return trees.length;
  }

  /**
   * Offers {@code query}'s candidates (the points sharing its leaf in each tree, once each, not the
   * query itself) to {@code out}; {@code seen} is scratch of one int per point, {@code stamp} a
   * value not used before in it.
   */
  public void search(Points points, int query, Neighbours out, int[] seen, int stamp) {
    seen[query] = stamp;
    for (Tree tree : trees) {
      int node = 0;
      while (tree.left[node] >= 0) {
        double side = points.dot(query, tree.normal[node]) - tree.offset[node];
        node = side <= 0 ? tree.left[node] : tree.right[node];
      }
      for (int p = tree.start[node]; p < tree.end[node]; p++) {
        int j = tree.order[p];
        if (seen[j] != stamp) {
          seen[j] = stamp;
          out.offer(j, points.distanceSquared(query, j));
        }
      }
    }
  }

  /** As {@link #search(Points, int, Neighbours, int[], int)} for a vector not among the points. */
  public void search(Points points, float[] query, Neighbours out, int[] seen, int stamp) {
    for (Tree tree : trees) {
      int node = 0;
      while (tree.left[node] >= 0) {
        double side = Points.dot(query, tree.normal[node]) - tree.offset[node];
        node = side <= 0 ? tree.left[node] : tree.right[node];
      }
      for (int p = tree.start[node]; p < tree.end[node]; p++) {
        int j = tree.order[p];
        if (seen[j] != stamp) {
          seen[j] = stamp;
          out.offer(j, points.distanceSquared(j, query));
        }
      }
    }
  }

  /** One tree: nodes in arrays; a leaf has {@code left = -1} and a range of {@code order}. */
  private static final class Tree implements Serializable {
    private static final long serialVersionUID = 1L;

    int[] left = new int[64];
    int[] right = new int[64];
    int[] start = new int[64];
    int[] end = new int[64];
    float[][] normal = new float[64][];
    double[] offset = new double[64];
    int[] order;
    int nodes;

    static Tree build(Points points, int leafSize, SplittableRandom random) {
      Tree t = new Tree();
      int n = points.size();
      t.order = IntStream.range(0, n).toArray();
      t.split(points, 0, n, leafSize, random, new double[n], 0);
      t.trim();
      return t;
    }

    private int split(
        Points points,
        int lo,
        int hi,
        int leafSize,
        SplittableRandom random,
        double[] scratch,
        int depth) {
      int node = add();
      start[node] = lo;
      end[node] = hi;
      left[node] = -1;
      right[node] = -1;
      int size = hi - lo;
      if (size <= leafSize || depth > 60) {
        return node;
      }
      int a = order[lo + random.nextInt(size)];
      int b = order[lo + random.nextInt(size)];
      int d = points.dimensions();
      float[] w = new float[d];
      double c = 0;
      for (int j = 0; j < d; j++) {
        w[j] = points.get(a, j) - points.get(b, j);
        c += w[j] * 0.5 * ((double) points.get(a, j) + points.get(b, j));
      }
      for (int p = lo; p < hi; p++) {
        scratch[p] = points.dot(order[p], w) - c;
      }
      double[] sorted = Arrays.copyOfRange(scratch, lo, hi);
      Arrays.sort(sorted);
      int half = size / 2;
      double median = sorted[half];
      if (sorted[0] == sorted[size - 1]) {
        return node; // every point projects alike (duplicates): keep them in one leaf
      }
      // Points below the median go left, above it right; ties fill the left up to half.
      int[] tmp = new int[size];
      int l = 0;
      int r = size - 1;
      int ties = 0;
      for (int p = lo; p < hi; p++) {
        if (scratch[p] < median) {
          tmp[l++] = order[p];
        } else if (scratch[p] > median) {
          tmp[r--] = order[p];
        } else {
          ties++;
        }
      }
      int tiesLeft = Math.max(0, Math.min(ties, half - l));
      for (int p = lo; p < hi; p++) {
        if (scratch[p] == median) {
          if (tiesLeft > 0) {
            tmp[l++] = order[p];
            tiesLeft--;
          } else {
            tmp[r--] = order[p];
          }
        }
      }
      System.arraycopy(tmp, 0, order, lo, size);
      int mid = lo + l;
      if (mid == lo || mid == hi) {
        return node;
      }
      normal[node] = w;
      offset[node] = median + c;
      int leftChild = split(points, lo, mid, leafSize, random, scratch, depth + 1);
      int rightChild = split(points, mid, hi, leafSize, random, scratch, depth + 1);
      left[node] = leftChild;
      right[node] = rightChild;
      return node;
    }

    private int add() {
      if (nodes == left.length) {
        int m = nodes * 2;
        left = Arrays.copyOf(left, m);
        right = Arrays.copyOf(right, m);
        start = Arrays.copyOf(start, m);
        end = Arrays.copyOf(end, m);
        normal = Arrays.copyOf(normal, m);
        offset = Arrays.copyOf(offset, m);
      }
      return nodes++;
    }

    private void trim() {
      left = Arrays.copyOf(left, nodes);
      right = Arrays.copyOf(right, nodes);
      start = Arrays.copyOf(start, nodes);
      end = Arrays.copyOf(end, nodes);
      normal = Arrays.copyOf(normal, nodes);
      offset = Arrays.copyOf(offset, nodes);
    }
  }
}
