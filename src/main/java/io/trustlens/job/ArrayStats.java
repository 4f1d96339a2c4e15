package io.trustlens.job;

import static org.apache.spark.sql.functions.lit;

import io.trustlens.feature.ColumnNames;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataTypes;

/**
 * What a task's summary needs from the table it wrote, in one pass (one Spark job, each partition's
 * sums kept exactly and merged on the driver, {@link ExactSum}): the mean |value| at each position
 * of an array column, and the mean, extremes and largest |value| of some numeric columns. The
 * figures are the same bits however the table is partitioned (a method that deals its rows over the
 * cores writes as many parts as the machine has cores). Nulls are skipped, as SQL's {@code avg}
 * skips them; a NaN makes its mean NaN, as it does there.
 */
final class ArrayStats {
  /** Arrays of doubles (a cast by type, not by a string the SQL parser reads). */
  private static final org.apache.spark.sql.types.DataType DOUBLES =
      DataTypes.createArrayType(DataTypes.DoubleType);

  private final double[] sums;
  private final long[] counts;
  private final int size;
  private final double[] lowest;
  private final double[] highest;
  private List<Row> head = List.of();

  private ArrayStats(double[] sums, long[] counts, int size, double[] lowest, double[] highest) {
    this.sums = sums;
    this.counts = counts;
    this.size = size;
    this.lowest = lowest;
    this.highest = highest;
  }

  /**
   * Reads {@code array} (positions 0..size-1; none when null) and {@code scalars} of {@code table}.
   *
   * @throws IllegalArgumentException when a row's array is longer than {@code size}
   */
  static ArrayStats of(Dataset<Row> table, String array, int size, String... scalars) {
    return of(table, 0, array, size, scalars);
  }

  /**
   * As above; the pass also gathers the table's first {@code headRows} rows ({@link #head()}), as
   * {@code table.limit(headRows).collectAsList()} gives them.
   */
  static ArrayStats of(
      Dataset<Row> table, int headRows, String array, int size, String... scalars) {
    List<org.apache.spark.sql.Column> columns = columns(array, scalars);
    Dataset<Row> read = table.select(HeadRows.columns(table, headRows > 0, columns));
    // Spark's internal rows, read as they stream by: no row deserializer is compiled for them.
    return merge(
        TablePass.over(read, fold(headRows, size, scalars.length)),
        read.schema(),
        columns.size(),
        () -> table,
        headRows,
        size,
        scalars.length);
  }

  /**
   * The figures of {@code table}, as {@link #of} gives them, folded into the job that writes it:
   * write {@link Written#table()}, then read {@link Written#stats}. The pass always gathers the
   * first {@code headRows} rows (it reads every column anyway).
   */
  static Written whileWriting(
      Dataset<Row> table, int headRows, String array, int size, String... scalars) {
    int k = scalars.length;
    return new Written(
        TablePass.whileWriting(table, columns(array, scalars), fold(headRows, size, k)),
        headRows,
        size,
        k);
  }

  /**
   * As above, the table written being {@code written} (columns of {@code source} by name, {@link
   * TablePass#whileWriting(Dataset, List, TablePass.Fold, List)}); the figures are of {@code
   * source}'s columns, and the first rows gathered are {@code source}'s rows, every column.
   */
  static Written whileWriting(
      Dataset<Row> source,
      List<org.apache.spark.sql.Column> written,
      int headRows,
      String array,
      int size,
      String... scalars) {
    int k = scalars.length;
    return new Written(
        TablePass.whileWriting(source, columns(array, scalars), fold(headRows, size, k), written),
        headRows,
        size,
        k);
  }

  /** Figures folded into a write: the table to write, then (once written) its figures. */
  static final class Written {
    private final TablePass.Writing<scala.Tuple2<Partial, HeadRows>> pass;
    private final int headRows;
    private final int size;
    private final int k;

    private Written(
        TablePass.Writing<scala.Tuple2<Partial, HeadRows>> pass, int headRows, int size, int k) {
      this.pass = pass;
      this.headRows = headRows;
      this.size = size;
      this.k = k;
    }

    /** The rows to write. */
    Dataset<Row> table() {
      return pass.table();
    }

    /**
     * The figures of the rows written; {@code written} reads them back, asked for only when the
     * first partitions held too few of the first rows.
     */
    ArrayStats stats(java.util.function.Supplier<Dataset<Row>> written) {
      return merge(pass.parts(), pass.schema(), 1 + k, written, headRows, size, k);
    }
  }

  private static List<org.apache.spark.sql.Column> columns(String array, String... scalars) {
    List<org.apache.spark.sql.Column> columns = new ArrayList<>();
    columns.add(array == null ? lit(null).cast(DOUBLES) : ColumnNames.col(array).cast(DOUBLES));
    for (String s : scalars) {
      columns.add(ColumnNames.col(s).cast(DataTypes.DoubleType));
    }
    return columns;
  }

