package io.trustlens.uncertainty;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.RowKeys;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The per-partition work of a stage that adds a row's spread: a batch of rows read, their K draws
 * made by {@link Draws} in one call, each row's {@link Spread} appended ({@link SpreadColumns}).
 * Invalid rows fail naming the row, or are dropped when {@code skipInvalid}.
 *
 * @param width classes for a classifier, 1 for a regression
 */
public record SpreadRows(
    Draws.Source source,
    FeatureSpace features,
    StructType schema,
    int batchSize,
    boolean skipInvalid,
    String idCol,
    boolean classifier,
    int width)
    implements MapPartitionsFunction<Row, Row> {

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    Draws draws = source.open();
    FeatureSpace.Reader reader = features.reader(schema);
    int d = features.size();
    int k = draws.count();
    int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
    return new Iterator<>() {
      private final List<Row> batch = new ArrayList<>(batchSize);
      private final double[] inputs = new double[batchSize * d];
      private final long[] keys = new long[batchSize];
      private final double[] x = new double[d];
      private double[] values = new double[0];
      private int next;
      private long seen;

      @Override
      public boolean hasNext() {
        if (next < batch.size()) {
          return true;
        }
        fill();
        return !batch.isEmpty();
      }

      private void fill() {
        batch.clear();
        next = 0;
        while (batch.size() < batchSize && rows.hasNext()) {
          Row row = rows.next();
          seen++;
          try {
            reader.read(row, x, 0);
          } catch (InvalidFeatureException | ClassCastException e) {
            if (skipInvalid) {
              continue;
            }
            throw new InvalidFeatureException(
                Columns.describe(row, idCol, idIndex, seen) + ": " + e.getMessage());
          }
          System.arraycopy(x, 0, inputs, batch.size() * d, d);
          keys[batch.size()] = RowKeys.of(row, idIndex, x);
          batch.add(row);
        }
        if (!batch.isEmpty()) {
          values = draws.draw(inputs, keys, batch.size());
        }
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int i = next++;
        return SpreadColumns.appended(batch.get(i), values, i * k * width, k, width, classifier);
      }
    };
  }
}
