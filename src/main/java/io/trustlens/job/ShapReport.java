package io.trustlens.job;

import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.report.Charts;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;

/**
 * The figures of an explain task: global importance bars, a beeswarm of the first rows, a
 * dependence plot per top feature and a waterfall per row the spec names.
 */
final class ShapReport {
  /** A feature's value as a waterfall prints it. */
  private static String cell(Object v) {
    if (!(v instanceof Double d)) {
      return String.valueOf(v);
    }
    String s = Charts.number(d);
    // Trailing zeros of a fixed-point number only: 1.000e+10 keeps its exponent.
    return s.contains("e") ? s : s.replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  /**
   * A one-hot group's dependence plot: the Shapley values of the group's rows per category of its
   * input column.
   */
  private static void categories(
      HtmlReport.Section section,
      List<Row> rows,
      String column,
      int p,
      double[][] shap,
      String what,
      String axis) {
    java.util.Map<String, List<Double>> by = new java.util.TreeMap<>();
    for (int r = 0; r < rows.size(); r++) {
      Object v = rows.get(r).get(rows.get(r).fieldIndex(column));
      by.computeIfAbsent(v == null ? "(missing)" : String.valueOf(v), k -> new ArrayList<>())
          .add(shap[r][p]);
    }
    if (by.size() > 30) {
      return; // too many categories to draw side by side
    }
    List<double[]> ys = new ArrayList<>();
    by.values().forEach(v -> ys.add(v.stream().mapToDouble(Double::doubleValue).toArray()));
    section.figure(
        "Dependence: Shapley value of " + column + " per category (" + what + ")",
        Charts.strips(column, new ArrayList<>(by.keySet()), axis, ys));
  }

  /** Rows drawn in the beeswarm and dependence plots: the first rows of the written table. */
  static final int PLOTTED_ROWS = 500;

  private ShapReport() {}

  /**
   * The written rows of the waterfall {@code ids}, in table order: taken from the plotted first
   * rows {@code head} when they hold every id (an explained table's ids are unique, and an id of
   * text or whole numbers reads as Spark casts it to text), else filtered from the table.
   */
  private static List<Row> waterfallRows(
      Supplier<Dataset<Row>> written, List<Row> head, String idCol, List<String> ids) {
    DataType type =
        (head.isEmpty() ? written.get().schema() : head.get(0).schema()).apply(idCol).dataType();
    if (type instanceof StringType
        || type instanceof IntegerType
        || type instanceof LongType
        || type instanceof ShortType
        || type instanceof ByteType) {
      java.util.Set<String> wanted = new java.util.HashSet<>(ids);
      List<Row> found =
          head.stream()
              .filter(
                  r -> {
                    int at = r.fieldIndex(idCol);
                    return !r.isNullAt(at) && wanted.contains(String.valueOf(r.get(at)));
                  })
              .toList();
      long distinct =
          found.stream().map(r -> String.valueOf(r.get(r.fieldIndex(idCol)))).distinct().count();
      if (found.size() == wanted.size() && distinct == wanted.size()) {
        return found;
      }
    }
    return written
        .get()
        .filter(ColumnNames.col(idCol).cast(DataTypes.StringType).isin(ids.toArray()))
        .collectAsList();
  }

  /**
   * The first {@link #PLOTTED_ROWS} rows of the {@code written} table with {@code model}'s feature
   * stages applied, as a local table: Spark's optimizer runs the pipeline's stages over a local
   * table on the driver, where a limit under them would be a shuffle to one partition (a job of two
   * stages).
   */
  static List<Row> firstPrepared(LoadedModel model, Dataset<Row> written) {
    List<Row> first = written.limit(PLOTTED_ROWS).collectAsList();
    return model
        .prepare(written.sparkSession().createDataFrame(first, written.schema()))
        .collectAsList();
  }

  /**
   * The explanation's figures; {@code rows}: the first {@link #PLOTTED_ROWS} rows explained, in
   * table order, each holding the written columns and the model's prepared features (each row with
   * its schema); {@code written} reads the written table back, asked for only when a waterfall's
   * row is not among the first.
   */
  static void figures(
      HtmlReport.Section section,
      List<Row> rows,
      Supplier<Dataset<Row>> written,
      FeatureSpace features,
      List<Integer> order,
      double[] importance,
      List<String> waterfallIds,
      String idCol,
      String what,
      ExplainedUnit unit) {
    List<FeatureGroup> groups = features.groups();
    List<Integer> top = order.subList(0, Math.min(12, order.size()));
    List<String> topNames = top.stream().map(i -> groups.get(i).name()).toList();
    double[] topValues = top.stream().mapToDouble(i -> importance[i]).toArray();
    section.figure(
        "Global importance: mean |Shapley value| per feature (" + what + ")",
        Charts.bars(topNames, topValues));

    if (rows.stream().map(r -> r.getInt(r.fieldIndex("shap_class"))).distinct().count() > 1) {
      section.paragraph(
          "Each row explains its own predicted class, so the plots below mix classes (a value for"
              + " one class may be the opposite for another); set the target to one class for"
              + " plots of that class alone.",
          "note");
    }
    FeatureSpace.Reader reader = rows.isEmpty() ? null : features.reader(rows.get(0).schema());
    int n = rows.size();
    double[][] shap = new double[n][top.size()];
    double[][] value = new double[n][top.size()];
    for (int r = 0; r < n; r++) {
      Row row = rows.get(r);
      List<Double> s = row.getList(row.fieldIndex("shap"));
      double[] x = new double[features.size()];
      reader.read(row, x, 0);
      for (int p = 0; p < top.size(); p++) {
        int[] slots = groups.get(top.get(p)).slots();
        shap[r][p] = s.get(top.get(p));
        value[r][p] = slots.length == 1 ? x[slots[0]] : Double.NaN;
      }
    }
    double[][] colours = new double[n][top.size()];
    for (int p = 0; p < top.size(); p++) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (int r = 0; r < n; r++) {
        lo = Math.min(lo, value[r][p]);
        hi = Math.max(hi, value[r][p]);
      }
      for (int r = 0; r < n; r++) {
        colours[r][p] = hi > lo ? (value[r][p] - lo) / (hi - lo) : Double.NaN;
      }
    }
    String axis = "Shapley value (" + unit.name() + ")";
    section.figure(
        "Beeswarm of the first "
            + n
            + " rows ("
            + what
            + "): each dot a row, coloured by the feature's value",
        Charts.beeswarm(topNames, shap, colours, axis));
    for (int p = 0; p < Math.min(3, top.size()); p++) {
      if (groups.get(top.get(p)).slots().length != 1) {
        String column = topNames.get(p);
        if (!rows.isEmpty()
            && java.util.Arrays.asList(rows.get(0).schema().fieldNames()).contains(column)) {
          categories(section, rows, column, p, shap, what, axis);
        }
        continue;
      }
      double[] xs = new double[n];
      double[] ys = new double[n];
      for (int r = 0; r < n; r++) {
        xs[r] = value[r][p];
        ys[r] = shap[r][p];
      }
      section.figure(
          "Dependence: Shapley value of " + topNames.get(p) + " against its value (" + what + ")",
          Charts.scatter(topNames.get(p), axis, xs, ys));
    }
    if (waterfallIds == null || waterfallIds.isEmpty()) {
      return;
    }
    if (idCol == null) {
      throw new SpecException("waterfall_rows needs the input's id column");
    }
    for (Row row : waterfallRows(written, rows, idCol, waterfallIds)) {
      List<Double> s = row.getList(row.fieldIndex("shap"));
      List<String> labels = new ArrayList<>();
      List<Integer> players = new ArrayList<>();
      for (int i = 0; i < s.size(); i++) {
        players.add(i);
      }
      players.sort((a, b) -> Double.compare(Math.abs(s.get(b)), Math.abs(s.get(a))));
      double[] values = new double[players.size()];
      for (int i = 0; i < players.size(); i++) {
        String name = groups.get(players.get(i)).name();
        Object v =
            java.util.Arrays.asList(row.schema().fieldNames()).contains(name)
                ? row.get(row.fieldIndex(name))
                : null;
        labels.add(v == null ? name : name + " = " + cell(v));
        values[i] = s.get(players.get(i));
      }
      double base = row.getDouble(row.fieldIndex("shap_base"));
      double output = base + row.getDouble(row.fieldIndex("shap_gap"));
      for (double v : values) {
        output += v;
      }
      double probability = unit.probability(output);
      section.figure(
          "Waterfall of row "
              + idCol
              + "="
              + row.get(row.fieldIndex(idCol))
              + " ("
              + what
              + ")"
              + (Double.isNaN(probability)
                  ? ""
                  : ": the output "
                      + Charts.number(output)
                      + " is a "
                      + unit.name()
                      + "; the score table's probability "
                      + Charts.number(probability)
                      + " follows from it"),
          Charts.waterfall(labels, values, base, output));
    }
  }
}
