package io.trustlens.job;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The small result tables of the data tasks (a row per column or per group): built on the driver
 * and written in the run's output format; the report shows the rows built, which are the rows
 * written (every format reads them back equal: {@code DataCommandTest}), so nothing is read back.
 */
final class DataTables<T> {
  private final List<String> names = new ArrayList<>();
  private final List<DataType> types = new ArrayList<>();
  private final List<Function<T, Object>> values = new ArrayList<>();

  DataTables<T> text(String name, Function<T, Object> value) {
    return add(name, DataTypes.StringType, value);
  }

  DataTables<T> number(String name, Function<T, Object> value) {
    return add(name, DataTypes.DoubleType, value);
  }

  DataTables<T> count(String name, Function<T, Object> value) {
    return add(name, DataTypes.LongType, value);
  }

  DataTables<T> flag(String name, Function<T, Object> value) {
    return add(name, DataTypes.BooleanType, value);
  }

  private DataTables<T> add(String name, DataType type, Function<T, Object> value) {
    names.add(name);
    types.add(type);
    values.add(value);
    return this;
  }

  /** The table's header. */
  List<String> header() {
    return List.copyOf(names);
  }

  /**
   * Writes one row per item as table {@code name} of the run, in one file, rows in the order given
   * (NaN and infinities stay doubles; a null stays null), and returns the rows written.
   */
  List<Row> write(AuditRun run, String name, List<T> items) {
    StructType schema = new StructType();
    for (int i = 0; i < names.size(); i++) {
      schema = schema.add(names.get(i), types.get(i), true);
    }
    List<Row> rows = new ArrayList<>();
    for (T item : items) {
      Object[] cells = new Object[names.size()];
      for (int i = 0; i < names.size(); i++) {
        Object v = values.get(i).apply(item);
        if (v instanceof Number n && types.get(i) == DataTypes.DoubleType) {
          v = n.doubleValue();
        } else if (v instanceof Number n && types.get(i) == DataTypes.LongType) {
          v = n.longValue();
        }
        cells[i] = v;
      }
      rows.add(RowFactory.create(cells));
    }
    Dataset<Row> table = run.spark().createDataFrame(rows, schema).coalesce(1);
    run.writeTable(name, table);
    return rows;
  }

  /** Cells of written rows for the report's table. */
  static List<List<Object>> cells(List<Row> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (Row r : rows) {
      List<Object> cells = new ArrayList<>();
      for (int i = 0; i < r.length(); i++) {
        cells.add(r.get(i));
      }
      out.add(cells);
    }
    return out;
  }
}
