package io.trustlens.feature;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;

/**
 * A partition's rows whose features read, each mapped to an output row: a row with null, NaN or
 * mistyped features fails naming the row (by its id, else its place), or is dropped when invalid
 * rows are skipped.
 */
public final class ValidRows implements Iterator<Row> {
  /** What a valid row and its features become. */
  @FunctionalInterface
  public interface Mapping {
    Row apply(Row row, double[] features);
  }

  private final Iterator<Row> rows;
  private final FeatureSpace.Reader reader;
  private final String idCol;
  private final int idIndex;
  private final boolean skip;
  private final Mapping mapping;
  private final double[] x;
  private Row ready;
  private long seen;

  /**
   * @param idCol the id column naming rows in errors, or empty
   * @param idIndex its index in the rows, or -1
   */
  public ValidRows(
      Iterator<Row> rows,
      FeatureSpace.Reader reader,
      int features,
      String idCol,
      int idIndex,
      boolean skip,
      Mapping mapping) {
    this.rows = rows;
    this.reader = reader;
    this.idCol = idCol;
    this.idIndex = idIndex;
    this.skip = skip;
    this.mapping = mapping;
    this.x = new double[features];
  }

  @Override
  public boolean hasNext() {
    while (ready == null && rows.hasNext()) {
      Row row = rows.next();
      seen++;
      try {
        reader.read(row, x, 0);
      } catch (InvalidFeatureException | ClassCastException e) {
        if (skip) {
          continue;
        }
        throw new InvalidFeatureException(
            Columns.describe(row, idCol, idIndex, seen) + ": " + e.getMessage());
      }
      ready = mapping.apply(row, x);
    }
    return ready != null;
  }

  @Override
  public Row next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Row r = ready;
    ready = null;
    return r;
  }
}
