package io.trustlens.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import scala.Tuple2;

/**
 * One read of a table that sketches any number of its columns ({@link ColumnSketch}, of fixed size
 * whatever the rows): one {@code mapPartitions} over Spark's internal rows, then the partitions'
 * sketches merged in partition order, so the same partitioning gives the same bits. Beyond {@value
 * #FANOUT} partitions they merge in a fixed two-level tree ({@value #FANOUT} consecutive partitions
 * per group, the groups in order), so the driver receives at most one sketch set per group.
 *
 * <p>The quantile summaries' rank error grows with the number of numeric columns past {@value
 * #FULL_ACCURACY_COLUMNS}, so that a sketch set's size stays bounded whatever the table's width:
 * {@link #relativeError}.
 */
final class FirstPass implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Partitions merged by one task of the tree merge. */
  static final int FANOUT = 16;

  /** Numeric columns up to which quantiles keep the base rank error. */
  static final int FULL_ACCURACY_COLUMNS = 100;

  private final int[] ordinals;
  private final DataType[] types;
  private final double quantileError;
  private final double distinctError;

  private FirstPass(int[] ordinals, DataType[] types, double quantileError, double distinctError) {
    this.ordinals = ordinals;
    this.types = types;
    this.quantileError = quantileError;
    this.distinctError = distinctError;
  }

  /** The result: the table's rows and one sketch per column asked for, in that order. */
  record Sketches(long rows, ColumnSketch[] columns) implements Serializable {
    Sketches merge(Sketches other) {
      for (int i = 0; i < columns.length; i++) {
        columns[i].merge(other.columns[i]);
      }
      return new Sketches(rows + other.rows, columns);
    }
  }

  /**
   * The quantiles' rank error for {@code numericColumns} numeric columns: {@code base} up to
   * {@value #FULL_ACCURACY_COLUMNS} columns, then growing in proportion to the columns (a summary
   * holds about {@code 1/error} entries, so the sketches' total stays that of {@value
   * #FULL_ACCURACY_COLUMNS} columns), at most 1/100.
   */
  static double relativeError(double base, int numericColumns) {
    return Math.min(0.01, base * Math.max(1.0, numericColumns / (double) FULL_ACCURACY_COLUMNS));
  }

  /**
   * Sketches the columns at {@code ordinals} of {@code table}'s schema in one read of it.
   *
   * @param quantileError the base rank error of numeric columns' quantiles (0: none)
   * @param distinctError the distinct counts' relative standard error (0: none)
   */
  static Sketches of(
      Dataset<Row> table, int[] ordinals, double quantileError, double distinctError) {
    return of(table, ordinals, quantileError, distinctError, null);
  }

  /**
   * As above; with {@code driverRows} (the table's one partition, held on the driver) the read runs
   * on the driver, without a Spark job, and gives the same bits.
   */
  static Sketches of(
      Dataset<Row> table,
      int[] ordinals,
      double quantileError,
      double distinctError,
      List<InternalRow> driverRows) {
    StructField[] fields = table.schema().fields();
    DataType[] types = new DataType[ordinals.length];
    int numeric = 0;
    for (int i = 0; i < ordinals.length; i++) {
      types[i] = fields[ordinals[i]].dataType();
      numeric += TableProfile.kind(types[i]) == TableProfile.Kind.NUMERIC ? 1 : 0;
    }
    FirstPass plan =
        new FirstPass(
            ordinals.clone(),
            types,
            quantileError > 0 ? relativeError(quantileError, numeric) : 0,
            distinctError);
    if (driverRows != null) {
      return plan.empty().merge(plan.run(0, driverRows.iterator()).next()._2());
    }
    JavaRDD<InternalRow> rows = table.queryExecution().toRdd().toJavaRDD();
    int partitions = rows.getNumPartitions();
    JavaRDD<Tuple2<Integer, Sketches>> parts = rows.mapPartitionsWithIndex(plan::run, false);
    Sketches total = plan.empty();
    if (partitions <= FANOUT) {
      for (Tuple2<Integer, Sketches> p : sorted(parts.collect())) {
        total = total.merge(p._2());
      }
      return total;
    }
    int groups = (partitions + FANOUT - 1) / FANOUT;
    JavaPairRDD<Integer, Tuple2<Integer, Sketches>> keyed =
        parts.mapToPair(p -> new Tuple2<>(p._1() / FANOUT, p));
    List<Tuple2<Integer, Sketches>> merged =
        keyed
            .groupByKey(groups)
            .map(
                g -> {
                  List<Tuple2<Integer, Sketches>> members = new ArrayList<>();
                  g._2().forEach(members::add);
                  Sketches s = plan.empty();
                  for (Tuple2<Integer, Sketches> p : sorted(members)) {
                    s = s.merge(p._2());
                  }
                  return new Tuple2<>(g._1(), s);
                })
            .collect();
    for (Tuple2<Integer, Sketches> g : sorted(merged)) {
      total = total.merge(g._2());
    }
    return total;
  }

  private static List<Tuple2<Integer, Sketches>> sorted(List<Tuple2<Integer, Sketches>> parts) {
    List<Tuple2<Integer, Sketches>> s = new ArrayList<>(parts);
    s.sort(Comparator.comparing(Tuple2::_1));
    return s;
  }

  private Sketches empty() {
    ColumnSketch[] s = new ColumnSketch[types.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = new ColumnSketch(types[i], quantileError, distinctError);
    }
    return new Sketches(0, s);
  }

  private Iterator<Tuple2<Integer, Sketches>> run(Integer partition, Iterator<InternalRow> rows) {
    Sketches s = empty();
    long n = 0;
    while (rows.hasNext()) {
      InternalRow row = rows.next();
      n++;
      for (int i = 0; i < ordinals.length; i++) {
        s.columns()[i].add(row, ordinals[i]);
      }
    }
    for (ColumnSketch c : s.columns()) {
      c.seal();
    }
    return List.of(new Tuple2<>(partition, new Sketches(n, s.columns()))).iterator();
  }
}
