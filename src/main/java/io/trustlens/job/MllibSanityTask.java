package io.trustlens.job;

import io.trustlens.explain.sanity.DataRandomization;
import io.trustlens.explain.sanity.SanityChecks;
import io.trustlens.explain.shap.Background;
import io.trustlens.explain.shap.ShapExplainer;
import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InternalRows;
import io.trustlens.model.BatchModel;
import io.trustlens.model.Capability;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.MllibModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.report.Charts;
import io.trustlens.report.HtmlReport;
import io.trustlens.uncertainty.TrainingSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.StructField;

/**
 * The {@code explain} task with method {@code sanity_checks} on an MLlib model: the data
 * randomization check of Adebayo et al. 2018 (arXiv 1810.03292) for the model-agnostic methods.
 * TrustLens fits the model's estimator again, with the model's settings, on the input with its
 * labels permuted ({@link PermutedLabels}), or takes that model from {@code permuted_model}; then
 * per method the Spearman correlation of each sampled row's |attributions| under the two models
 * ({@link DataRandomization}). A method whose attributions stay alike explains the data more than
 * the model. The cascading check needs layers, so it is for TorchScript models only.
 */
final class MllibSanityTask {
  /** Settings of the gradient methods, which an MLlib model's check does not use. */
  private static final List<String> GRADIENT_KEYS =
      List.of("noise", "steps", "rule", "baseline", "layer");

  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    String name = task.name != null ? task.name : "sanity_checks";
    LoadedModel model = run.model(run.spec().modelOf(task));
    ModelInfo info = model.info();
    refuseGradientSettings(task, info);
    List<String> compare = task.compare != null ? task.compare : defaults(info);
    for (String m : compare) {
      if (!DataRandomization.METHODS.contains(m)) {
        throw new SpecException(
            "sanity checks of "
                + info.type()
                + " compare model-agnostic methods "
                + DataRandomization.METHODS
                + "; "
                + m
                + " is a gradient method, which needs a TorchScript model");
      }
      ShapExplainer.requireCapability(m, info);
    }
    AuditSpec.Input in = run.spec().input;
    long seed = run.spec().seed;
    Dataset<Row> prepared = run.input().prepare(model);
    FeatureSpace features = run.input().features(model, prepared);
    if (features.image() != null) {
      throw new SpecException(
          "sanity checks of an MLlib model compare attributions of table features; the input is"
              + " an image column");
    }
    BatchModel trained = model.source().open();
    BatchModel permuted;
    String permutedFrom;
    if (task.permutedModel != null) {
      LoadedModel p = run.model(task.permutedModel);
      SanityTask.requireSameShape(p.info(), info);
      permuted = p.source().open();
      permutedFrom = run.spec().models.get(task.permutedModel);
    } else {
      if (in.label == null) {
        throw new SpecException(
            "sanity checks of an MLlib model fit its estimator again on permuted labels: name"
                + " the label column (--label), or give the same model trained on permuted"
                + " labels (--permuted-model)");
      }
      if (!(trained instanceof MllibModel mllib)) {
        throw new SpecException(
            "sanity checks fit the model's estimator again on permuted labels, which needs one"
                + " MLlib model; "
                + info.type()
                + " is not (give the same model trained on permuted labels as --permuted-model)");
      }
      PredictionModel<?, ?> refit =
          PermutedLabels.refit(
              mllib.model(),
              vectors(prepared, features, "skip".equals(run.input().onInvalid())),
              vectorColumn(features),
              in.label,
              keys(run),
              seed);
      permuted = MllibModel.of(refit, info.location() + " fitted on permuted labels");
      if (permuted.info().outputSize() != info.outputSize()) {
        throw new IllegalArgumentException(
            "fitted on the permuted labels of "
                + in.label
                + ", the model gives "
                + permuted.info().outputSize()
                + " outputs and the model "
                + info.outputSize()
                + ": does the label column hold the classes the model was trained on?");
      }
      permutedFrom = "fitted by TrustLens on the input with " + in.label + " permuted";
    }

    int wanted = task.rows == null ? SanityTask.DEFAULT_ROWS : task.rows;
    SanityTask.Compared compared =
        SanityTask.Compared.of(
            TrainingSample.of(
                prepared,
                features,
                in.id == null ? "" : in.id,
                "",
                "skip".equals(run.input().onInvalid()),
                2 * wanted,
                seed),
            wanted,
            features.size());
    int n = compared.n();
    double[] xs = compared.xs();
    long[] keys = compared.keys();
    String target = task.target == null ? ModelInfo.AUTO : model.target(task.target);
    int[] targets = targets(trained, xs, n, target);
    Background background = ExplainTask.background(run, task, model, prepared, features, seed);
    List<SanityChecks.Result> results =
        DataRandomization.run(
            trained,
            permuted,
            compare,
            features,
            background,
            xs,
            keys,
            targets,
            task.samples == null ? 0 : task.samples,
            seed);

    List<Row> rows = new ArrayList<>();
    for (SanityChecks.Result r : results) {
      for (int i = 0; i < n; i++) {
        double s = r.spearman()[i];
        rows.add(
            RowFactory.create(
                r.variant().check(),
                r.variant().label(),
                0,
                r.method(),
                i,
                Double.isNaN(s) ? null : s,
                null));
      }
    }
    String path =
        run.writeTable(name, run.spark().createDataFrame(rows, SanityTask.SCHEMA).coalesce(1));
    long written = InternalRows.count(run.readWritten(name));
    if (written != rows.size()) {
      throw new IllegalStateException(
          name + ": wrote " + rows.size() + " rows but reads back " + written);
    }

