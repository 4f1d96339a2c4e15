package io.trustlens.explore;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.Columns;
import io.trustlens.feature.InternalRows;
import io.trustlens.feature.RowKeys;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A canonical order of a table's rows, the same whatever the partitioning: by the id column, or by
 * a hash of every column when there is none (rows equal in every column are interchangeable). The
 * maps number rows in this order and draw their samples from it, so their results do not depend on
 * where rows sit.
 */
public final class RowOrder {
  /** The column {@link #indexed} adds: the row's place in the canonical order, from 0. */
  public static final String INDEX = "_index";

  private RowOrder() {}

  private static Column wholeRow(Dataset<Row> table) {
    return xxhash64(RowKeys.content(table.schema()).toArray(new Column[0]));
  }

  private static Column key(Dataset<Row> table, String idCol) {
    return idCol == null || idCol.isEmpty() ? wholeRow(table) : ColumnNames.col(idCol);
  }

  /** The table in canonical order with {@value #INDEX} (0 .. n-1) appended. */
  public static Dataset<Row> indexed(Dataset<Row> table, String idCol) {
    StructType schema = table.schema();
    Dataset<Row> sorted =
        table
            .withColumn("_order_key", key(table, idCol))
            .withColumn("_order_tie", wholeRow(table))
            .orderBy("_order_key", "_order_tie")
            .drop("_order_key", "_order_tie");
    JavaRDD<Row> rows = sorted.javaRDD().zipWithIndex().map(t -> Columns.appended(t._1(), t._2()));
    return table.sparkSession().createDataFrame(rows, schema.add(INDEX, DataTypes.LongType, false));
  }

  /**
   * The {@code size} rows whose seeded hashes of their keys are smallest (all rows when fewer), in
   * that hash order.
   */
  public static Dataset<Row> sample(Dataset<Row> table, String idCol, int size, long seed) {
    return table
        .withColumn("_sample_hash", sampleHash(table, idCol, seed))
        .withColumn("_sample_tie", wholeRow(table))
        .orderBy("_sample_hash", "_sample_tie")
        .limit(size)
        .drop("_sample_hash", "_sample_tie");
  }

  /**
   * The rows of {@link #sample} as {@code columns} (external values, as {@code collectAsList} gives
   * them), in the sample's order: the smallest pairs of the two hashes, taken from the internal
   * rows by comparing two longs, without the sort's ordering that Spark generates and compiles code
   * for whatever the plan mode (a small run's only compile left in the demo audit).
   */
  public static List<Row> sampleRows(
      Dataset<Row> table, String idCol, int size, long seed, List<String> columns) {
    List<Column> selected = new ArrayList<>();
    selected.add(sampleHash(table, idCol, seed));
    selected.add(wholeRow(table));
    for (String c : columns) {
      selected.add(ColumnNames.col(c));
    }
    Dataset<Row> keyed = table.select(selected.toArray(new Column[0]));
    List<InternalRow> smallest =
        keyed
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .map(InternalRow::copy)
            .takeOrdered(size, BY_HASHES);
    return InternalRows.external(smallest, keyed.schema(), 2);
  }

  /**
   * The two keys of {@link #sample}'s order over {@code table}: a row's seeded hash of its key,
   * then the hash of the whole row; {@link #BY_SAMPLE_KEYS} orders rows that hold them first.
   */
  public static List<Column> sampleKeys(Dataset<Row> table, String idCol, long seed) {
    return List.of(sampleHash(table, idCol, seed), wholeRow(table));
  }

  /** Rows holding {@link #sampleKeys} as their first two fields, in {@link #sample}'s order. */
  public static Comparator<InternalRow> bySampleKeys() {
    return BY_HASHES;
  }

  /** A row's seeded hash of its key: a sample takes the rows whose hashes are smallest. */
  private static Column sampleHash(Dataset<Row> table, String idCol, long seed) {
    return xxhash64(lit(seed), key(table, idCol));
  }

  /** Ascending by the first long, then the second: {@code orderBy} on two non-null longs. */
  private static final Comparator<InternalRow> BY_HASHES =
      (Comparator<InternalRow> & Serializable)
          (a, b) -> {
            int byHash = Long.compare(a.getLong(0), b.getLong(0));
            return byHash != 0 ? byHash : Long.compare(a.getLong(1), b.getLong(1));
          };
}
