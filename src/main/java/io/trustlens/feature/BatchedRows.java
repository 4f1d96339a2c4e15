package io.trustlens.feature;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * A partition's rows gathered into batches, each batch explained at once and its results appended
 * to its rows in their order: what every per-row stage's {@code mapPartitions} function returns.
 * Memory holds one batch.
 */
public abstract class BatchedRows implements Iterator<Row> {
  private final Iterator<Row> rows;
  private final List<Row> pending = new ArrayList<>();
  private Object[][] done = new Object[0][];
  private int next;

  protected BatchedRows(Iterator<Row> rows) {
    this.rows = rows;
  }

  /** Whether {@code pending}, just grown by {@code added}, is a full batch. */
  protected abstract boolean full(List<Row> pending, Row added);

  /** The columns appended to each pending row, in order. */
  protected abstract Object[][] explain(List<Row> pending);

  @Override
  public boolean hasNext() {
    return next < pending.size() || rows.hasNext();
  }

  @Override
  public Row next() {
    if (next == pending.size()) {
      pending.clear();
      next = 0;
      while (rows.hasNext()) {
        Row row = rows.next();
        pending.add(row);
        if (full(pending, row)) {
          break;
        }
      }
      done = explain(pending);
    }
    return Columns.appended(pending.get(next), done[next++]);
  }

  /**
   * Reads the features of {@code rows} into {@code xs} (row-major) and their keys into {@code keys}
   * (null: none), naming the row in the error when one is invalid.
   *
   * @param seen rows of the partition read before these (positions name rows without an id)
   */
  public static void read(
      List<Row> rows,
      FeatureSpace.Reader reader,
      String idCol,
      int idIndex,
      long seen,
      double[] xs,
      long[] keys) {
    int d = reader.size();
    double[] x = new double[d];
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      try {
        reader.read(row, x, 0);
      } catch (InvalidFeatureException e) {
        throw new InvalidFeatureException(
            Columns.describe(row, idCol, idIndex, seen + i + 1) + ": " + e.getMessage());
      }
      System.arraycopy(x, 0, xs, i * d, d);
      if (keys != null) {
        keys[i] = RowKeys.of(row, idIndex, x);
      }
    }
  }

  /**
   * Rows read and answered one at a time, in batches of {@code batch}: {@code each} takes a row's
   * features (valid during the call only) and gives its appended values; an invalid row is named.
   */
  public static BatchedRows eachRow(
      Iterator<Row> rows,
      FeatureSpace.Reader reader,
      String idCol,
      int idIndex,
      int batch,
      java.util.function.Function<double[], Object[]> each) {
    int d = reader.size();
    return new BatchedRows(rows) {
      private long seen;

      @Override
      protected boolean full(List<Row> pending, Row added) {
        return pending.size() >= batch;
      }

      @Override
      protected Object[][] explain(List<Row> pending) {
        int n = pending.size();
        double[] xs = new double[n * d];
        read(pending, reader, idCol, idIndex, seen, xs, null);
        seen += n;
        Object[][] added = new Object[n][];
        double[] x = new double[d];
        for (int i = 0; i < n; i++) {
          System.arraycopy(xs, i * d, x, 0, d);
          added[i] = each.apply(x);
        }
        return added;
      }
    };
  }
}
