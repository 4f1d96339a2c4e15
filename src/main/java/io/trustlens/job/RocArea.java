package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;

/**
 * The area under the ROC curve, computed in whole numbers, so it is the same bits whatever the
 * partitioning and the order in which Spark's tasks finish (MLlib's {@code
 * BinaryClassificationMetrics} adds each partition's trapezoids in floating point and merges them
 * as tasks finish, so its last digits changed between two runs of one table in two partitions).
 *
 * <p>With the distinct scores in decreasing order, each holding {@code pos} positives and {@code
 * neg} negatives, and {@code above} the positives of higher scores, the area (tied scores making
 * one diagonal step, as MLlib and scikit-learn draw them) is {@code Σ neg · (above + pos / 2) / (P
 * · N)}: twice the sum is a whole number, added exactly in any order, and divided once. It equals
 * the Mann-Whitney probability that a positive scores above a negative, ties counting one half.
 */
final class RocArea {
  /**
   * Rows at most whose scores are counted on the driver (8 bytes each): one job, no shuffle. The
   * sort's shuffle cost a small table ~0.8 s in a young JVM (its planning and code generation).
   */
  static final long ON_THE_DRIVER = 1 << 18;

  private RocArea() {}

  /**
   * The area for {@code scores} (a double column) against {@code labels} (1 for a positive, any
   * other value a negative) of {@code table}, of about {@code rows} rows; NaN when either class has
   * no row.
   */
  static double of(Dataset<Row> table, Column scores, Column labels, long rows) {
    return rows <= ON_THE_DRIVER
        ? onTheDriver(table, scores, labels)
        : ofSortedScores(table, scores, labels);
  }

  /**
   * The area from the distinct scores in a sorted table: counted per score in a shuffle, then
   * summed along the sort.
   */
  static double ofSortedScores(Dataset<Row> table, Column scores, Column labels) {
    Dataset<Row> byScore =
        table
            .select(scores.as("score"), labels.as("label"))
            .groupBy("score")
            .agg(
                sum(when(col("label").equalTo(1), 1L).otherwise(0L)).as("pos"),
                count(lit(1)).as("rows"))
            .orderBy(col("score").desc());
    JavaRDD<long[]> counts =
        byScore.javaRDD().map(r -> new long[] {r.getLong(1), r.getLong(2) - r.getLong(1)});
    counts.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    try {
      List<long[]> parts = counts.mapPartitions(RocArea::totals).collect();
      long[] before = new long[parts.size()];
      long positives = 0;
      long negatives = 0;
      for (int i = 0; i < parts.size(); i++) {
        before[i] = positives;
        positives = Math.addExact(positives, parts.get(i)[0]);
        negatives = Math.addExact(negatives, parts.get(i)[1]);
      }
      if (positives == 0 || negatives == 0) {
        return Double.NaN;
      }
      long twiceArea =
          counts
              .mapPartitionsWithIndex(
                  (index, rows) -> List.of(twiceArea(rows, before[index])).iterator(), true)
              .reduce(Math::addExact);
      return twiceArea / (2.0 * positives * negatives);
    } finally {
      counts.unpersist(false);
    }
  }

  /** A partition's positives and negatives. */
  private static Iterator<long[]> totals(Iterator<long[]> rows) {
    long[] t = new long[2];
    while (rows.hasNext()) {
      long[] r = rows.next();
      t[0] += r[0];
      t[1] += r[1];
    }
    return List.of(t).iterator();
  }

  /**
   * Twice the area's numerator over {@code rows} ({positives, negatives} of each distinct score,
   * highest first), with {@code above} positives scoring higher than the first.
   */
  static long twiceArea(Iterator<long[]> rows, long above) {
    long twice = 0;
    while (rows.hasNext()) {
      long[] r = rows.next();
      long pos = r[0];
      long neg = r[1];
      twice =
          Math.addExact(
              twice, Math.multiplyExact(neg, Math.addExact(Math.multiplyExact(2, above), pos)));
      above += pos;
    }
    return twice;
  }

