package io.trustlens.job;

import static org.apache.spark.sql.functions.arrays_zip;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import io.trustlens.explain.TableStage;
import io.trustlens.explain.shap.Background;
import io.trustlens.explain.shap.BackgroundSampler;
import io.trustlens.explain.shap.ShapExplainer;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.Capability;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code explain} task: per-row Shapley values ({@code shap}, {@code shap_base}, {@code
 * shap_gap}, {@code shap_class}) of one model, global importance (mean |shap| per player) in the
 * summary and a bar chart in the report.
 */
final class ExplainTask implements AuditTask<ExplainSpec> {
  static final int DEFAULT_BACKGROUND = 100;

  @Override
  public Map<String, Object> run(AuditRun run, ExplainSpec task) {
    String method = task.method == null ? "kernel" : task.method;
    run.input().requireUniqueIds(); // ids key each row's draws, maps and waterfalls
    if (ExplainKeys.isGradient(method)) {
      return new GradientTask().run(run, task);
    }
    if (method.equals("occlusion")) {
      return new OcclusionTask().run(run, task);
    }
    if (method.equals("sanity_checks")) {
      return run.model(run.spec().modelOf(task))
              .info()
              .capabilities()
              .contains(Capability.DIFFERENTIABLE)
          ? new SanityTask().run(run, task)
          : new MllibSanityTask().run(run, task);
    }
    if (method.equals("tree_rules")) {
      return new TreeRulesTask().run(run, task);
    }
    if (method.equals("linear_terms")) {
      return new LinearTermsTask().run(run, task);
    }
    if (method.equals("lime")) {
      return new LimeTask().run(run, task);
    }
    if (method.equals("nearest_examples")) {
      return new NearestExamplesTask().run(run, task);
    }
    if (method.equals("prototype_attention")) {
      return new PrototypeAttentionTask().run(run, task);
    }
    if (method.equals("activation_maximization")) {
      return new VisualizeTask().run(run, task);
    }
    LoadedModel model = run.model(run.spec().modelOf(task));
    AuditSpec.Input in = run.spec().input;
    Dataset<Row> prepared = run.input().prepare(model);
    FeatureSpace features = run.input().features(model, prepared);
    long seed = run.spec().seed;
    Background background =
        method.equals("tree")
            ? Background.of(new double[features.size()], features.size())
            : background(run, task, model, prepared, features, seed);
    String backgroundFrom = backgroundFrom(method, task);
    if (backgroundFrom.startsWith("the rows explained")) {
      run.warn(
          "the background ("
              + background.size()
              + " rows) is drawn from the rows being explained, so those rows are explained"
              + " against themselves and another subset of rows gets another base; for"
              + " explanations comparable across tables, pass --background PATH (a reference"
              + " table such as the training data)");
    }
    ShapExplainer explainer =
        new ShapExplainer(model.source(), features, background).setMethod(method).setSeed(seed);
    if (task.samples != null) {
      explainer.setSamples(task.samples);
    }
    if (task.target != null) {
      explainer.setTarget(model.target(task.target));
    }
    if (in.id != null) {
      explainer.setIdCol(in.id);
    }
    String name = task.name != null ? task.name : "shap";
    // TreeSHAP and linear SHAP take microseconds a row: not worth a shuffle.
    boolean cheap = method.equals("tree") || method.equals("linear");
    Dataset<Row> withShap = explainer.transform(cheap ? prepared : run.input().spread(prepared));
    boolean all = "all".equals(task.target);
    List<String> players = explainer.playerNames();
    // A small run's plotted first rows come with the statistics' pass; a larger table's are a limit
    // of their own.
    boolean gather = run.input().small() && !all;
    Supplier<Dataset<Row>> written = () -> run.readWritten(name);
    String path;
    ArrayStats stats;
    if (all) {
      // Every row holds one array per output: flattened for the statistics, read back.
      path = run.writeAppended(name, prepared, withShap);
      Dataset<Row> flat =
          written
              .get()
              .select(explode(arrays_zip(col("shap"), col("shap_base"), col("shap_gap"))).as("z"))
              .select(
                  col("z.shap").as("shap"),
                  col("z.shap_base").as("shap_base"),
                  col("z.shap_gap").as("shap_gap"));
      stats = ArrayStats.of(flat, "shap", players.size(), "shap_base", "shap_gap");
    } else {
      // The statistics, and a small run's plotted rows (with their prepared features, for the
      // plots), come from the rows as they are written.
      ArrayStats.Written pass =
          ArrayStats.whileWriting(
              withShap,
              run.appendedColumns(prepared, withShap),
              gather ? ShapReport.PLOTTED_ROWS : 0,
              "shap",
              players.size(),
              "shap_base",
              "shap_gap");
      path = run.writeTable(name, pass::table);
      stats = pass.stats(() -> model.prepare(written.get()));
    }
    double[] importance = stats.meanAbs();
    Map<String, Object> ranked = new LinkedHashMap<>();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < players.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -importance[i]));
    for (int i : order) {
      ranked.put(players.get(i), importance[i]);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", method);
    result.put("players", players);
    String target = explainer.getOrDefault(explainer.target());
    String explained = explained(target, model);
    result.put("target", target);
    result.put("class_explained", explained);
    result.put("background_rows", background.size());
    result.put("background_from", backgroundFrom);
    result.put("mean_abs_shap", ranked);
    result.put("mean_base", stats.mean(0));
    result.put("max_abs_gap", stats.maxAbs(1));
    result.put("outputs", Map.of(name, path));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put(
        "model",
        run.spec().models.get(run.spec().modelOf(task)) + " (" + model.info().type() + ")");
    facts.put("method", method);
    facts.put("class explained", explained);
    ExplainedUnit unit = ExplainedUnit.of(method, model.info());
    facts.put("explained in", unit.meaning());
    result.put("unit", unit.name());
    facts.put("players", players.size());
    facts.put("background rows", method.equals("tree") ? "none (tree covers)" : background.size());
    facts.put("largest |gap|", result.get("max_abs_gap"));
    facts.put("table", path);
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (" + method + ")").keyValues(facts);
    if (all) {
      // Per-output figures would repeat for every class; the bars rank players over all of them.
      section.figure(
          "Global importance: mean |Shapley value| per feature over every output",
          io.trustlens.report.Charts.bars(
              order.stream().limit(12).map(players::get).toList(),
              order.stream().limit(12).mapToDouble(i -> importance[i]).toArray()));
      return result;
    }
    ShapReport.figures(
        section,
        gather ? stats.head() : ShapReport.firstPrepared(model, written.get()),
        written,
        features,
        order,
        importance,
        task.waterfallRows,
        in.id,
        explained.replace(" (the positive class)", "") + ", in " + unit.name(),
        unit);
    return result;
  }

  /**
   * Points a table stage at the run's input: a bare model reads the input's vector or columns (a
   * pipeline makes its own features), rows are keyed by the input's id; images are refused.
   */
  static void readInput(
      AuditRun run, LoadedModel model, FeatureSpace features, TableStage<?> stage, String method) {
    if (!model.hasFeatureStages()) {
      switch (features.source()) {
        case VECTOR -> stage.setVectorCol(features.columns().get(0));
        case ARRAY, IMAGE ->
            throw new SpecException(
                method
                    + " reads table features, not images; for images use occlusion or the"
                    + " gradient methods");
        default -> stage.setFeaturesCols(features.columns().toArray(new String[0]));
      }
    }
    if (run.spec().input.id != null) {
      stage.setIdCol(run.spec().input.id);
    }
  }

  /** Where the background came from, for the summary. */
  static String backgroundFrom(String method, ExplainSpec task) {
    if (method.equals("tree")) {
      return "none (TreeSHAP uses the trees' training cover)";
    }
    String spec = task.background == null ? String.valueOf(DEFAULT_BACKGROUND) : task.background;
    if (spec.startsWith("kmeans:")) {
      return "the rows explained (k-means centres of the input table)";
    }
    if (spec.chars().allMatch(Character::isDigit)) {
      return "the rows explained (a seeded sample of the input table)";
    }
    return "the reference table " + spec;
  }

  /** The classes a written table explains, as its rows' class indices name them, for a report. */
  static String classesExplained(List<Integer> classes, ModelInfo info) {
    List<String> names = classes.stream().sorted().map(k -> info.outputNames().get(k)).toList();
    return names.size() == 1
        ? names.get(0)
        : "each row's predicted class (" + String.join(", ", names) + ")";
  }

  /**
   * What {@code target} explains, in words, for the summary and the report: with its class name
   * when the model's pipeline indexed the label's names ({@code class_2 (virginica)}).
   */
  static String explained(String target, LoadedModel model) {
    ModelInfo info = model.info();
    if (target.equals("all")) {
      return "every output";
    }
    int k = info.outputIndex(target);
    if (k >= 0) {
      String name = model.outputName(k);
      return target.equals(ModelInfo.AUTO) ? name + " (the positive class)" : name;
    }
    return info.kind().isClassification()
        ? "each row's predicted class"
        : "the output " + info.outputNames().get(0);
  }

  /** The task's background: a seeded sample (default 100 rows), k-means centres or a table. */
  static Background background(
      AuditRun run,
      ExplainSpec task,
      LoadedModel model,
      Dataset<Row> prepared,
      FeatureSpace features,
      long seed) {
    String spec = task.background == null ? String.valueOf(DEFAULT_BACKGROUND) : task.background;
    String id = run.spec().input.id;
    return run.referenceRows(
        () -> {
          if (spec.startsWith("kmeans:")) {
            return BackgroundSampler.kmeans(
                prepared, features, id, positive(spec.substring(7)), seed);
          }
          if (spec.chars().allMatch(Character::isDigit)) {
            return BackgroundSampler.sample(prepared, features, id, positive(spec), seed);
          }
          Dataset<Row> table = referenceTable(run, spec, "background", false);
          Dataset<Row> ready = model.prepare(table);
          return BackgroundSampler.sample(ready, features, null, 1000, seed);
        });
  }

  /**
   * A reference table read from {@code path} (the {@code what} of the task): it must hold every
   * column of the input with the same type, the id and label too when {@code withIdAndLabel}.
   */
  static Dataset<Row> referenceTable(
      AuditRun run, String path, String what, boolean withIdAndLabel) {
    AuditSpec.Input other = new AuditSpec.Input();
    other.path = path;
    Dataset<Row> table = run.readOther(other, what).table();
    AuditSpec.Input in = run.spec().input;
    for (var field : run.input().table().schema().fields()) {
      String c = field.name();
      if (!withIdAndLabel && (c.equals(in.id) || c.equals(in.label))) {
        continue;
      }
      if (table.schema().getFieldIndex(c).isEmpty()) {
        throw new SpecException(
            "the "
                + what
                + " table "
                + path
                + " lacks the column '"
                + c
                + "'; it needs the input's schema");
      }
      if (!table.schema().apply(c).dataType().equals(field.dataType())) {
        throw new SpecException(
            "the "
                + what
                + " table "
                + path
                + " has column '"
                + c
                + "' as "
                + table.schema().apply(c).dataType().simpleString()
                + "; the input has "
                + field.dataType().simpleString());
      }
    }
    return table;
  }

  private static int positive(String text) {
    try {
      int n = Integer.parseInt(text);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new SpecException(
        "background is a row count, kmeans:K or a table path; '" + text + "' is none of those");
  }
}
