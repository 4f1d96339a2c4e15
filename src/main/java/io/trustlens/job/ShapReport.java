package io.trustlens.job;

import static org.apache.spark.sql.functions.col;

import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.report.Charts;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The figures of an explain task: global importance bars, a beeswarm of the first rows, a
 * dependence plot per top feature and a waterfall per row the spec names.
 */
final class ShapReport {
  /** Rows drawn in the beeswarm and dependence plots: the first rows of the written table. */
  static final int PLOTTED_ROWS = 500;

  private ShapReport() {}

  static void figures(
      HtmlReport.Section section,
      Dataset<Row> written,
      LoadedModel model,
      FeatureSpace features,
      List<Integer> order,
      double[] importance,
      List<String> waterfallIds,
      String idCol) {
    List<FeatureGroup> groups = features.groups();
    List<Integer> top = order.subList(0, Math.min(12, order.size()));
    List<String> topNames = top.stream().map(i -> groups.get(i).name()).toList();
    double[] topValues = top.stream().mapToDouble(i -> importance[i]).toArray();
    section.figure(
        "Global importance: mean |Shapley value| per feature", Charts.bars(topNames, topValues));

    Dataset<Row> sample = written.limit(PLOTTED_ROWS);
    Dataset<Row> prepared = model.prepare(sample);
    List<Row> rows = prepared.collectAsList();
    if (rows.stream().map(r -> r.getInt(r.fieldIndex("shap_class"))).distinct().count() > 1) {
      section.paragraph(
          "Each row explains its own predicted class, so the plots below mix classes (a value for"
              + " one class may be the opposite for another); set the target to one class for"
              + " plots of that class alone.",
          "note");
    }
    FeatureSpace.Reader reader = features.reader(prepared.schema());
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
    section.figure(
        "Beeswarm of the first " + n + " rows: each dot a row; blue low, red high feature value",
        Charts.beeswarm(topNames, shap, colours));
    for (int p = 0; p < Math.min(3, top.size()); p++) {
      if (groups.get(top.get(p)).slots().length != 1) {
        continue;
      }
      double[] xs = new double[n];
      double[] ys = new double[n];
      for (int r = 0; r < n; r++) {
        xs[r] = value[r][p];
        ys[r] = shap[r][p];
      }
      section.figure(
          "Dependence: Shapley value of " + topNames.get(p) + " against its value",
          Charts.scatter(topNames.get(p), "Shapley value", xs, ys));
    }
    if (waterfallIds == null || waterfallIds.isEmpty()) {
      return;
    }
    if (idCol == null) {
      throw new SpecException("waterfall_rows needs the input's id column");
    }
    for (Row row :
        written
            .filter(col("`" + idCol + "`").cast("string").isin(waterfallIds.toArray()))
            .collectAsList()) {
      List<Double> s = row.getList(row.fieldIndex("shap"));
      List<String> labels = new ArrayList<>();
      List<Integer> players = new ArrayList<>();
      for (int i = 0; i < s.size(); i++) {
        players.add(i);
      }
      players.sort((a, b) -> Double.compare(Math.abs(s.get(b)), Math.abs(s.get(a))));
      double[] values = new double[players.size()];
      for (int i = 0; i < players.size(); i++) {
        labels.add(groups.get(players.get(i)).name());
        values[i] = s.get(players.get(i));
      }
      double base = row.getDouble(row.fieldIndex("shap_base"));
      double output = base + row.getDouble(row.fieldIndex("shap_gap"));
      for (double v : values) {
        output += v;
      }
      section.figure(
          "Waterfall of row " + idCol + "=" + row.get(row.fieldIndex(idCol)),
          Charts.waterfall(labels, values, base, output));
    }
  }
}
