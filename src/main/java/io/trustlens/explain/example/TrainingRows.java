package io.trustlens.explain.example;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.trustlens.explore.IndexedPoints;
import io.trustlens.explore.RowOrder;
import io.trustlens.explore.knn.NeighbourGraph;
import io.trustlens.explore.knn.NeighbourSearch;
import io.trustlens.explore.knn.Points;
import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.RowKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A training table gathered on the driver in canonical order (by id, so the same whatever the
 * partitioning): each row's point in the compared space, id, label, and whether it is held out
 * (chosen by a hash of seed and id).
 */
record TrainingRows(Points points, Object[] ids, Object[] labels, boolean[] heldOut) {
  private static final String HELD_OUT = "_held_out";

  /** Whether a row is held out: a share {@code fraction} of rows, by a hash of seed and id. */
  static Column heldOut(String id, long seed, String salt, double fraction) {
    return RowKeys.uniform(List.of(ColumnNames.col(id)), lit(seed), lit(salt)).lt(lit(fraction));
  }

  /** Gathers {@code table}'s rows; {@code held} (may be null: none) marks the held-out ones. */
  static TrainingRows gather(
      Dataset<Row> table,
      FeatureSpace space,
      String id,
      String label,
      boolean numericLabel,
      Column held) {
    boolean numericId = ExampleParams.numericId(table.schema(), id);
    Dataset<Row> indexed =
        RowOrder.indexed(table.withColumn(HELD_OUT, held == null ? lit(false) : held), id).cache();
    try {
      Points points = IndexedPoints.collect(indexed, space, id, null);
      int n = points.size();
      Object[] ids = new Object[n];
      Object[] labels = new Object[n];
      boolean[] out = new boolean[n];
      for (Row r :
          indexed
              .select(
                  col(RowOrder.INDEX), ColumnNames.col(id), ColumnNames.col(label), col(HELD_OUT))
              .collectAsList()) {
        int i = (int) r.getLong(0);
        if (r.isNullAt(1)) {
          throw new InvalidFeatureException("a training row has a null id in '" + id + "'");
        }
        if (r.isNullAt(2)) {
          throw new InvalidFeatureException(
              "training row " + id + "=" + r.get(1) + " has no label in '" + label + "'");
        }
        ids[i] = ExampleParams.id(r.get(1), numericId);
        labels[i] = ExampleParams.label(r.get(2), numericLabel);
        out[i] = r.getBoolean(3);
      }
      return new TrainingRows(points, ids, labels, out);
    } finally {
      indexed.unpersist();
    }
  }

  /**
   * Each value's population standard deviation over every row (1 where it is 0), the divisor that
   * {@link #standardized} applies.
   */
  double[] deviations() {
    int n = points.size();
    int d = points.dimensions();
    double[] mean = means();
    double[] sd = new double[d];
    for (int j = 0; j < d; j++) {
      double ss = 0;
      for (int i = 0; i < n; i++) {
        double e = points.get(i, j) - mean[j];
        ss += e * e;
      }
      double v = Math.sqrt(ss / n);
      sd[j] = v > 0 ? v : 1;
    }
    return sd;
  }

  /** Each value's mean over every row. */
  double[] means() {
    int n = points.size();
    int d = points.dimensions();
    double[] mean = new double[d];
    for (int j = 0; j < d; j++) {
      for (int i = 0; i < n; i++) {
        mean[j] += points.get(i, j);
      }
      mean[j] /= n;
    }
    return mean;
  }

  /** These rows as z-scores: each value less its mean, divided by its deviation. */
  TrainingRows standardized(double[] means, double[] divisors) {
    int n = points.size();
    int d = points.dimensions();
    float[] v = new float[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        v[i * d + j] = (float) ((points.get(i, j) - means[j]) / divisors[j]);
      }
    }
    return new TrainingRows(new Points(v, d), ids, labels, heldOut);
  }

  /**
   * Divides each value of {@code row} by its divisor, in place (none when empty): a query as {@link
   * #standardized} with zero means treats the indexed rows, to the same bits.
   */
  static void scale(float[] row, double[] divisors) {
    for (int j = 0; j < divisors.length; j++) {
      row[j] = (float) (row[j] / divisors[j]);
    }
  }

  /** The distinct labels in their natural order (numbers by value, text by its characters). */
  Object[] classes() {
    Map<Object, Boolean> distinct = new TreeMap<>();
    for (Object l : labels) {
      distinct.put(l, true);
    }
    return distinct.keySet().toArray();
  }

  /** The rows kept ({@code heldOut == false}) or held out: their places in this table. */
  int[] rows(boolean held) {
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < heldOut.length; i++) {
      if (heldOut[i] == held) {
        kept.add(i);
      }
    }
    return kept.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The points of rows {@code rows}, in that order. */
  Points points(int[] rows) {
    int d = points.dimensions();
    float[] v = new float[rows.length * d];
    for (int a = 0; a < rows.length; a++) {
      for (int j = 0; j < d; j++) {
        v[a * d + j] = points.get(rows[a], j);
      }
    }
    return new Points(v, d);
  }

  /** Picks {@code values[rows[a]]} for each {@code a}. */
  static Object[] pick(Object[] values, int[] rows) {
    Object[] out = new Object[rows.length];
    for (int a = 0; a < rows.length; a++) {
      out[a] = values[rows[a]];
    }
    return out;
  }

  /**
   * How {@code points} are searched for {@code k} neighbours: every point ({@code exact}), or a
   * projection forest whose candidates a walk on the points' own neighbour graph ({@link
   * ExampleIndex#graphDegree} neighbours each, the forest's refined by one round of neighbour
   * descent, as {@code explore knn} finds it) extends ({@code approximate}); {@code auto} is exact
   * up to {@value NeighbourSearch#EXACT_LIMIT} points.
   */
  static NeighbourSearch search(
      JavaSparkContext spark, Points points, String how, int k, int trees, long seed) {
    boolean exact =
        how.equals("exact")
            || (how.equals("auto") && points.size() <= NeighbourSearch.EXACT_LIMIT)
            || points.size() <= NeighbourSearch.defaultLeafSize(k);
    if (exact) {
      return NeighbourSearch.exact();
    }
    int degree = Math.min(points.size() - 1, ExampleIndex.graphDegree(k));
    NeighbourSearch forest =
        NeighbourSearch.approximate(
            points,
            trees,
            NeighbourSearch.defaultLeafSize(degree),
            seed,
            Runtime.getRuntime().availableProcessors());
    NeighbourGraph first =
        NeighbourGraph.build(spark, points, forest, degree, NeighbourGraph.distances());
    NeighbourGraph graph =
        NeighbourGraph.build(
            spark, points, forest.refinedBy(first), degree, NeighbourGraph.distances());
    return forest.refinedBy(graph);
  }
}