  /**
   * The area from every row's score on the driver: twice the sum over negatives of the positives
   * scoring higher, twice, and those tied, once. Scores are grouped as Spark groups them ({@code
   * -0.0} with {@code 0.0}, NaN above every number) and null scores below all, so the whole number
   * is the one the sorted table gives.
   */
  static double onTheDriver(Dataset<Row> table, Column scores, Column labels) {
    return area(
        table
            .select(scores.cast(DataTypes.DoubleType), labels.cast(DataTypes.DoubleType))
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitions(RocArea::scoresByClass)
            .collect());
  }

  /**
   * The area from partitions' scores by class ({@link Scores#part()}), in any order: the whole
   * number counted is the same.
   */
  static double area(List<double[][]> parts) {
    double[][] byClass = new double[2][];
    long[] nulls = new long[2];
    for (int c = 0; c < 2; c++) {
      int n = 0;
      for (double[][] p : parts) {
        n += p[c].length - 1;
        nulls[c] += (long) p[c][0];
      }
      byClass[c] = new double[n];
      int at = 0;
      for (double[][] p : parts) {
        System.arraycopy(p[c], 1, byClass[c], at, p[c].length - 1);
        at += p[c].length - 1;
      }
    }
    double[] positives = byClass[1];
    Arrays.sort(positives);
    long p = positives.length + nulls[1];
    long n = byClass[0].length + nulls[0];
    if (p == 0 || n == 0) {
      return Double.NaN;
    }
    long twice = Math.multiplyExact(nulls[0], 2L * positives.length + nulls[1]);
    for (double t : byClass[0]) {
      int below = bound(positives, t, false);
      int notAbove = bound(positives, t, true);
      twice = Math.addExact(twice, 2L * (positives.length - notAbove) + (notAbove - below));
    }
    return twice / (2.0 * p * n);
  }

  /** A partition's scores (a double, or null) and classes (label 1 or not). */
  private static Iterator<double[][]> scoresByClass(Iterator<InternalRow> rows) {
    Scores scores = new Scores();
    while (rows.hasNext()) {
      InternalRow r = rows.next();
      boolean positive = !r.isNullAt(1) && r.getDouble(1) == 1;
      if (r.isNullAt(0)) {
        scores.addNull(positive);
      } else {
        scores.add(r.getDouble(0), positive);
      }
    }
    return java.util.Collections.singletonList(scores.part()).iterator();
  }

  /**
   * One partition's scores by class, gathered row by row for {@link #area}: negatives then
   * positives, each array led by its count of null scores; {@code -0.0} kept as {@code 0.0}.
   */
  static final class Scores implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final double[][] scores = {new double[65], new double[65]};
    private final int[] size = {1, 1};

    /** Adds a row's score. */
    void add(double score, boolean positive) {
      int c = positive ? 1 : 0;
      if (size[c] == scores[c].length) {
        scores[c] = Arrays.copyOf(scores[c], 2 * size[c]);
      }
      scores[c][size[c]++] = score == 0 ? 0.0 : score;
    }

    /** Adds a row whose score is null. */
    void addNull(boolean positive) {
      scores[positive ? 1 : 0][0]++;
    }

    /** Adds another partition's scores (the area does not depend on their order). */
    void add(Scores other) {
      for (int c = 0; c < 2; c++) {
        scores[c][0] += other.scores[c][0];
        for (int i = 1; i < other.size[c]; i++) {
          add(other.scores[c][i], c == 1);
        }
      }
    }

    /** The scores so far, as {@link #area} takes a partition's. */
    double[][] part() {
      return new double[][] {Arrays.copyOf(scores[0], size[0]), Arrays.copyOf(scores[1], size[1])};
    }
  }

  /**
   * In {@code sorted} (ascending as {@link Arrays#sort(double[])} orders doubles), the number of
   * values below {@code t}, or not above it when {@code orEqual}.
   */
  private static int bound(double[] sorted, double t, boolean orEqual) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int c = Double.compare(sorted[mid], t);
      if (c < 0 || (orEqual && c == 0)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
