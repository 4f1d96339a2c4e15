package io.trustlens.feature;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Checks and names shared by every transformer that appends columns to a table's rows. */
public final class Columns {
  private Columns() {}

  /** {@code schema} with {@code added} appended, refusing a name the table already has. */
  public static StructType append(StructType schema, List<StructField> added) {
    StructType out = schema;
    for (StructField f : added) {
      if (out.getFieldIndex(f.name()).isDefined()) {
        throw new IllegalArgumentException(
            "output column '" + f.name() + "' already exists in the table; rename it");
      }
      out = out.add(f);
    }
    return out;
  }

  /**
   * {@code table} with the field metadata of {@code schema} (same column names): a {@code
   * mapPartitions} with a row encoder does not always carry it to the result's schema.
   */
  public static org.apache.spark.sql.Dataset<Row> withMetadata(
      org.apache.spark.sql.Dataset<Row> table, StructType schema) {
    org.apache.spark.sql.Column[] columns = new org.apache.spark.sql.Column[schema.size()];
    for (int i = 0; i < columns.length; i++) {
      StructField f = schema.fields()[i];
      columns[i] = ColumnNames.col(table, f.name()).as(f.name(), f.metadata());
    }
    return table.select(columns);
  }

  /** {@code row}'s values followed by {@code added}, as a new row. */
  public static Row appended(Row row, Object... added) {
    if (row instanceof InternalRows.View view) {
      return new InternalRows.AppendedRow(view, added);
    }
    Object[] values = new Object[row.length() + added.length];
    for (int i = 0; i < row.length(); i++) {
      values[i] = row.get(i);
    }
    System.arraycopy(added, 0, values, row.length(), added.length);
    return org.apache.spark.sql.RowFactory.create(values);
  }

  /** {@code rows} with {@code each} applied to every row as it is read. */
  public static java.util.Iterator<Row> eachRow(
      java.util.Iterator<Row> rows, java.util.function.UnaryOperator<Row> each) {
    return new java.util.Iterator<>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        return each.apply(rows.next());
      }
    };
  }

  /** Fails unless {@code id} is empty (no id column) or a column of {@code schema}. */
  public static void requireId(StructType schema, String id) {
    if (!id.isEmpty() && schema.getFieldIndex(id).isEmpty()) {
      throw new InvalidFeatureException("unknown id column '" + id + "'");
    }
  }

  /** How an error names a row: by its id, or by its place when there is no id column. */
  public static String describe(Row row, String idCol, int idIndex, long position) {
    return idIndex >= 0
        ? "row " + idCol + "=" + row.get(idIndex)
        : "row " + position + " of its partition (set an id column to name rows)";
  }
}