  private static TablePass.Fold<scala.Tuple2<Partial, HeadRows>> fold(
      int headRows, int size, int k) {
    return new TablePass.Fold<>() {
      private static final long serialVersionUID = 1L;

      @Override
      public scala.Tuple2<Partial, HeadRows> start(int partition) {
        return new scala.Tuple2<>(new Partial(size, k), HeadRows.of(partition, headRows));
      }

      @Override
      public void add(scala.Tuple2<Partial, HeadRows> part, InternalRow row) {
        part._1().add(row);
        part._2().offer(row);
      }
    };
  }

  /** The partitions' {@code parts} (in partition order) merged; the first rows converted. */
  private static ArrayStats merge(
      List<scala.Tuple2<Partial, HeadRows>> parts,
      org.apache.spark.sql.types.StructType selected,
      int own,
      java.util.function.Supplier<Dataset<Row>> table,
      int headRows,
      int size,
      int k) {
    Partial total = new Partial(size, k);
    List<HeadRows> heads = new ArrayList<>();
    for (scala.Tuple2<Partial, HeadRows> part : parts) {
      total.add(part._1());
      heads.add(part._2());
    }
    ArrayStats stats = total.stats();
    stats.head = HeadRows.rows(heads, selected, own, table, headRows);
    return stats;
  }

  /**
   * One partition's figures: per position the exact sum of |value|, per scalar the exact sum of its
   * values and its smallest and largest value, and the values counted for each (positions, then
   * scalars).
   */
  static final class Partial implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int size;
    private final int k;
    private final ExactSum[] sums;
    private final double[] lowest;
    private final double[] highest;
    private final long[] counts;

    Partial(int size, int k) {
      this.size = size;
      this.k = k;
      sums = new ExactSum[size + k];
      for (int i = 0; i < sums.length; i++) {
        sums[i] = new ExactSum();
      }
      lowest = new double[k];
      java.util.Arrays.fill(lowest, Double.POSITIVE_INFINITY);
      highest = new double[k];
      java.util.Arrays.fill(highest, Double.NEGATIVE_INFINITY);
      counts = new long[size + k];
    }

    void add(InternalRow row) {
      if (!row.isNullAt(0)) {
        ArrayData values = row.getArray(0);
        int n = values.numElements();
        if (n > size) {
          throw new IllegalArgumentException(
              "an array of " + n + " values where " + size + " were written");
        }
        for (int i = 0; i < n; i++) {
          if (!values.isNullAt(i)) {
            sums[i].add(Math.abs(values.getDouble(i)));
            counts[i]++;
          }
        }
      }
      for (int j = 0; j < k; j++) {
        if (!row.isNullAt(1 + j)) {
          double v = row.getDouble(1 + j);
          sums[size + j].add(v);
          counts[size + j]++;
          lowest[j] = Math.min(lowest[j], v); // NaN stays NaN
          highest[j] = Math.max(highest[j], v);
        }
      }
    }

    void add(Partial other) {
      for (int i = 0; i < sums.length; i++) {
        sums[i].add(other.sums[i]);
      }
      for (int j = 0; j < k; j++) {
        lowest[j] = Math.min(lowest[j], other.lowest[j]);
        highest[j] = Math.max(highest[j], other.highest[j]);
      }
      for (int i = 0; i < counts.length; i++) {
        counts[i] += other.counts[i];
      }
    }

    ArrayStats stats() {
      double[] figures = new double[size + k];
      for (int i = 0; i < sums.length; i++) {
        figures[i] = sums[i].value();
      }
      return new ArrayStats(figures, counts.clone(), size, lowest.clone(), highest.clone());
    }
  }

  /** The table's first rows gathered by the pass (none unless asked for). */
  List<Row> head() {
    return head;
  }

  /** The mean |value| at each position; 0 where every row's value was null. */
  double[] meanAbs() {
    double[] mean = new double[size];
    for (int i = 0; i < size; i++) {
      mean[i] = counts[i] == 0 ? 0 : sums[i] / counts[i];
    }
    return mean;
  }

  /** The mean of scalar {@code j}; null when it was null in every row. */
  Double mean(int j) {
    return counts[size + j] == 0 ? null : sums[size + j] / counts[size + j];
  }

  /** The sum of scalar {@code j}, correctly rounded (0 when it was null in every row). */
  double sum(int j) {
    return sums[size + j];
  }

  /**
   * The smallest value of scalar {@code j} (NaN if one was); null when it was null in every row.
   */
  Double min(int j) {
    return counts[size + j] == 0 ? null : lowest[j];
  }

  /** The largest value of scalar {@code j} (NaN if one was); null when it was null in every row. */
  Double max(int j) {
    return counts[size + j] == 0 ? null : highest[j];
  }

  /** The largest |value| of scalar {@code j}; null when it was null in every row. */
  Double maxAbs(int j) {
    return counts[size + j] == 0 ? null : Math.max(Math.abs(lowest[j]), Math.abs(highest[j]));
  }
}
