package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

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
  private RocArea() {}

  /**
   * The area for {@code scores} (a double column) against {@code labels} (1 for a positive, 0 for a
   * negative) of {@code table}; NaN when either class has no row.
   */
  static double of(Dataset<Row> table, Column scores, Column labels) {
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
}
