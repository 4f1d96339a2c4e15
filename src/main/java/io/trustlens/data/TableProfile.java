package io.trustlens.data;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;

/**
 * A one-pass profile of a table: row count and, per column, nulls, NaN, minimum, maximum and mean
 * (the last three over numeric values that are not NaN).
 *
 * @param rows the number of rows
 * @param columns one profile per column, in table order
 */
public record TableProfile(long rows, List<ColumnProfile> columns) {

  /**
   * One column's profile. Minimum, maximum and mean are null for non-numeric columns and for
   * columns with no value.
   */
  public record ColumnProfile(
      String name, String type, long nulls, long nans, Double min, Double max, Double mean) {

    /** The share of rows that are null or NaN. */
    public double missingFraction(long rows) {
      return rows == 0 ? 0 : (double) (nulls + nans) / rows;
    }
  }

  /** Profiles {@code table} with one aggregation job. */
  public static TableProfile of(Dataset<Row> table) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)));
    StructField[] fields = table.schema().fields();
    for (StructField f : fields) {
      Column c = col(quote(f.name()));
      aggs.add(count(when(c.isNull(), lit(1))));
      boolean floating = f.dataType() instanceof DoubleType || f.dataType() instanceof FloatType;
      aggs.add(floating ? count(when(isnan(c), lit(1))) : lit(0L));
      if (f.dataType() instanceof NumericType) {
        Column value = floating ? when(isnan(c).unary_$bang(), c) : c;
        aggs.add(min(value).cast("double"));
        aggs.add(max(value).cast("double"));
        aggs.add(avg(value));
      } else {
        aggs.add(lit(null).cast("double"));
        aggs.add(lit(null).cast("double"));
        aggs.add(lit(null).cast("double"));
      }
    }
    Row r = table.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
    List<ColumnProfile> columns = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      int k = 1 + i * 5;
      columns.add(
          new ColumnProfile(
              fields[i].name(),
              fields[i].dataType().simpleString(),
              r.getLong(k),
              ((Number) r.get(k + 1)).longValue(),
              (Double) r.get(k + 2),
              (Double) r.get(k + 3),
              (Double) r.get(k + 4)));
    }
    return new TableProfile(r.getLong(0), List.copyOf(columns));
  }

  private static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }
}