    String explained = ExplainTask.explained(target, model);
    Map<String, Object> verdicts = new LinkedHashMap<>();
    List<List<Object>> tableRows = new ArrayList<>();
    double[] means = new double[results.size()];
    for (int k = 0; k < results.size(); k++) {
      SanityChecks.Result r = results.get(k);
      double mean = r.meanSpearman();
      means[k] = mean;
      Map<String, Object> perMethod = new LinkedHashMap<>();
      perMethod.put("permuted_labels", Map.of("spearman", mean));
      perMethod.put("data_passed", mean < SanityTask.SIMILAR);
      perMethod.put(
          "verdict",
          mean < SanityTask.SIMILAR
              ? "passes the data check (Spearman " + fmt(mean) + " with permuted labels)"
              : "FAILS the data check: its attributions stay alike with permuted labels"
                  + " (Spearman "
                  + fmt(mean)
                  + ")");
      verdicts.put(r.method(), perMethod);
      tableRows.add(List.of(r.method(), "permuted labels", fmt(mean)));
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "sanity_checks");
    result.put("permuted_model", task.permutedModel);
    result.put("permuted_from", permutedFrom);
    result.put("rows_compared", n);
    result.put("target", target);
    result.put("class_explained", explained);
    result.put("background_rows", background.size());
    result.put(
        "cascading",
        "not applicable: an MLlib model has no layers to re-initialise (TorchScript models only)");
    result.put("similarity", "Spearman rank correlation of |attributions|");
    result.put("similar_below", SanityTask.SIMILAR);
    result.put("methods", verdicts);
    result.put("outputs", Map.of(name, path));

    HtmlReport.Section section = run.report().section("Explain: " + name + " (sanity checks)");
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put("permuted labels", permutedFrom);
    facts.put("rows compared", n);
    facts.put("class explained", explained);
    facts.put("table", path);
    section.keyValues(facts);
    section.paragraph(
        "Each method's attributions of a row are compared with its attributions under the same"
            + " estimator fitted on permuted labels. A method whose attributions stay alike (mean"
            + " Spearman of |attributions| at or above "
            + SanityTask.SIMILAR
            + ") shows the data more than what the model learnt. The cascading check needs"
            + " layers: TorchScript models only.",
        "note");
    section.figure(
        "Mean Spearman rank correlation of |attributions| with permuted labels (the class"
            + " explained: "
            + explained
            + "; below "
            + SanityTask.SIMILAR
            + " passes)",
        Charts.bars(results.stream().map(SanityChecks.Result::method).toList(), means));
    section.table(List.of("method", "check", "Spearman"), tableRows);
    for (String m : verdicts.keySet()) {
      section.paragraph(m + ": " + ((Map<?, ?>) verdicts.get(m)).get("verdict"), "");
    }
    return result;
  }

  /** The exact method the model has (tree, linear, else kernel), and feature occlusion. */
  static List<String> defaults(ModelInfo info) {
    String exact =
        info.capabilities().contains(Capability.TREE_ENSEMBLE)
            ? "tree"
            : info.capabilities().contains(Capability.LINEAR) ? "linear" : "kernel";
    return List.of(exact, "occlusion");
  }

  private static void refuseGradientSettings(ExplainSpec task, ModelInfo info) {
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("noise", task.noise);
    set.put("steps", task.steps);
    set.put("rule", task.rule);
    set.put("baseline", task.baseline);
    set.put("layer", task.layer);
    for (String key : GRADIENT_KEYS) {
      if (set.get(key) != null) {
        throw new SpecException(
            key
                + " applies to the gradient methods of a TorchScript model's sanity checks; "
                + info.type()
                + " is an MLlib model");
      }
    }
  }

  /** Per row the output explained under both models: a fixed one, or the trained prediction. */
  private static int[] targets(BatchModel trained, double[] xs, int n, String target) {
    ModelInfo info = trained.info();
    int k = info.outputIndex(target);
    if (k >= 0) {
      int[] targets = new int[n];
      java.util.Arrays.fill(targets, k);
      return targets;
    }
    int w = info.outputSize();
    return io.trustlens.explain.gradient.GradientBatches.predictedClasses(
        trained.outputs(xs, n), n, w);
  }

  /** The table with the features as one vector column (assembled when they are columns). */
  private static Dataset<Row> vectors(Dataset<Row> prepared, FeatureSpace features, boolean skip) {
    if (features.source() == FeatureSpace.Source.VECTOR) {
      return prepared;
    }
    if (features.source() == FeatureSpace.Source.ARRAY) {
      return prepared.withColumn(
          ASSEMBLED,
          org.apache.spark.ml.functions.array_to_vector(
              ColumnNames.col(features.columns().get(0))));
    }
    return new VectorAssembler()
        .setInputCols(features.columns().stream().map(ColumnNames::forStage).toArray(String[]::new))
        .setOutputCol(ASSEMBLED)
        .setHandleInvalid(skip ? "skip" : "error")
        .transform(prepared);
  }

  private static String vectorColumn(FeatureSpace features) {
    return features.source() == FeatureSpace.Source.VECTOR ? features.columns().get(0) : ASSEMBLED;
  }

  private static final String ASSEMBLED = "_sanity_features";

  /** The columns that key a row: the id, else every orderable input column. */
  private static List<Column> keys(AuditRun run) {
    String id = run.spec().input.id;
    if (id != null) {
      return List.of(ColumnNames.col(id));
    }
    List<Column> keys = new ArrayList<>();
    for (StructField f : run.input().table().schema().fields()) {
      if (f.dataType() instanceof AtomicType) {
        keys.add(ColumnNames.col(f.name()));
      }
    }
    return keys;
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }
}
