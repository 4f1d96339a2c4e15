package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;

import io.trustlens.data.Drift;
import io.trustlens.data.TableProfile;
import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelScorer;
import io.trustlens.report.Charts;
import io.trustlens.report.DataCharts;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code data} with method {@code drift}: the input against a reference table ({@link Drift}) per
 * column, and per the model's output when a model is named, and the change of the global importance
 * ranking when both tables' explanations are given; a threshold on the largest PSI.
 */
final class DriftTask implements AuditTask<DataSpec> {
  /** The column of the model's output in the compared tables. */
  static final String MODEL_OUTPUT = "model_output";

  /** PSI from which a column is marked as moved in the report (the usual "major shift"). */
  static final double MOVED = 0.2;

  /** Bin shares drawn for this many of the most moved columns. */
  private static final int DRAWN = 4;

  @Override
  public Map<String, Object> run(AuditRun run, DataSpec task) {
    AuditSpec.Input in = run.spec().input;
    AuditSpec.Input other = new AuditSpec.Input();
    other.path = task.reference;
    Dataset<Row> reference;
    try {
      reference = run.readOther(other, "reference").table();
    } catch (io.trustlens.feature.InvalidFeatureException e) {
      throw new SpecException(e.getMessage().replace("the input table", "the reference table"));
    }
    Dataset<Row> current = run.input().table();
    List<String> columns = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> times = new ArrayList<>();
    List<String> named = run.input().namedFeatures();
    List<String> asked = named != null ? named : List.of(current.columns());
    DataTask.requireColumns(run, asked, "feature");
    for (String c : asked) {
      if (c.equals(in.id)) {
        continue;
      }
      org.apache.spark.sql.types.DataType type = current.schema().apply(c).dataType();
      if (type instanceof org.apache.spark.sql.types.DateType
          || type instanceof org.apache.spark.sql.types.TimestampType
          || type instanceof org.apache.spark.sql.types.TimestampNTZType) {
        times.add(c);
      } else if (TableProfile.kind(type) == TableProfile.Kind.OTHER) {
        skipped.add(c);
      } else {
        columns.add(c);
      }
    }
    if (!times.isEmpty()) {
      run.warn(
          "date and time columns are not compared: "
              + times
              + " (two periods' dates differ by design; data --method profile gives each table's"
              + " earliest and latest)");
    }
    if (!skipped.isEmpty()) {
      run.warn(
          "columns neither numeric nor text are not compared: "
              + skipped
              + " (arrays, vectors, images: compare a model's output or embedding instead)");
    }
    String outputKind = null;
    if (task.model != null) {
      LoadedModel model = run.model(task.model);
      outputKind =
          model.info().isBinaryClassifier()
              ? "probability of class 1"
              : model.info().kind().isClassification() ? "predicted class" : "prediction";
      current = withModelOutput(run, model, current, columns);
      reference = withModelOutput(run, model, reference, columns);
      columns.add(MODEL_OUTPUT);
    }
    Drift drift;
    try {
      drift = Drift.of(reference, current, columns);
    } catch (IllegalArgumentException e) {
      throw new SpecException("drift against " + task.reference + ": " + e.getMessage());
    }
    double limit = task.maxPsi != null ? task.maxPsi : MOVED;
    String name = task.name != null ? task.name : "drift";
    DataTables<Drift.ColumnDrift> table =
        new DataTables<Drift.ColumnDrift>()
            .text("column", Drift.ColumnDrift::column)
            .text("kind", Drift.ColumnDrift::kind)
            .number("psi", Drift.ColumnDrift::psi)
            .number("ks", c -> numeric(c, Drift.Numeric::ks))
            .number("ks_p_value", c -> numeric(c, Drift.Numeric::ksPValue))
            .number("ks_error_bound", c -> numeric(c, Drift.Numeric::ksError))
            .number("wasserstein", c -> numeric(c, Drift.Numeric::wasserstein))
            .number("wasserstein_over_sd", c -> numeric(c, Drift.Numeric::wassersteinOverSd))
            .number(
                "chi_square",
                c -> c.categorical() == null ? null : c.categorical().chiSquare().statistic())
            .number(
                "chi_square_p_value",
                c -> c.categorical() == null ? null : c.categorical().chiSquare().pValue())
            .number(
                "jensen_shannon",
                c -> c.categorical() == null ? null : c.categorical().jensenShannon())
            .number("reference_mean", c -> numeric(c, Drift.Numeric::referenceMean))
            .number("current_mean", c -> numeric(c, Drift.Numeric::currentMean))
            .number("reference_missing", Drift.ColumnDrift::referenceMissing)
            .number("current_missing", Drift.ColumnDrift::currentMissing)
            .flag("moved", c -> c.psi() >= limit);
    List<Row> written = table.write(run, name, drift.columns());
    List<Drift.ColumnDrift> ranked = new ArrayList<>(drift.columns());
    ranked.removeIf(c -> Double.isNaN(c.psi()));
    ranked.sort(Comparator.comparingDouble(Drift.ColumnDrift::psi).reversed());

    HtmlReport.Section section = run.report().section("Drift: " + name);
    section.paragraph(
        "The input ("
            + drift.currentRows()
            + " rows) against the reference "
            + task.reference
            + " ("
            + drift.referenceRows()
            + " rows)"
            + (outputKind == null ? "" : "; " + MODEL_OUTPUT + " is the model's " + outputKind)
            + ". PSI over the reference's deciles (numeric) or the categories; a column is marked"
            + " moved from PSI "
            + limit
            + ". KS is read on a grid of both tables' 1,000 quantiles (error bound in the table).",
        "note");
    if (!ranked.isEmpty()) {
      List<Drift.ColumnDrift> top = ranked.subList(0, Math.min(30, ranked.size()));
      section.figure(
          "Population stability index per column, largest first",
          DataCharts.bars(
              top.stream().map(Drift.ColumnDrift::column).toList(),
              top.stream().mapToDouble(Drift.ColumnDrift::psi).toArray(),
              "PSI",
              "population stability index (0.1: some shift, 0.2: a major one)"));
    }
    section.table(table.header(), DataTables.cells(written));
    for (Drift.ColumnDrift c : ranked.subList(0, Math.min(DRAWN, ranked.size()))) {
      Map<String, double[]> series = new LinkedHashMap<>();
      series.put("reference", shares(c.reference()));
      series.put("input", shares(c.current()));
      double max = 0;
      for (double[] s : series.values()) {
        for (double v : s) {
          max = Math.max(max, v);
        }
      }
      section.figure(
          c.column() + ": share of rows per bin (PSI " + Charts.number(c.psi()) + ")",
          DataCharts.groupedBars(c.bins(), series, "share of the table's rows", max));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("reference", task.reference);
    result.put("reference_rows", drift.referenceRows());
    result.put("rows", drift.currentRows());
    Map<String, Double> psi = new LinkedHashMap<>();
    drift.columns().forEach(c -> psi.put(c.column(), c.psi()));
    result.put("psi", psi);
    result.put(
        "moved",
        ranked.stream().filter(c -> c.psi() >= limit).map(Drift.ColumnDrift::column).toList());
    if (task.explanations != null) {
      result.put("importance", importance(run, task, section, name));
    }
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put(name, run.outputPath(name));
    if (task.explanations != null) {
      outputs.put(name + "_importance", run.outputPath(name + "_importance"));
    }
    result.put("outputs", outputs);
    if (task.maxPsi != null) {
      Drift.ColumnDrift worst = ranked.isEmpty() ? null : ranked.get(0);
      double v = worst == null ? 0 : worst.psi();
      run.threshold(
          "drift",
          "largest population stability index"
              + (worst == null ? "" : " (column " + worst.column() + ")"),
          task.maxPsi,
          v,
          v <= task.maxPsi);
    }
    return result;
  }

  private static Object numeric(
      Drift.ColumnDrift c, java.util.function.Function<Drift.Numeric, Object> figure) {
    return c.numeric() == null ? null : figure.apply(c.numeric());
  }

  private static double[] shares(long[] counts) {
    double n = 0;
    for (long c : counts) {
      n += c;
    }
    double[] s = new double[counts.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = n == 0 ? 0 : counts[i] / n;
    }
    return s;
  }

  /** {@code table}'s compared columns and the model's output on it. */
  private static Dataset<Row> withModelOutput(
      AuditRun run, LoadedModel model, Dataset<Row> table, List<String> columns) {
    Dataset<Row> prepared = model.prepare(table);
    FeatureSpace features = run.input().features(model, prepared);
    ModelScorer scorer =
        new ModelScorer(model.source(), features)
            .setOnInvalid(run.input().onInvalid())
            .setPredictionCol("_trustlens_prediction")
            .setProbabilityCol("_trustlens_probability");
    Dataset<Row> scored = scorer.transform(prepared);
    Column output =
        model.info().isBinaryClassifier()
            ? element_at(col("_trustlens_probability"), 2)
            : model.info().kind().isClassification()
                ? col("_trustlens_prediction").cast(DataTypes.LongType).cast(DataTypes.StringType)
                : col("_trustlens_prediction");
    List<Column> keep = new ArrayList<>();
    columns.forEach(c -> keep.add(ColumnNames.col(c)));
    keep.add(output.as(MODEL_OUTPUT));
    // Drift reads each table three times: score it once (released when the task ends).
    return scored
        .select(keep.toArray(new Column[0]))
        .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
  }

  /** The two tables' importance rankings side by side, with their Spearman correlation. */
  private static Map<String, Object> importance(
      AuditRun run, DataSpec task, HtmlReport.Section section, String name) {
    Attributions now = Attributions.read(run, task.explanations);
    Attributions then = Attributions.read(run, task.referenceExplanations);
    List<String> players = new ArrayList<>(then.ranking());
    players.retainAll(now.importance().keySet());
    if (players.size() != then.importance().size() || players.size() != now.importance().size()) {
      throw new SpecException(
          "the explanations name other players: "
              + then.importance().keySet()
              + " in "
              + task.referenceExplanations
              + ", "
              + now.importance().keySet()
              + " in "
              + task.explanations);
    }
    List<String> rankThen = then.ranking();
    List<String> rankNow = now.ranking();
    record Player(String name, double then, double now, int rankThen, int rankNow) {}
    List<Player> rows = new ArrayList<>();
    double d2 = 0;
    for (String p : rankThen) {
      int a = rankThen.indexOf(p) + 1;
      int b = rankNow.indexOf(p) + 1;
      d2 += (double) (a - b) * (a - b);
      rows.add(new Player(p, then.importance().get(p), now.importance().get(p), a, b));
    }
    int n = rows.size();
    double spearman = n < 2 ? 1 : 1 - 6 * d2 / ((double) n * (n * n - 1));
    DataTables<Player> table =
        new DataTables<Player>()
            .text("player", Player::name)
            .number("reference_mean_abs_shap", Player::then)
            .number("current_mean_abs_shap", Player::now)
            .count("reference_rank", Player::rankThen)
            .count("current_rank", Player::rankNow);
    List<Row> written = table.write(run, name + "_importance", rows);
    section
        .paragraph(
            "Global importance (mean |shap|) in both tables' explanations: Spearman's rank"
                + " correlation "
                + Charts.number(spearman)
                + " (1: the same order).",
            null)
        .table(table.header(), DataTables.cells(written));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("spearman", spearman);
    result.put("reference_ranking", rankThen);
    result.put("current_ranking", rankNow);
    return result;
  }
}
