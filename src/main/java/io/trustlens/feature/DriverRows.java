package io.trustlens.feature;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.types.StructType;

/**
 * Tables whose rows the driver holds (a small file read on the driver): a pass over such a table,
 * as it was made, can fold those rows on the driver rather than run a Spark job that reads them
 * back (in a young JVM, 0.1-0.3 s for a job over a few thousand rows).
 *
 * <p>Invariant: {@link #of} gives the rows of the table's one partition, in order, as Spark would
 * read them; any table planned from it (filtered, projected, joined) is not such a table.
 */
public final class DriverRows {
  /** The rows behind each table made here, by its RDD (weakly: a table dropped is forgotten). */
  private static final Map<RDD<?>, List<InternalRow>> HELD =
      Collections.synchronizedMap(new WeakHashMap<>());

  private DriverRows() {}

  /** {@code rows} of {@code schema} as a table of {@code spark} in one partition. */
  public static Dataset<Row> table(SparkSession spark, List<InternalRow> rows, StructType schema) {
    RDD<InternalRow> rdd =
        org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(rows, 1)
            .rdd();
    HELD.put(rdd, rows);
    return ((org.apache.spark.sql.classic.SparkSession) spark)
        .internalCreateDataFrame(rdd, schema, false);
  }

  /**
   * The rows of {@code table} (views of copies, as a pass over it sees them), when it is a table
   * {@link #table} made, as made; else null.
   */
  public static Iterator<Row> of(Dataset<?> table) {
    LogicalPlan plan = table.queryExecution().logical();
    if (!(plan instanceof LogicalRDD made)) {
      return null;
    }
    List<InternalRow> rows = HELD.get(made.rdd());
    return rows == null ? null : InternalRows.views(table.schema(), rows.iterator());
  }
}
