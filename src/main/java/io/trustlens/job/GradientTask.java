package io.trustlens.job;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

import io.trustlens.explain.gradient.GradientExplainer;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.report.Charts;
import io.trustlens.report.HtmlReport;
import io.trustlens.report.ImageMaps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code explain} task with a gradient method (saliency, smoothgrad, integrated_gradients) on a
 * TorchScript model: the map columns, mean |attribution| per feature (tables) and Integrated
 * Gradients' completeness gap in the summary; importance bars or image overlays in the report.
 */
final class GradientTask {
  /** Rows whose image maps the report draws: the first of the written table. */
  static final int DRAWN_IMAGES = 6;

  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    LoadedModel model = differentiable(run, run.spec().modelOf(task));
    AuditSpec.Input in = run.spec().input;
    Dataset<Row> table = run.input().table();
    FeatureSpace features = run.input().features(model, table);
    GradientExplainer stage = stage(run, task, task.method, features, table);
    String name = task.name != null ? task.name : stage.getOutputCol();
    String out = stage.getOutputCol();
    String path = run.writeAppended(name, table, stage.transform(run.input().spread(table)));

    Dataset<Row> written = run.readWritten(name);
    ModelInfo info = model.info();
    boolean integrated = stage.getMethod().equals("integrated_gradients");
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", stage.getMethod());
    result.put("variant", variantOf(stage));
    result.put("target", stage.getTarget());
    result.put("unit", unit(stage, info));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put("method", stage.getMethod() + " " + variantOf(stage));
    facts.put("unit", unit(stage, info));
    List<Integer> classes =
        written
            .select(out + "_class")
            .distinct()
            .as(org.apache.spark.sql.Encoders.INT())
            .collectAsList();
    result.put(
        "classes_explained",
        classes.stream().sorted().map(k -> info.outputNames().get(k)).toList());
    facts.put("class explained", ExplainTask.classesExplained(classes, info));
    if (integrated) {
      Row gaps =
          written
              .agg(
                  max(abs(col(out + "_gap"))),
                  max(
                      abs(col(out + "_gap"))
                          .divide(abs(col(out + "_output").minus(col(out + "_baseline_output"))))))
              .first();
      result.put("baseline", task.baseline == null ? "zero" : task.baseline);
      result.put("steps", stage.getSteps());
      result.put("rule", stage.getRule());
      result.put("max_abs_gap", gaps.isNullAt(0) ? null : gaps.getDouble(0));
      result.put("max_relative_gap", gaps.isNullAt(1) ? null : gaps.getDouble(1));
      facts.put("largest |gap|", result.get("max_abs_gap"));
      facts.put("largest |gap| / |f(x) - f(baseline)|", result.get("max_relative_gap"));
    }
    if (stage.getMethod().equals("smoothgrad")) {
      result.put("samples", stage.getSamples());
      result.put("noise", stage.getNoise());
    }
    facts.put("table", path);
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (" + stage.getMethod() + ")");
    if (features.image() == null) {
      Map<String, Object> ranked = importance(written, out, features.names());
      result.put("mean_abs_attribution", ranked);
      section.keyValues(
          facts.entrySet().stream()
              .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
      List<String> top = ranked.keySet().stream().limit(12).toList();
      if (classes.size() > 1) {
        section.paragraph(
            "Each row explains its own predicted class, so the bars mix classes; set the target"
                + " to one class for bars of that class alone.",
            "note");
      }
      section.figure(
          "Mean |"
              + stage.getMethod()
              + "| per feature ("
              + ExplainTask.classesExplained(classes, info)
              + ": "
              + unit(stage, info)
              + ")",
          Charts.bars(top, top.stream().mapToDouble(k -> (Double) ranked.get(k)).toArray()));
    } else {
      ImageShape shape = features.image();
      long[] mapShape = written.schema().apply(out).metadata().getLongArray("shape");
      result.put("map_shape", java.util.Arrays.stream(mapShape).boxed().toList());
      section.keyValues(facts);
      drawImages(section, written, features, stage, info, in.id);
    }
    result.put("outputs", Map.of(name, path));
    return result;
  }

  /**
   * The model named, checked to give input gradients: otherwise an error that names the methods
   * that apply.
   */
  static LoadedModel differentiable(AuditRun run, String name) {
    LoadedModel model = run.model(name);
    if (!model.info().capabilities().contains(io.trustlens.model.Capability.DIFFERENTIABLE)) {
      model.source().openDifferentiable(); // throws, naming the methods that apply
    }
    return model;
  }

  /** The stage of gradient {@code method} with the task's settings, checked against the table. */
  static GradientExplainer stage(
      AuditRun run, ExplainSpec task, String method, FeatureSpace features, Dataset<Row> table) {
    AuditSpec.Input in = run.spec().input;
    GradientExplainer stage =
        new GradientExplainer()
            .setModelPath(run.spec().models.get(run.spec().modelOf(task)))
            .setMethod(method)
            .setSeed(run.spec().seed);
    switch (features.source()) {
      case VECTOR -> stage.setVectorCol(features.columns().get(0));
      case ARRAY, IMAGE ->
          stage.setImageCol(features.columns().get(0)).setImageShape(in.imageShape);
      default -> stage.setFeaturesCols(features.columns().toArray(new String[0]));
    }
    if (in.id != null) {
      stage.setIdCol(in.id);
    }
    if (task.variant != null) {
      stage.setVariant(task.variant);
    }
    if (task.samples != null) {
      stage.setSamples(task.samples);
    }
    if (task.noise != null) {
      stage.setNoise(task.noise);
    }
    if (task.steps != null) {
      stage.setSteps(task.steps);
    }
    if (task.rule != null) {
      stage.setRule(task.rule);
    }
    if (task.target != null) {
      stage.setTarget(task.target);
    }
    if (task.layer != null) {
      stage.setLayer(task.layer);
    }
    if ("blur".equals(task.baseline)) {
      stage.setBaseline("blur");
    } else if ("mean".equals(task.baseline)) {
      stage.setBaseline("values").setBaselineValues(FeatureMeans.of(table, features));
    }
    stage.transformSchema(table.schema()); // every check before any task runs
    return stage;
  }

