package io.trustlens.job;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * What a task's summary needs from the table it wrote, in one pass (one Spark job, partial sums per
 * partition added on the driver in partition order): the mean |value| at each position of an array
 * column, and the mean and largest |value| of some numeric columns. Nulls are skipped, as SQL's
 * {@code avg} skips them; a NaN makes its mean NaN, as it does there.
 */
final class ArrayStats {
  private final double[] sums;
  private final long[] counts;
  private final int size;

  private ArrayStats(double[] sums, long[] counts, int size) {
    this.sums = sums;
    this.counts = counts;
    this.size = size;
  }

  /**
   * Reads {@code array} (positions 0..size-1) and {@code scalars} of {@code table}.
   *
   * @throws IllegalArgumentException when a row's array is longer than {@code size}
   */
  static ArrayStats of(Dataset<Row> table, String array, int size, String... scalars) {
    List<org.apache.spark.sql.Column> columns = new ArrayList<>();
    columns.add(org.apache.spark.sql.functions.col("`" + array + "`"));
    for (String s : scalars) {
      columns.add(org.apache.spark.sql.functions.col("`" + s + "`").cast("double"));
    }
    int k = scalars.length;
    int width = size + 2 * k; // per position |v|; per scalar its sum, then its largest |v|
    MapPartitionsFunction<Row, double[]> partial =
        rows -> {
          double[] acc = new double[2 * width];
          for (int j = 0; j < k; j++) {
            acc[size + k + j] = Double.NEGATIVE_INFINITY;
          }
          while (rows.hasNext()) {
            add(rows.next(), acc, size, k, width);
          }
          return List.of(acc).iterator();
        };
    double[] sums = new double[width];
    long[] counts = new long[width];
    for (int j = 0; j < k; j++) {
      sums[size + k + j] = Double.NEGATIVE_INFINITY;
    }
    List<double[]> parts =
        table
            .select(columns.toArray(new org.apache.spark.sql.Column[0]))
            .mapPartitions(partial, Encoders.kryo(double[].class))
            .collectAsList();
    for (double[] p : parts) {
      for (int i = 0; i < width; i++) {
        if (i >= size + k) {
          sums[i] = Math.max(sums[i], p[i]);
        } else {
          sums[i] += p[i];
        }
        counts[i] += (long) p[width + i];
      }
    }
    return new ArrayStats(sums, counts, size);
  }

  private static void add(Row row, double[] acc, int size, int k, int width) {
    if (!row.isNullAt(0)) {
      List<Object> values = row.getList(0);
      if (values.size() > size) {
        throw new IllegalArgumentException(
            "an array of " + values.size() + " values where " + size + " were written");
      }
      for (int i = 0; i < values.size(); i++) {
        Object v = values.get(i);
        if (v != null) {
          acc[i] += Math.abs(((Number) v).doubleValue());
          acc[width + i]++;
        }
      }
    }
    for (int j = 0; j < k; j++) {
      if (!row.isNullAt(1 + j)) {
        double v = row.getDouble(1 + j);
        acc[size + j] += v;
        acc[width + size + j]++;
        int m = size + k + j;
        acc[m] = Math.max(acc[m], Math.abs(v)); // NaN stays NaN
        acc[width + m]++;
      }
    }
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

  /** The largest |value| of scalar {@code j}; null when it was null in every row. */
  Double maxAbs(int j) {
    int k = (sums.length - size) / 2;
    return counts[size + k + j] == 0 ? null : sums[size + k + j];
  }
}
