package io.trustlens.feature;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

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

  /**
   * Every column of {@code schema} as a hash of the row's content takes it: as it is, or as its
   * JSON text when its type holds a map ({@code xxhash64} and {@code hash} refuse maps, since equal
   * maps may order their entries differently; the text follows the order the row stores them in,
   * the same wherever the row sits).
   */
  public static List<Column> content(StructType schema) {
    List<Column> columns = new ArrayList<>();
    for (StructField f : schema.fields()) {
      columns.add(content(f));
    }
    return columns;
  }

  /**
   * Column {@code f} as a hash of the row's content takes it (see {@link #content(StructType)}).
   */
  public static Column content(StructField f) {
    Column c = ColumnNames.col(f.name());
    return holdsAMap(f.dataType()) ? to_json(c) : c;
  }

  private static boolean holdsAMap(DataType type) {
    if (type instanceof MapType) {
      return true;
    }
    if (type instanceof ArrayType a) {
      return holdsAMap(a.elementType());
    }
    if (type instanceof StructType st) {
      for (StructField f : st.fields()) {
        if (holdsAMap(f.dataType())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A number in [0, 1) per row on a grid of 2^53 points, from a hash of {@code salt} and the row's
   * {@code keys} (its id column, say): the same for a row whatever the partitioning. Held-out
   * splits and bootstrap weights are drawn from it.
   */
  public static Column uniform(List<Column> keys, Column... salt) {
    List<Column> hashed = new ArrayList<>(List.of(salt));
    hashed.addAll(keys);
    return pmod(xxhash64(hashed.toArray(new Column[0])), lit(1L << 53))
        .cast(DataTypes.DoubleType)
        .divide(lit((double) (1L << 53)));
  }
}
