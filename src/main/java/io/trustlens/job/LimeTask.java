package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;

import io.trustlens.explain.lime.LimeExplainer;
import io.trustlens.explain.lime.TabularLime;
import io.trustlens.explain.lime.TabularStatistics;
import io.trustlens.explain.lime.TextLime;
import io.trustlens.explain.shap.Background;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
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
 * The {@code explain} task with method {@code lime}: per-row LIME weights ({@code lime}, {@code
 * lime_intercept}, {@code lime_score}, {@code lime_prediction}, {@code lime_output}, {@code
 * lime_class}); in the summary the mean |weight| per player and the local fidelity; in the report
 * the importance bars and the fidelity's spread.
 */
final class LimeTask {
  /** Reference rows the statistics come from when the task names no table. */
  static final int DEFAULT_REFERENCE_ROWS = 1000;

  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    LoadedModel model = run.model(run.spec().modelOf(task));
    AuditSpec.Input in = run.spec().input;
    Dataset<Row> table = run.input().table();
    LimeExplainer stage =
        new LimeExplainer()
            .setModelPath(run.spec().models.get(run.spec().modelOf(task)))
            .setSeed(run.spec().seed);
    FeatureSpace inputFeatures =
        model.hasFeatureStages() ? null : run.input().features(model, table);
    boolean images = inputFeatures != null && inputFeatures.image() != null;
    if (images) {
      stage.setImageCol(inputFeatures.columns().get(0)).setImageShape(in.imageShape);
      if (in.id != null) {
        stage.setIdCol(in.id);
      }
    }
    io.trustlens.feature.TextEncoder text = images ? null : stage.text(table.schema());
    Dataset<Row> prepared = text != null || images ? table : run.input().prepare(model);
    if (task.superpixels != null && !images) {
      throw new SpecException(
          "superpixels applies to LIME on images; " + model.info().location() + " reads none");
    }
    if ((task.fill != null || task.fillValue != null) && !images) {
      throw new SpecException(
          (task.fill != null ? "fill" : "fill_value")
              + " applies to LIME on images (how hidden superpixels are painted)");
    }
    if (images) {
      // the table options are refused by the stage; below only what images take
    } else if (text == null) {
      ExplainTask.readInput(run, model, run.input().features(model, prepared), stage, "lime");
    } else if (in.id != null) {
      stage.setIdCol(in.id);
    }
    if (task.target != null) {
      stage.setTarget(model.target(task.target));
    }
    if (task.samples != null) {
      stage.setSamples(task.samples);
    }
    if (task.discretize != null && text == null) {
      stage.setDiscretize(task.discretize.equals("quartile"));
    }
    if (task.neighbourhood != null && text == null && !images) {
      stage.setNeighbourhood(task.neighbourhood);
    }
    if (task.kernelWidth != null) {
      stage.setKernelWidth(task.kernelWidth);
    }
    if (task.selection != null) {
      stage.setSelection(task.selection);
    }
    if (task.keep != null) {
      stage.setKeep(task.keep);
    }
    if (text != null) {
      return words(run, task, model, stage, text);
    }
    if (images) {
      return pictures(run, task, model, stage, inputFeatures);
    }
    FeatureSpace space = stage.features(prepared.schema());
    String spec =
        task.background == null ? String.valueOf(DEFAULT_REFERENCE_ROWS) : task.background;
    if (spec.startsWith("kmeans:")) {
      throw new SpecException(
          "lime draws perturbations from a reference table's quartiles and categories, not"
              + " k-means centres: give background a row count or a table path");
    }
    stage.requireFits(space); // before the reference rows are drawn
    ExplainSpec reference = new ExplainSpec();
    reference.background = spec;
    Background rows =
        ExplainTask.background(run, reference, model, prepared, space, run.spec().seed);
    String from = ExplainTask.backgroundFrom("lime", reference);
    if (from.startsWith("the rows explained")) {
      run.warn(
          "LIME's perturbations are drawn from statistics of "
              + rows.size()
              + " rows of the table being explained; pass --background PATH (the training data)"
              + " to draw them from a reference table");
    }
    stage.setStatistics(TabularStatistics.of(rows.rows(), space.size(), space.groups()));
    stage.transformSchema(table.schema()); // every check before any task runs
    String name = task.name != null ? task.name : "lime";
    String out = stage.getOutputCol();
    String path = run.writeAppended(name, table, stage.transform(run.input().spread(table)));

