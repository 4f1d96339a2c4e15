package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.when;

import io.trustlens.explain.example.PrototypeAttention;
import io.trustlens.explain.example.PrototypeAttentionModel;
import io.trustlens.explain.example.Prototypes;
import io.trustlens.feature.ColumnNames;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.report.Charts;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code explain} task with method {@code prototype_attention}: per row the attention over
 * prototypes of the training table, the prototypes' prediction and whether it agrees with the
 * model's; in the summary the prototypes, their mean weight and the agreement; in the report the
 * mean weight per prototype and the first rows' heaviest prototypes.
 */
final class PrototypeAttentionTask {
  /** Rows shown with their heaviest prototypes in the report. */
  static final int SHOWN = 10;

  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    LoadedModel model = run.model(run.spec().modelOf(task));
    AuditSpec.Input in = run.spec().input;
    ModelInfo info = model.info();
    ExampleSpace space = ExampleSpace.of(run, task, model, "prototype_attention", true);
    boolean classifier = info.kind().isClassification();
    PrototypeAttention stage =
        new PrototypeAttention()
            .setLabelCol(in.label)
            .setIdCol(in.id)
            .setSeed(run.spec().seed)
            .setClasses(classifier ? Math.max(2, info.outputSize()) : 0)
            .setStandardize(task.embedding == null)
            .setPredictionCol(ExampleSpace.MODEL_PREDICTION);
    if (space.vectorCol().isEmpty()) {
      stage.setFeaturesCols(space.featuresCols());
    } else {
      stage.setVectorCol(space.vectorCol());
    }
    if (task.prototypes != null) {
      stage.setPrototypes(task.prototypes);
    }
    if (task.similarity != null) {
      stage.setSimilarity(task.similarity);
    }
    PrototypeAttentionModel fitted = stage.fit(space.training());
    fitted.transformSchema(space.queries().schema()); // every check before any output
    Prototypes prototypes = fitted.prototypes();
    String name = task.name != null ? task.name : "prototypes";
    String out = fitted.getOutputCol();
    String path =
        run.writeAppended(
            name,
            space.queries().drop(ExampleSpace.MODEL_PREDICTION),
            fitted.transform(space.queries()));

    Dataset<Row> written = run.readWritten(name);
    // weights are positive: their mean |value| per prototype is their mean, in one pass
    double[] meanWeight = ArrayStats.of(written, out + "_weights", prototypes.size()).meanAbs();
    // the agreement (or mean |gap|) and the heaviest weight's mean, sums exact (the same bits in
    // any partitioning)
    ArrayStats summary =
        ArrayStats.of(
            written.select(
                (classifier
                        ? when(col(out + "_agrees"), 1.0).otherwise(0.0)
                        : org.apache.spark.sql.functions.abs(col(out + "_gap")))
                    .as("fit"),
                element_at(col(out + "_top_weights"), 1).as("top")),
            null,
            0,
            "fit",
            "top");
    double fit = summary.mean(0) == null ? Double.NaN : summary.mean(0);
    double topWeight = summary.mean(1) == null ? Double.NaN : summary.mean(1);
    List<Map<String, Object>> listed = new ArrayList<>();
    double[] labels = prototypes.labels();
    int outputs = prototypes.outputs();
    for (int i = 0; i < prototypes.size(); i++) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("name", prototypes.name(i));
      List<Double> label = new ArrayList<>();
      for (int o = 0; o < outputs; o++) {
        label.add(labels[i * outputs + o]);
      }
      one.put(classifier ? "class_shares" : "value", classifier ? label : label.get(0));
      one.put("mean_weight", meanWeight[i]);
      listed.add(one);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "prototype_attention");
    result.put("examples", task.examples);
    result.put("space", space.described());
    result.put("standardized", stage.getStandardize());
    result.put("prototypes_from", stage.getPrototypes());
    result.put("similarity", stage.getSimilarity());
    result.put("training_rows_used", fitted.getTrainingRows());
    result.put("prototypes", listed);
    result.put(classifier ? "agreement" : "mean_abs_gap", fit);
    result.put("mean_top_weight", topWeight);
    result.put("outputs", Map.of(name, path));

    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put(
        "prototypes",
        prototypes.size()
            + " ("
            + stage.getPrototypes()
            + ") of "
            + fitted.getTrainingRows()
            + " training rows from "
            + task.examples);
    facts.put(
        "compared in",
        space.described() + (stage.getStandardize() ? ", as z-scores of the training rows" : ""));
    facts.put(
        "weights",
        "softmax of "
            + (stage.getSimilarity().equals("dot") ? "the inner product ⟨f(x), p⟩" : "−‖f(x) − p‖²")
            + " over the prototypes; mean weight of each row's heaviest "
            + String.format(java.util.Locale.ROOT, "%.3f", topWeight));
    facts.put(
        classifier ? "agreement with the model" : "mean |prototypes' value − model's|",
        String.format(
            java.util.Locale.ROOT,
            classifier ? "%.1f%% of rows" : "%.4g",
            classifier ? 100 * fit : fit));
    facts.put("table", path);
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (prototype attention)").keyValues(facts);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < prototypes.size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> Double.compare(meanWeight[b], meanWeight[a]));
    List<Integer> drawn = order.subList(0, Math.min(15, order.size()));
    section.figure(
        "Mean attention weight per prototype over the rows (heaviest first; weights of a row sum"
            + " to 1)",
        Charts.bars(
            drawn.stream().map(prototypes::name).toList(),
            drawn.stream().mapToDouble(i -> meanWeight[i]).toArray()));
    List<List<Object>> shown = new ArrayList<>();
    for (Row r : written.orderBy(ColumnNames.col(in.id)).limit(SHOWN).collectAsList()) {
      List<String> top = r.getList(r.fieldIndex(out + "_top"));
      List<Double> weights = r.getList(r.fieldIndex(out + "_top_weights"));
      StringBuilder heaviest = new StringBuilder();
      for (int a = 0; a < Math.min(3, top.size()); a++) {
        heaviest.append(a == 0 ? "" : "; ").append(top.get(a));
        heaviest.append(String.format(java.util.Locale.ROOT, " %.3f", weights.get(a)));
      }
      shown.add(
          List.of(
              r.get(r.fieldIndex(in.id)),
              heaviest.toString(),
              r.get(r.fieldIndex(out + "_prediction")),
              r.get(r.fieldIndex(ExampleSpace.MODEL_PREDICTION))));
    }
    section.table(
        List.of(in.id, "heaviest prototypes (weight)", "prototypes' prediction", "model's"), shown);
    return result;
  }
}
