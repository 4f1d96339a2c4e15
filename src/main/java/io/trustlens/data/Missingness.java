package io.trustlens.data;

import static org.apache.spark.sql.functions.approx_count_distinct;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.trustlens.feature.ColumnNames;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * Missing values of a table (a cell is missing when null or NaN): the rate per column, the most
 * common patterns of columns missing together, and whether a column's missingness depends on the
 * label or a group column, as ydata-profiling's missing-value views and a chi-square test of
 * independence per (column, grouping): missing or present against the grouping's levels.
 *
 * <p>Three passes, however many columns: one aggregation (counts per column), one shuffle of the
 * rows' patterns, one shuffle of the levels of every grouping ({@link GroupedSums}). A grouping
 * keeps its {@code maxLevels} largest levels and pools the rest. A rate gap compares levels of at
 * least {@value #MIN_LEVEL_ROWS} rows only, so that a handful of rows cannot make one.
 *
 * @param rows the table's rows
 * @param columns every column, in table order
 * @param patterns the most common patterns of missing columns (rows with none missing included)
 * @param distinctPatterns the approximate number of distinct patterns
 * @param dependence per column with missing cells and per grouping: rates by level and the test
 */
public record Missingness(
    long rows,
    List<ColumnRate> columns,
    List<Pattern> patterns,
    long distinctPatterns,
    List<Dependence> dependence) {

  /** Levels smaller than this are left out of rate gaps (but not out of the test). */
  public static final int MIN_LEVEL_ROWS = 30;

  /** A column's missing cells. */
  public record ColumnRate(String column, long missing, double rate) {}

  /** Rows whose missing columns are exactly {@code columns}. */
  public record Pattern(List<String> columns, long rows, double share) {}

  /** One level's rows and how many of them miss the column. */
  public record LevelRate(String level, long rows, long missing) {
    public double rate() {
      return rows == 0 ? Double.NaN : (double) missing / rows;
    }
  }

  /**
   * Whether {@code column}'s missingness depends on the grouping {@code by}.
   *
   * @param gap the largest minus the smallest rate over levels of at least {@link #MIN_LEVEL_ROWS}
   *     rows
   * @param test chi-square test of independence of missing and level
   * @param levels the kept levels and the pooled rest
   * @param capped whether levels were pooled (the grouping had more than {@code maxLevels})
   */
  public record Dependence(
      String column,
      String by,
      List<LevelRate> levels,
      ChiSquare test,
      double gap,
      boolean capped) {}

  /**
   * Measures {@code table}'s missing values, and their dependence on each of {@code groupBy} (the
   * label first, then group columns), keeping {@code patterns} patterns and {@code maxLevels}
   * levels per grouping.
   */
  public static Missingness of(
      Dataset<Row> table, List<String> groupBy, int patterns, int maxLevels) {
    StructField[] fields = table.schema().fields();
    List<Column> missing = new ArrayList<>();
    for (StructField f : fields) {
      Column c = ColumnNames.col(f.name());
      missing.add(TableProfile.floating(f.dataType()) ? c.isNull().or(isnan(c)) : c.isNull());
    }
    Column mask =
        concat_ws(
            "",
            missing.stream()
                .map(m -> when(m, lit("1")).otherwise(lit("0")))
                .toArray(Column[]::new));
    List<Column> aggs = new ArrayList<>();
    for (Column m : missing) {
      aggs.add(count(when(m, lit(1))));
    }
    aggs.add(approx_count_distinct(mask, TableProfile.DISTINCT_RSD));
    Row first = table.agg(count(lit(1)), aggs.toArray(new Column[0])).first();
    long rows = first.getLong(0);
    List<ColumnRate> columns = new ArrayList<>();
    List<Integer> withMissing = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      long n = first.getLong(1 + i);
      columns.add(new ColumnRate(fields[i].name(), n, rows == 0 ? 0 : (double) n / rows));
      if (n > 0) {
        withMissing.add(i);
      }
    }
    long distinct = first.getLong(1 + fields.length);
    if (withMissing.isEmpty()) {
      List<Pattern> none = rows == 0 ? List.of() : List.of(new Pattern(List.of(), rows, 1.0));
      return new Missingness(rows, List.copyOf(columns), none, distinct, List.of());
    }
    List<Pattern> common = new ArrayList<>();
    for (Row r :
        table
            .select(mask.as("mask"))
            .groupBy(col("mask"))
            .count()
            .orderBy(col("count").desc(), col("mask"))
            .limit(patterns)
            .collectAsList()) {
      String m = r.getString(0);
      List<String> names = new ArrayList<>();
      for (int i = 0; i < m.length(); i++) {
        if (m.charAt(i) == '1') {
          names.add(fields[i].name());
        }
      }
      common.add(new Pattern(List.copyOf(names), r.getLong(1), (double) r.getLong(1) / rows));
    }
    List<Dependence> dependence = new ArrayList<>();
    if (!groupBy.isEmpty()) {
      List<Column> levels = new ArrayList<>();
      for (String g : groupBy) {
        levels.add(GroupedSums.level(ColumnNames.col(g)));
      }
      List<Column> sums = new ArrayList<>();
      for (int i : withMissing) {
        sums.add(when(missing.get(i), lit(1)).otherwise(lit(0)));
      }
      List<GroupedSums.Grouping> groupings =
          GroupedSums.of(table, groupBy, levels, sums, maxLevels);
      for (int s = 0; s < withMissing.size(); s++) {
        String column = fields[withMissing.get(s)].name();
        for (GroupedSums.Grouping g : groupings) {
          if (!g.name().equals(column)) {
            dependence.add(dependence(column, g, s));
          }
        }
      }
    }
    return new Missingness(
        rows, List.copyOf(columns), List.copyOf(common), distinct, List.copyOf(dependence));
  }

  private static Dependence dependence(String column, GroupedSums.Grouping g, int sum) {
    List<LevelRate> rates = new ArrayList<>();
    for (GroupedSums.Level l : g.all()) {
      rates.add(new LevelRate(l.name(), l.rows(), Math.round(l.sums()[sum])));
    }
    long[][] table = new long[rates.size()][];
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < rates.size(); i++) {
      LevelRate r = rates.get(i);
      table[i] = new long[] {r.missing(), r.rows() - r.missing()};
      if (r.rows() >= MIN_LEVEL_ROWS) {
        min = Math.min(min, r.rate());
        max = Math.max(max, r.rate());
      }
    }
    double gap = min > max ? 0 : max - min;
    return new Dependence(
        column, g.name(), List.copyOf(rates), ChiSquare.of(table), gap, g.other() != null);
  }
}
