package io.trustlens.data;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;

/**
 * Row counts and sums per level of several grouping columns in one pass (one shuffle) however many
 * groupings: each grouping keeps its {@code maxLevels} largest levels (ties by name) and pools the
 * rest into one level named {@code (other: N levels)}. A null cell is the level {@value #MISSING}.
 */
final class GroupedSums {
  /** The level of a null cell. */
  static final String MISSING = "(missing)";

  private GroupedSums() {}

  /**
   * A grouping's levels.
   *
   * @param levels the kept levels, largest first
   * @param other the pooled rest, or null when every level is kept
   * @param distinct the grouping's number of levels
   */
  record Grouping(String name, List<Level> levels, Level other, long distinct) {

    /** The kept levels, then the pooled rest if any. */
    List<Level> all() {
      List<Level> all = new ArrayList<>(levels);
      if (other != null) {
        all.add(other);
      }
      return all;
    }
  }

  /** A level's rows and sums, in the order the sums were asked for. */
  record Level(String name, long rows, double[] sums) {}

  /** The text of a grouping column's cell: its value as a string, {@value #MISSING} for null. */
  static Column level(Column c) {
    return when(c.isNull(), lit(MISSING)).otherwise(c.cast(DataTypes.StringType));
  }

  /**
   * Counts and sums {@code sums} per level of each of {@code groupings} (level columns of {@code
   * table}, named by {@code names}).
   */
  static List<Grouping> of(
      Dataset<Row> table,
      List<String> names,
      List<Column> groupings,
      List<Column> sums,
      int maxLevels) {
    List<Column> select = new ArrayList<>();
    select.add(posexplode(array(groupings.toArray(new Column[0]))).as(new String[] {"g", "l"}));
    for (int i = 0; i < sums.size(); i++) {
      select.add(sums.get(i).cast(DataTypes.DoubleType).as("s" + i));
    }
    List<Column> aggs = new ArrayList<>();
    for (int i = 0; i < sums.size(); i++) {
      aggs.add(sum(col("s" + i)).as("s" + i));
    }
    WindowSpec byGrouping = Window.partitionBy(col("g"));
    Dataset<Row> grouped =
        table
            .select(select.toArray(new Column[0]))
            .groupBy(col("g"), col("l"))
            .agg(count(lit(1)).as("n"), aggs.toArray(new Column[0]));
    List<Column> out = new ArrayList<>(List.of(col("g"), col("l"), col("n")));
    for (int i = 0; i < sums.size(); i++) {
      out.add(col("s" + i));
    }
    out.add(row_number().over(byGrouping.orderBy(col("n").desc(), col("l"))).as("rank"));
    out.add(count(lit(1)).over(byGrouping).as("levels"));
    out.add(sum(col("n")).over(byGrouping).as("tn"));
    for (int i = 0; i < sums.size(); i++) {
      out.add(sum(col("s" + i)).over(byGrouping).as("t" + i));
    }
    List<Row> rows =
        grouped
            .select(out.toArray(new Column[0]))
            .filter(col("rank").leq(maxLevels))
            .orderBy(col("g"), col("rank"))
            .collectAsList();
    List<Grouping> result = new ArrayList<>();
    int k = sums.size();
    for (int g = 0; g < names.size(); g++) {
      List<Level> levels = new ArrayList<>();
      long distinct = 0;
      long totalRows = 0;
      double[] totals = new double[k];
      for (Row r : rows) {
        if (r.getInt(0) != g) {
          continue;
        }
        double[] s = new double[k];
        for (int i = 0; i < k; i++) {
          s[i] = r.isNullAt(3 + i) ? 0 : r.getDouble(3 + i);
          totals[i] = r.isNullAt(6 + k + i) ? 0 : r.getDouble(6 + k + i);
        }
        levels.add(new Level(r.getString(1), r.getLong(2), s));
        distinct = r.getLong(4 + k);
        totalRows = r.getLong(5 + k);
      }
      Level other = null;
      if (distinct > levels.size()) {
        long rest = totalRows;
        double[] s = totals.clone();
        for (Level l : levels) {
          rest -= l.rows();
          for (int i = 0; i < k; i++) {
            s[i] -= l.sums()[i];
          }
        }
        other = new Level("(other: " + (distinct - levels.size()) + " levels)", rest, s);
      }
      result.add(new Grouping(names.get(g), List.copyOf(levels), other, distinct));
    }
    return result;
  }
}
