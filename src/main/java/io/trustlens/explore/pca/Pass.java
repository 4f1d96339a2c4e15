package io.trustlens.explore.pca;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Passes over a table's features ({@link Source}): each partition folds its rows into an
 * accumulator, and the accumulators are merged on the driver in partition order. Rows with null or
 * NaN features fail the first pass with the row named.
 */
final class Pass {
  private Pass() {}

  /** A fresh accumulator. */
  interface Zero<A> extends Serializable {
    A get();
  }

  /** Folds one row's features into the accumulator. */
  interface Fold<A> extends Serializable {
    void add(A acc, double[] x);
  }

  /** Merges two accumulators, returning the result. */
  interface Merge<A> extends Serializable {
    A merge(A a, A b);
  }

  /**
   * The rows that passes read: a table's, each pass a Spark job (or, for a table whose rows the
   * driver holds, {@link io.trustlens.feature.DriverRows}, folded on the driver as its one
   * partition), or, when its features add up to at most {@code keep} values, the rows its first
   * pass kept, each later pass folded on the driver (no job). Kept rows are folded partition by
   * partition and merged in partition order, as the executors' accumulators are, so a pass gives
   * the same bits either way.
   */
  static final class Source {
    private final Dataset<Row> table;
    private final FeatureSpace features;
    private final String idCol;
    private final long keep;
    private List<double[]> kept;
    private final boolean held; // the driver holds the table's rows (DriverRows)

    Source(Dataset<Row> table, FeatureSpace features, String idCol, long keep) {
      this.table = table;
      this.features = features;
      this.idCol = idCol;
      this.keep = keep;
      this.held = io.trustlens.feature.DriverRows.of(table) != null;
    }

    /** The features read. */
    FeatureSpace features() {
      return features;
    }

    /** Whether passes now fold kept rows on the driver. */
    boolean kept() {
      return kept != null;
    }

    /** One pass: each partition's rows folded into an accumulator, then merged in order. */
    <A extends Serializable> A run(Zero<A> zero, Fold<A> fold, Merge<A> merge) {
      List<Part<A>> parts =
          kept != null ? local(zero, fold) : held ? held(zero, fold) : distributed(zero, fold);
      A result = zero.get();
      for (Part<A> part : parts) {
        result = merge.merge(result, part.acc());
      }
      if (kept == null && keep > 0 && parts.stream().allMatch(p -> p.rows() != null)) {
        kept = parts.stream().map(Part::rows).toList();
      }
      return result;
    }

    private <A extends Serializable> List<Part<A>> local(Zero<A> zero, Fold<A> fold) {
      int d = features.size();
      List<Part<A>> parts = new java.util.ArrayList<>();
      double[] x = new double[d];
      for (double[] rows : kept) {
        A acc = zero.get();
        for (int at = 0; at < rows.length; at += d) {
          System.arraycopy(rows, at, x, 0, d);
          fold.add(acc, x);
        }
        parts.add(new Part<>(acc, null));
      }
      return parts;
    }

    /** A pass over a table whose rows the driver holds: folded here, as its one partition. */
    private <A extends Serializable> List<Part<A>> held(Zero<A> zero, Fold<A> fold) {
      Iterator<Row> rows = io.trustlens.feature.DriverRows.of(table);
      return List.of(foldPartition(rows, table.schema(), features, idCol, keep, zero, fold));
    }

    private <A extends Serializable> List<Part<A>> distributed(Zero<A> zero, Fold<A> fold) {
      StructType schema = table.schema();
      FeatureSpace space = features;
      String id = idCol;
      // Each partition may keep its share of the values; a table whose every partition did is
      // small enough to fold on the driver from then on.
      long share = keep <= 0 ? -1 : keep / Math.max(1, table.rdd().getNumPartitions());
      return io.trustlens.feature.InternalRows.javaRDD(table)
          .mapPartitions(
              (Iterator<Row> rows) ->
                  List.of(foldPartition(rows, schema, space, id, share, zero, fold)).iterator())
          .collect();
    }
  }

  /**
   * One partition's rows folded into a fresh accumulator, keeping their features (row-major) when
   * they add up to at most {@code share} values ({@code share} below 0: never).
   */
  static <A extends Serializable> Part<A> foldPartition(
      Iterator<Row> rows,
      StructType schema,
      FeatureSpace space,
      String idCol,
      long share,
      Zero<A> zero,
      Fold<A> fold) {
    FeatureSpace.Reader reader = space.reader(schema);
    int idIndex = idCol == null || idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
    int d = space.size();
    A acc = zero.get();
    double[] x = new double[d];
    double[] values = share >= 0 ? new double[Math.min(64 * d, (int) share)] : null;
    int size = 0;
    long position = 0;
    while (rows.hasNext()) {
      Row row = rows.next();
      try {
        reader.read(row, x, 0);
      } catch (InvalidFeatureException e) {
        throw new InvalidFeatureException(
            Columns.describe(row, idCol, idIndex, position) + ": " + e.getMessage());
      }
      fold.add(acc, x);
      if (values != null && size + d > share) {
        values = null; // too many rows to keep
      } else if (values != null) {
        if (size + d > values.length) {
          values =
              java.util.Arrays.copyOf(
                  values, (int) Math.min(share, Math.max(2L * values.length, size + d)));
        }
        System.arraycopy(x, 0, values, size, d);
        size += d;
      }
      position++;
    }
    double[] part = values == null ? null : java.util.Arrays.copyOf(values, size);
    return new Part<>(acc, part);
  }

  /** A partition's accumulator and, when kept, its rows (row-major). */
  record Part<A>(A acc, double[] rows) implements Serializable {}
}
