package io.trustlens.explain.example;

import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import java.util.Arrays;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;

/**
 * The Params every example stage and its fitted model share, made for an owning stage: the space
 * rows are compared in ({@code featuresCols} or {@code vectorCol}: the features, a pipeline's
 * assembled vector or an embedding), the training rows' {@code labelCol} and {@code idCol}, and the
 * {@code outputCol} the others take as prefix.
 */
final class ExampleParams implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  final StringArrayParam featuresCols;
  final Param<String> vectorCol;
  final Param<String> labelCol;
  final Param<String> idCol;
  final Param<String> outputCol;

  ExampleParams(Params owner, String output) {
    featuresCols =
        new StringArrayParam(owner, "featuresCols", "numeric columns rows are compared on");
    vectorCol =
        new Param<>(
            owner,
            "vectorCol",
            "an ML vector column rows are compared on (a pipeline's features, an embedding);"
                + " empty: featuresCols");
    labelCol = new Param<>(owner, "labelCol", "the training rows' label column");
    idCol = new Param<>(owner, "idCol", "the column that names rows (training rows by it)");
    outputCol = new Param<>(owner, "outputCol", "the main output column; others take it as prefix");
    owner.setDefault(featuresCols, new String[0]);
    owner.setDefault(vectorCol, "");
    owner.setDefault(labelCol, "label");
    owner.setDefault(idCol, "id");
    owner.setDefault(outputCol, output);
  }

  /** The space rows are compared in; {@code size} is a vector's size when known, else -1. */
  FeatureSpace space(Params owner, StructType schema, int size) {
    String vector = owner.getOrDefault(vectorCol);
    String[] columns = owner.getOrDefault(featuresCols);
    if (!vector.isEmpty() && columns.length > 0) {
      throw new IllegalArgumentException("set vectorCol or featuresCols, not both");
    }
    if (!vector.isEmpty()) {
      if (schema.getFieldIndex(vector).isEmpty()) {
        throw new InvalidFeatureException("unknown vector column '" + vector + "'");
      }
      return FeatureSpace.ofVector(schema, vector, size);
    }
    if (columns.length == 0) {
      throw new IllegalArgumentException(
          "set featuresCols or vectorCol: the space rows are compared in");
    }
    return FeatureSpace.ofColumns(schema, Arrays.asList(columns));
  }

  /** Checks that {@code schema} holds the compared columns, before any vector's size is known. */
  void requireSpace(Params owner, StructType schema) {
    String vector = owner.getOrDefault(vectorCol);
    if (vector.isEmpty()) {
      space(owner, schema, -1);
      return;
    }
    if (owner.getOrDefault(featuresCols).length > 0) {
      throw new IllegalArgumentException("set vectorCol or featuresCols, not both");
    }
    if (schema.getFieldIndex(vector).isEmpty()) {
      throw new InvalidFeatureException("unknown vector column '" + vector + "'");
    }
    if (!schema
        .apply(vector)
        .dataType()
        .equals(org.apache.spark.ml.linalg.SQLDataTypes.VectorType())) {
      throw new InvalidFeatureException(
          "column '"
              + vector
              + "' is "
              + schema.apply(vector).dataType().simpleString()
              + ", not an ML vector");
    }
  }

  /** The size of {@code table}'s vector column: its metadata's, else its first row's. */
  int vectorSize(Params owner, Dataset<Row> table) {
    String vector = owner.getOrDefault(vectorCol);
    if (vector.isEmpty()) {
      return -1;
    }
    try {
      return FeatureSpace.ofVector(table.schema(), vector, -1).size();
    } catch (InvalidFeatureException unknownSize) {
      Row first = table.select(ColumnNames.col(vector)).first();
      if (first.isNullAt(0)) {
        throw new InvalidFeatureException("vector column '" + vector + "' is null in a row");
      }
      return ((Vector) first.get(0)).size();
    }
  }

  /** Checks the training table's label and id columns; true when the label is numeric. */
  boolean requireTraining(Params owner, StructType schema) {
    String id = owner.getOrDefault(idCol);
    if (id.isEmpty()) {
      throw new IllegalArgumentException("set idCol: examples are named by their rows' ids");
    }
    Columns.requireId(schema, id);
    String label = owner.getOrDefault(labelCol);
    if (schema.getFieldIndex(label).isEmpty()) {
      throw new InvalidFeatureException("the training table has no label column '" + label + "'");
    }
    DataType t = schema.apply(label).dataType();
    if (t instanceof NumericType) {
      return true;
    }
    if (t.equals(DataTypes.StringType) || t.equals(DataTypes.BooleanType)) {
      return false;
    }
    throw new InvalidFeatureException(
        "label column '" + label + "' is " + t.simpleString() + "; a number or a string is needed");
  }

  /** Whether {@code schema}'s id column holds whole numbers (ids kept as longs) or other values. */
  static boolean numericId(StructType schema, String id) {
    DataType t = schema.apply(id).dataType();
    return t.equals(DataTypes.IntegerType)
        || t.equals(DataTypes.LongType)
        || t.equals(DataTypes.ShortType)
        || t.equals(DataTypes.ByteType);
  }

  /** A label value as kept: a double for a numeric label, else its text. */
  static Object label(Object value, boolean numeric) {
    return numeric ? (Object) ((Number) value).doubleValue() : String.valueOf(value);
  }

  /** An id value as kept: a long for whole-number ids, else its text. */
  static Object id(Object value, boolean numeric) {
    return numeric ? (Object) ((Number) value).longValue() : String.valueOf(value);
  }
}
