package io.trustlens.feature;

import java.util.Arrays;
import org.apache.spark.sql.Row;

/**
 * A row's key for its random draws: the id column's value when there is one, else a hash of the
 * row's features. Either way it depends on the row alone, never on where the row sits.
 */
public final class RowKeys {
  private RowKeys() {}

  /** The key of {@code row}; {@code idIndex} is -1 without an id column. */
  public static long of(Row row, int idIndex, double[] features) {
    if (idIndex < 0) {
      return RowSeeds.mix(Arrays.hashCode(features)) ^ Arrays.hashCode(features);
    }
    Object id = row.get(idIndex);
    if (id instanceof Number n && !(id instanceof Double) && !(id instanceof Float)) {
      return n.longValue();
    }
    String text = String.valueOf(id);
    long h = 1125899906842597L;
    for (int i = 0; i < text.length(); i++) {
      h = 31 * h + text.charAt(i);
    }
    return h;
  }
}
