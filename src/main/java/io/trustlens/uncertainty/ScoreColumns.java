package io.trustlens.uncertainty;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * Reads the columns uncertainty methods work on: per-class scores (an {@code array<double>} as
 * {@code score} writes, an {@code array<float>}, or an ML vector as MLlib's {@code transform}
 * writes) and numeric labels or predictions.
 */
public final class ScoreColumns {
  private ScoreColumns() {}

  /** The index of the per-class score column {@code name}; {@code role} says what it holds. */
  public static int scores(StructType schema, String name, String role) {
    DataType type = field(schema, name, role);
    boolean ok =
        type instanceof VectorUDT
            || type instanceof ArrayType a
                && (a.elementType() == DataTypes.DoubleType
                    || a.elementType() == DataTypes.FloatType);
    if (!ok) {
      throw new InvalidScoresException(
          "column '"
              + name
              + "' ("
              + role
              + ") is "
              + type.simpleString()
              + "; expected array<double> or an ML vector");
    }
    return schema.fieldIndex(name);
  }

  /** The index of the numeric column {@code name}; {@code role} says what it holds. */
  public static int numeric(StructType schema, String name, String role) {
    DataType type = field(schema, name, role);
    if (!(type instanceof NumericType)) {
      throw new InvalidScoresException(
          "column '" + name + "' (" + role + ") is " + type.simpleString() + "; expected a number");
    }
    return schema.fieldIndex(name);
  }

  private static DataType field(StructType schema, String name, String role) {
    if (schema.getFieldIndex(name).isEmpty()) {
      throw new InvalidScoresException(
          "unknown column '"
              + name
              + "' ("
              + role
              + "); the table has "
              + schema.simpleString()
              + io.trustlens.feature.ColumnNames.didYouMean(name, schema.fieldNames()));
    }
    return schema.apply(name).dataType();
  }

  /** Row {@code row}'s scores at {@code index}; null when the cell is null. */
  public static double[] read(Row row, int index) {
    if (row.isNullAt(index)) {
      return null;
    }
    Object v = row.get(index);
    if (v instanceof Vector vector) {
      return vector.toArray();
    }
    if (v instanceof double[] a) {
      // Rows made by a mapPartitions just before can reach the next one unconverted.
      return a.clone();
    }
    if (v instanceof int[] a) {
      return java.util.Arrays.stream(a).asDoubleStream().toArray();
    }
    scala.collection.Seq<?> seq = (scala.collection.Seq<?>) v;
    double[] out = new double[seq.length()];
    for (int i = 0; i < out.length; i++) {
      Object e = seq.apply(i);
      out[i] = e == null ? Double.NaN : ((Number) e).doubleValue();
    }
    return out;
  }

  /** How an error names a row: by its id, or as a row of the table when there is no id. */
  public static String describe(Row r, int id, String idCol) {
    return id >= 0 ? "row " + idCol + "=" + r.get(id) : "a row (set an id column to name rows)";
  }

  /** Row {@code row}'s number at {@code index}; NaN when the cell is null. */
  public static double number(Row row, int index) {
    return row.isNullAt(index) ? Double.NaN : ((Number) row.get(index)).doubleValue();
  }
}
