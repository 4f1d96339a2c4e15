package io.trustlens.job;

import io.trustlens.explain.design.LinearTermsExplainer;
import io.trustlens.explain.shap.Background;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LinearCoefficients;
import io.trustlens.model.LoadedModel;
import io.trustlens.report.Charts;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code explain} task with method {@code linear_terms} (MLlib linear and logistic
 * regressions): per-row terms ({@code terms}, {@code terms_centred}, {@code terms_intercept},
 * {@code terms_margin}, {@code terms_class}, and {@code terms_odds_ratio} for logistic); in the
 * summary the coefficients with their standardised magnitudes ({@code b sd} over the reference
 * rows) and the mean |centred term| per feature; in the report their bars.
 */
final class LinearTermsTask {
  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    LoadedModel model = run.model(run.spec().modelOf(task));
    Dataset<Row> table = run.input().table();
    Dataset<Row> prepared = run.input().prepare(model);
    FeatureSpace features = run.input().features(model, prepared);
    LinearTermsExplainer stage =
        new LinearTermsExplainer().setModelPath(run.spec().models.get(run.spec().modelOf(task)));
    ExplainTask.readInput(run, model, features, stage, "linear_terms");
    if (task.target != null) {
      stage.setTarget(model.target(task.target));
    }
    LinearCoefficients coefficients = stage.coefficients(); // refuses other models first
    FeatureSpace space = stage.features(prepared.schema());
    Background reference =
        ExplainTask.background(run, task, model, prepared, space, run.spec().seed);
    String from = ExplainTask.backgroundFrom("linear_terms", task);
    if (from.startsWith("the rows explained")) {
      run.warn(
          "the centred terms are taken against the mean of "
              + reference.size()
              + " rows of the table being explained; pass --background PATH (the training data)"
              + " for terms comparable across tables");
    }
    stage.setMeans(reference.mean());
    stage.transformSchema(table.schema()); // every check before any task runs
    String name = task.name != null ? task.name : "terms";
    String out = stage.getOutputCol();
    List<String> players = stage.playerNames(table.schema());
    // The statistics come from the rows as they are written.
    ArrayStats.Written pass =
        ArrayStats.whileWriting(
            run.appended(table, stage.transform(table)),
            0,
            out + "_centred",
            players.size(),
            out + "_margin");
    String path = run.writeTable(name, pass::table);
    ArrayStats stats = pass.stats(() -> run.readWritten(name));
    double[] importance = stats.meanAbs();
    int k = coefficients.outputs() == 2 && coefficients.logistic() ? 1 : 0;
    double[] b = coefficients.coefficients()[k];
    double[] sd = sd(reference, b.length);
    List<String> slots = space.names();
    List<Integer> bySize = new ArrayList<>();
    for (int j = 0; j < b.length; j++) {
      bySize.add(j);
    }
    bySize.sort(Comparator.comparingDouble((Integer j) -> -Math.abs(b[j] * sd[j])));
    List<Map<String, Object>> table2 = new ArrayList<>();
    for (int j : bySize) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("feature", slots.get(j));
      c.put("coefficient", b[j]);
      c.put("sd", sd[j]);
      c.put("standardised", b[j] * sd[j]);
      if (coefficients.logistic()) {
        c.put("odds_ratio_per_sd", Math.exp(b[j] * sd[j]));
      }
      table2.add(c);
    }
    Map<String, Object> ranked = new LinkedHashMap<>();
    List<Integer> order = new ArrayList<>();
    for (int g = 0; g < players.size(); g++) {
      order.add(g);
    }
    order.sort(Comparator.comparingDouble((Integer g) -> -importance[g]));
    for (int g : order) {
      ranked.put(players.get(g), importance[g]);
    }
    String unit = coefficients.logistic() ? "log-odds" : "output";
    String explained = ExplainTask.explained(stage.getTarget(), model);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "linear_terms");
    result.put("players", players);
    result.put("target", stage.getTarget());
    result.put("class_explained", explained);
    result.put("unit", unit);
    result.put("coefficients", table2);
    if (coefficients.outputs() <= 2) {
      result.put("intercept", coefficients.intercepts()[k]);
    }
    result.put("reference_rows", reference.size());
    result.put("reference_from", from);
    result.put("mean_abs_centred_term", ranked);
    result.put("outputs", Map.of(name, path));

    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put(
        "model",
        run.spec().models.get(run.spec().modelOf(task)) + " (" + model.info().type() + ")");
    facts.put("class explained", explained);
    facts.put("unit", unit + (coefficients.logistic() ? " (odds ratios in terms_odds_ratio)" : ""));
    facts.put("reference", reference.size() + " rows, " + from);
    facts.put("table", path);
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (linear terms)").keyValues(facts);
    List<Integer> top = bySize.subList(0, Math.min(12, bySize.size()));
    section.figure(
        "Standardised coefficients (coefficient x reference standard deviation, "
            + unit
            + " of "
            + explained
            + " per standard deviation of the feature; signed)",
        Charts.bars(
            top.stream().map(slots::get).toList(),
            top.stream().mapToDouble(j -> b[j] * sd[j]).toArray()));
    section.figure(
        "Mean |b (x - mean)| per feature over the rows, " + unit + " of " + explained,
        Charts.bars(
            order.stream().limit(12).map(players::get).toList(),
            order.stream().limit(12).mapToDouble(g -> importance[g]).toArray()));
    return result;
  }

  /** Each slot's weighted standard deviation over the reference rows. */
  private static double[] sd(Background reference, int d) {
    double[] mean = reference.mean();
    double[] var = new double[d];
    for (int r = 0; r < reference.size(); r++) {
      for (int j = 0; j < d; j++) {
        double e = reference.rows()[r * d + j] - mean[j];
        var[j] += reference.weights()[r] * e * e;
      }
    }
    for (int j = 0; j < d; j++) {
      var[j] = Math.sqrt(var[j]);
    }
    return var;
  }
}