  private static String variantOf(GradientExplainer stage) {
    return switch (stage.getMethod()) {
      case "saliency" -> stage.getVariant().isEmpty() ? "absolute" : stage.getVariant();
      case "smoothgrad" -> stage.getVariant().isEmpty() ? "mean" : stage.getVariant();
      case "guided_backprop" -> stage.getVariant().isEmpty() ? "signed" : stage.getVariant();
      case "grad_cam" -> stage.getLayer().isEmpty() ? "layer from the card" : stage.getLayer();
      case "attention_rollout" -> "heads averaged, residual as identity";
      case "class_attention" -> "last layer, per head";
      default -> stage.getRule() + ", " + stage.getSteps() + " steps";
    };
  }

  /** What the map's values are, in the model's output unit. */
  static String unit(GradientExplainer stage, ModelInfo info) {
    String y =
        switch (info.kind()) {
          case LOGIT -> "logit";
          case PROBABILITY -> "probability";
          default -> "output";
        };
    String of = y + " of the class explained";
    return switch (stage.getMethod() + ":" + variantOf(stage)) {
      case "saliency:absolute" -> "|d " + of + " / d input|";
      case "saliency:signed" -> "d " + of + " / d input";
      case "saliency:input_x_gradient" -> "input x d " + of + " / d input";
      case "smoothgrad:mean" -> "mean of d " + of + " / d input over noisy copies";
      case "smoothgrad:squared" -> "mean of (d " + of + " / d input)^2 over noisy copies";
      case "guided_backprop:signed" -> "guided d " + of + " / d input";
      case "guided_backprop:absolute" -> "|guided d " + of + " / d input|";
      case "attention_rollout:heads averaged, residual as identity" ->
          "share of the class token's attention flowing from the patch (rollout; any class)";
      case "class_attention:last layer, per head" ->
          "the class token's attention to the patch in the last layer, per head (any class)";
      default ->
          stage.getMethod().equals("grad_cam")
              ? "ReLU(sum_k mean(d " + of + " / d A_k) A_k), resized to the input"
              : "change of the " + of + " from the baseline (sums to f(x) - f(baseline))";
    };
  }

  /** Mean |value| per map entry (column {@code out}), named and largest first. */
  static Map<String, Object> importance(Dataset<Row> written, String out, List<String> names) {
    double[] mean = ArrayStats.of(written, out, names.size()).meanAbs();
    List<Integer> order = new ArrayList<>();
    for (int j = 0; j < mean.length; j++) {
      order.add(j);
    }
    order.sort(Comparator.comparingDouble((Integer j) -> -mean[j]));
    Map<String, Object> ranked = new LinkedHashMap<>();
    order.forEach(j -> ranked.put(names.get(j), mean[j]));
    return ranked;
  }

  private static void drawImages(
      HtmlReport.Section section,
      Dataset<Row> written,
      FeatureSpace features,
      GradientExplainer stage,
      ModelInfo info,
      String idCol) {
    String v = variantOf(stage);
    boolean signed =
        !(v.equals("absolute")
            || v.equals("squared")
            || stage.getMethod().equals("grad_cam")
            || stage.getMethod().contains("attention"));
    drawImages(
        section, written, features, stage.getOutputCol(), info, unit(stage, info), signed, idCol);
  }

  /**
   * Draws the first {@link #DRAWN_IMAGES} rows of {@code written}: each input with its map (column
   * {@code out}, with {@code out_class} and {@code out_output}) laid over it, in {@code unit}.
   */
  static void drawImages(
      HtmlReport.Section section,
      Dataset<Row> written,
      FeatureSpace features,
      String out,
      ModelInfo info,
      String unit,
      boolean signed,
      String idCol) {
    drawImages(section, written, features, out, out, info, unit, signed, idCol);
  }

  /** As above with the map in column {@code map} (the others still prefixed {@code out}). */
  static void drawImages(
      HtmlReport.Section section,
      Dataset<Row> written,
      FeatureSpace features,
      String out,
      String map,
      ModelInfo info,
      String unit,
      boolean signed,
      String idCol) {
    ImageShape shape = features.image();
    FeatureSpace.Reader reader = features.reader(written.schema());
    List<Row> rows = written.limit(DRAWN_IMAGES).collectAsList();
    section.paragraph(
        "The first " + rows.size() + " rows: the input in grey, and the map laid over it.", "note");
    long position = 0;
    for (Row row : rows) {
      position++;
      double[] image = new double[features.size()];
      reader.read(row, image, 0);
      List<Number> values = row.getList(row.fieldIndex(map));
      double[] overlay = values.stream().mapToDouble(Number::doubleValue).toArray();
      int k = row.getInt(row.fieldIndex(out + "_class"));
      String who = idCol != null ? idCol + "=" + row.get(row.fieldIndex(idCol)) : "row " + position;
      section.figure(
          String.format(
              Locale.ROOT,
              "%s, class explained '%s' (output %.3g)",
              who,
              info.outputNames().get(k),
              row.getDouble(row.fieldIndex(out + "_output"))),
          ImageMaps.overlay(
              image, overlay, shape.channels(), shape.height(), shape.width(), signed, unit));
    }
  }
}