    Dataset<Row> written = run.readWritten(name);
    List<String> players = stage.playerNames(table.schema());
    ArrayStats stats = ArrayStats.of(written, out, players.size(), out + "_score", out + "_output");
    double[] importance = stats.meanAbs();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < players.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparingDouble((Integer i) -> -importance[i]));
    Map<String, Object> ranked = new LinkedHashMap<>();
    for (int i : order) {
      ranked.put(players.get(i), importance[i]);
    }
    Row fidelity = fidelity(written, out, stats, 0);
    ModelInfo info = model.info();
    String unit = info.kind().isClassification() ? "probability" : "output";
    double width =
        stage.getKernelWidth() > 0
            ? stage.getKernelWidth()
            : TabularLime.defaultWidth(players.size());
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "lime");
    result.put("players", players);
    result.put("target", stage.getTarget());
    result.put("class_explained", ExplainTask.explained(stage.getTarget(), model));
    result.put("unit", unit);
    result.put("samples", stage.getSamples());
    result.put("discretize", stage.getDiscretize() ? "quartile" : "none");
    result.put("neighbourhood", stage.getNeighbourhood());
    result.put("kernel_width", width);
    result.put("selection", stage.getSelection());
    if (!stage.getSelection().equals("none")) {
      result.put("keep", Math.min(stage.getKeep(), players.size()));
    }
    result.put("reference_rows", rows.size());
    result.put("reference_from", from);
    result.put("mean_abs_weight", ranked);
    result.put("mean_fidelity", fidelity.getDouble(0));
    result.put("min_fidelity", fidelity.getDouble(1));
    result.put("outputs", Map.of(name, path));

    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put("class explained", result.get("class_explained"));
    facts.put(
        "surrogate",
        "weighted ridge on "
            + (stage.getDiscretize() ? "quartile indicators" : "scaled values")
            + " of "
            + players.size()
            + " players, "
            + stage.getSamples()
            + (stage.getNeighbourhood().equals("shared")
                ? " samples per row (after its own, one draw shared by every row)"
                : " samples per row")
            + ", kernel width "
            + String.format(java.util.Locale.ROOT, "%.3f", width)
            + (stage.getSelection().equals("none")
                ? ""
                : ", " + result.get("keep") + " kept by " + stage.getSelection()));
    facts.put("reference", rows.size() + " rows, " + from);
    facts.put("mean local fidelity (weighted R²)", result.get("mean_fidelity"));
    facts.put("lowest local fidelity", result.get("min_fidelity"));
    facts.put("table", path);
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (lime)").keyValues(facts);
    section.figure(
        "Global importance: mean |LIME weight| per feature, "
            + unit
            + " of "
            + result.get("class_explained")
            + " per unit of the interpretable feature"
            + (stage.getDiscretize() ? " (row's own quartile bin or category: 1, else 0)" : ""),
        Charts.bars(
            order.stream().limit(12).map(players::get).toList(),
            order.stream().limit(12).mapToDouble(i -> importance[i]).toArray()));
    return result;
  }

  /** The first option given that only tables take, or null. */
  private static String tableOption(ExplainSpec task) {
    return task.background != null
        ? "background"
        : task.discretize != null
            ? "discretize"
            : task.neighbourhood != null ? "neighbourhood" : null;
  }

  /** The image path: one weight per superpixel of each image, no reference table. */
  private Map<String, Object> pictures(
      AuditRun run,
      ExplainSpec task,
      LoadedModel model,
      LimeExplainer stage,
      FeatureSpace features) {
    if (tableOption(task) != null) {
      throw new SpecException(
          tableOption(task) + " applies to LIME on tables; LIME hides superpixels of the images");
    }
    if (task.superpixels != null) {
      stage.setSuperpixels(task.superpixels);
    }
    String fill = task.fill == null ? "mean" : task.fill;
    switch (fill) {
      case "mean" -> {
        if (task.fillValue != null) {
          throw new SpecException("fill_value applies to fill constant, not mean");
        }
      }
      case "zero" -> stage.setHideValue(0);
      case "constant" -> {
        if (task.fillValue == null) {
          throw new SpecException("fill constant needs fill_value");
        }
        stage.setHideValue(task.fillValue);
      }
      default ->
          throw new SpecException(
              "fill is '"
                  + fill
                  + "'; LIME on images paints hidden superpixels in their mean,"
                  + " zero or a constant (fill_value)");
    }
    Dataset<Row> table = run.input().table();
    stage.transformSchema(table.schema()); // every check before any task runs
    String name = task.name != null ? task.name : "lime";
    String out = stage.getOutputCol();
    String path = run.writeAppended(name, table, stage.transform(run.input().spread(table)));
    Dataset<Row> written = run.readWritten(name);
    ModelInfo info = model.info();
    String unit = info.kind().isClassification() ? "probability" : "output";
    // The superpixels' count per image beside the fidelity, in the same pass over the table.
    String count = "__superpixels";
    ArrayStats stats =
        ArrayStats.of(
            written.withColumn(count, org.apache.spark.sql.functions.size(col(out))),
            null,
            0,
            out + "_score",
            count);
    Row fidelity = fidelity(written, out, stats, 0);
    double superpixels = stats.mean(1);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "lime");
    result.put("explained", "superpixels of " + stage.getImageCol());
    result.put("superpixels", stage.getSuperpixels());
    result.put("mean_superpixels", superpixels);
    result.put("fill", fill);
    result.put("target", stage.getTarget());
    result.put("class_explained", ExplainTask.explained(stage.getTarget(), model));
    result.put("unit", unit);
    result.put("samples", stage.getSamples());
    result.put(
        "kernel_width",
        stage.getKernelWidth() > 0
            ? stage.getKernelWidth()
            : io.trustlens.explain.lime.ImageLime.DEFAULT_WIDTH);
    result.put("selection", stage.getSelection());
    result.put("mean_fidelity", fidelity.getDouble(0));
    result.put("min_fidelity", fidelity.getDouble(1));
    result.put("map_shape", List.of(1, features.image().height(), features.image().width()));
    result.put("outputs", Map.of(name, path));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put("class explained", result.get("class_explained"));
    facts.put(
        "surrogate",
        String.format(
            java.util.Locale.ROOT,
            "weighted ridge on superpixel presence (%s, %.1f per image on average), %d samples"
                + " per image keeping each superpixel with probability 1/2, hidden ones painted"
                + " in %s; kernel width %s on cosine distance",
            stage.getSuperpixels(),
            superpixels,
            stage.getSamples(),
            fill.equals("mean") ? "their own mean" : "the value " + stage.getHideValue(),
            result.get("kernel_width")));
    facts.put("mean local fidelity (weighted R²)", result.get("mean_fidelity"));
    facts.put("table", path);
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (lime, superpixels)").keyValues(facts);
    GradientTask.drawImages(
        section,
        written,
        features,
        out,
        out + "_map",
        info,
        unit + " of the class explained, per superpixel kept",
        true,
        run.spec().input.id);
    return result;
  }

  /** The text path: one weight per distinct word of each row's text, no reference table. */
  private Map<String, Object> words(
      AuditRun run,
      ExplainSpec task,
      LoadedModel model,
      LimeExplainer stage,
      io.trustlens.feature.TextEncoder text) {
    if (tableOption(task) != null) {
      throw new SpecException(
          tableOption(task)
              + " applies to LIME on tables; "
              + model.info().location()
              + " reads the text column '"
              + text.textColumn()
              + "', whose words LIME removes");
    }
    Dataset<Row> table = run.input().table();
    stage.transformSchema(table.schema()); // every check before any task runs
    String name = task.name != null ? task.name : "lime";
    String out = stage.getOutputCol();
    String path = run.writeAppended(name, table, stage.transform(run.input().spread(table)));
    Dataset<Row> written = run.readWritten(name);
    ModelInfo info = model.info();
    String unit = info.kind().isClassification() ? "probability" : "output";
    Row fidelity = fidelity(written, out, ArrayStats.of(written, null, 0, out + "_score"), 0);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "lime");
    result.put("explained", "words of " + text.textColumn());
    result.put("target", stage.getTarget());
    result.put("class_explained", ExplainTask.explained(stage.getTarget(), model));
    result.put("unit", unit);
    result.put("samples", stage.getSamples());
    result.put(
        "kernel_width",
        stage.getKernelWidth() > 0 ? stage.getKernelWidth() : TextLime.DEFAULT_WIDTH);
    result.put("selection", stage.getSelection());
    result.put("mean_fidelity", fidelity.getDouble(0));
    result.put("min_fidelity", fidelity.getDouble(1));
    result.put("outputs", Map.of(name, path));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put("class explained", result.get("class_explained"));
    facts.put(
        "surrogate",
        "weighted ridge on word presence, "
            + stage.getSamples()
            + " texts per row with 1 to all of its distinct words removed, kernel width "
            + result.get("kernel_width")
            + " on cosine distance x 100");
    facts.put("mean local fidelity (weighted R²)", result.get("mean_fidelity"));
    facts.put("table", path);
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (lime, words)").keyValues(facts);
    OcclusionTask.words(
        section,
        result,
        written,
        out,
        text,
        unit + " of " + result.get("class_explained"),
        run.spec().input.id,
        "weight",
        "LIME's weight of each word (the surrogate's change of the "
            + unit
            + " when the word is present), over the rows that contain it: positive raises it.");
    return result;
  }

  /**
   * The surrogates' mean and lowest local fidelity over {@code written} (null where no row has
   * one), from the pass that gave {@code stats} (its scalar {@code j}: the {@code _score} column),
   * the mean summed exactly: the same bits for any partitioning of the rows explained. Only where a
   * score is NaN (a model that gave NaN) is the lowest SQL's {@code min}, which passes over NaN, at
   * the cost of a job of its own.
   */
  private static Row fidelity(Dataset<Row> written, String out, ArrayStats stats, int j) {
    Double lowest = stats.min(j);
    Object low =
        lowest != null && lowest.isNaN()
            ? written.agg(min(col(out + "_score"))).first().get(0)
            : lowest;
    return org.apache.spark.sql.RowFactory.create(stats.mean(j), low);
  }
}
