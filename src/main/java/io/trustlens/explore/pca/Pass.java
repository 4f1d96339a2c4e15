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
 * One distributed pass over a table's features: each partition folds its rows into an accumulator
 * on the executor, and the accumulators are merged on the driver. Rows with null or NaN features
 * fail the pass with the row named.
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

  static <A extends Serializable> A run(
      Dataset<Row> table,
      FeatureSpace features,
      String idCol,
      Zero<A> zero,
      Fold<A> fold,
      Merge<A> merge) {
    StructType schema = table.schema();
    int idIndex = idCol == null || idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
    List<A> parts =
        table
            .javaRDD()
            .mapPartitions(
                (Iterator<Row> rows) -> {
                  FeatureSpace.Reader reader = features.reader(schema);
                  A acc = zero.get();
                  double[] x = new double[features.size()];
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
                    position++;
                  }
                  return List.of(acc).iterator();
                })
            .collect();
    A result = zero.get();
    for (A part : parts) {
      result = merge.merge(result, part);
    }
    return result;
  }
}
