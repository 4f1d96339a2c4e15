package io.trustlens.explore.knn;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The {@code k} nearest neighbours of every point, found on the executors: the points (and the
 * forest, for the approximate search) are broadcast once, and each task answers the queries of a
 * block of point indices. Every query is answered alone, so the graph does not depend on how the
 * blocks fall. A {@link RowValues} step may turn each row's distances into other values there too
 * (t-SNE's affinities).
 */
public final class NeighbourGraph implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int BLOCK = 2048;

  private final int n;
  private final int k;
  private final int[] index;
  private final float[] values;

  private NeighbourGraph(int n, int k, int[] index, float[] values) {
    this.n = n;
    this.k = k;
    this.index = index;
    this.values = values;
  }

  /** Turns one row's neighbour squared distances (nearest first) into the values kept. */
  public interface RowValues extends Serializable {
    void apply(double[] distanceSquared, float[] out);
  }

  /** Keeps each row's distances. */
  public static RowValues distances() {
    return (d2, out) -> {
      for (int j = 0; j < d2.length; j++) {
        out[j] = (float) Math.sqrt(d2[j]);
      }
    };
  }

  /** Finds the graph with Spark; {@code values} turns each row's distances into its values. */
  public static NeighbourGraph build(
      JavaSparkContext spark, Points points, NeighbourSearch search, int k, RowValues values) {
    int n = points.size();
    if (k >= n) {
      throw new IllegalArgumentException(
          k + " neighbours asked of " + n + " points; at most " + (n - 1) + " exist");
    }
    Broadcast<Points> shared = spark.broadcast(points);
    Broadcast<NeighbourSearch> how = spark.broadcast(search);
    List<Integer> starts = new ArrayList<>();
    for (int s = 0; s < n; s += BLOCK) {
      starts.add(s);
    }
    int[] index = new int[n * k];
    float[] out = new float[n * k];
    // Waves of blocks, each a job whose tasks run at once and whose results fit the driver
    // easily (toLocalIterator would run one task at a time).
    int wave = Math.max(1, 16 * spark.defaultParallelism());
    for (int w = 0; w < starts.size(); w += wave) {
      List<Integer> some = starts.subList(w, Math.min(starts.size(), w + wave));
      List<Block> blocks =
          spark
              .parallelize(new ArrayList<>(some), some.size())
              .map(s -> Block.of(shared.value(), how.value(), s, Math.min(n, s + BLOCK), k, values))
              .collect();
      for (Block b : blocks) {
        System.arraycopy(b.index, 0, index, b.start * k, b.index.length);
        System.arraycopy(b.values, 0, out, b.start * k, b.values.length);
      }
    }
    shared.destroy();
    how.destroy();
    return new NeighbourGraph(n, k, index, out);
  }

  /** Finds the graph in this JVM, on one thread (for tests and small data). */
  public static NeighbourGraph local(
      Points points, NeighbourSearch search, int k, RowValues values) {
    Block b = Block.of(points, search, 0, points.size(), k, values);
    return new NeighbourGraph(points.size(), k, b.index, b.values);
  }

  public int size() {
    return n;
  }

  public int k() {
    return k;
  }

  /** The {@code j}-th nearest neighbour of point {@code i}. */
  public int neighbour(int i, int j) {
    return index[i * k + j];
  }

  /** The value kept for the {@code j}-th neighbour of point {@code i}. */
  public float value(int i, int j) {
    return values[i * k + j];
  }

  /** The answers for points {@code start ..< end}. */
  private record Block(int start, int[] index, float[] values) implements Serializable {
    static Block of(
        Points points, NeighbourSearch search, int start, int end, int k, RowValues values) {
      NeighbourSearch.Searcher searcher = search.searcher(points, k);
      int[] index = new int[(end - start) * k];
      float[] out = new float[(end - start) * k];
      int[] row = new int[k];
      double[] d2 = new double[k];
      float[] v = new float[k];
      for (int i = start; i < end; i++) {
        searcher.find(i, row, d2);
        values.apply(d2, v);
        System.arraycopy(row, 0, index, (i - start) * k, k);
        System.arraycopy(v, 0, out, (i - start) * k, k);
      }
      return new Block(start, index, out);
    }
  }
}
