package io.trustlens.job;

import io.trustlens.explain.occlusion.OcclusionExplainer;
import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.TextEncoder;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.report.Charts;
import io.trustlens.report.HtmlReport;
import io.trustlens.report.TextMaps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * The {@code explain} task with method {@code occlusion}, on any model: the map columns; in the
 * summary the mean |drop| per feature (tables) or the words whose removal moves the output most
 * (text); in the report image overlays, importance bars or highlighted texts.
 */
final class OcclusionTask {
  /** Texts the report highlights: the first of the written table. */
  static final int DRAWN_TEXTS = 5;

  /** Words the summary and the report rank. */
  static final int RANKED_WORDS = 20;

  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    LoadedModel model = run.model(run.spec().modelOf(task));
    AuditSpec.Input in = run.spec().input;
    Dataset<Row> table = run.input().table();
    OcclusionExplainer stage =
        new OcclusionExplainer().setModelPath(run.spec().models.get(run.spec().modelOf(task)));
    if (in.id != null) {
      stage.setIdCol(in.id);
    }
    if (task.target != null) {
      stage.setTarget(model.target(task.target));
    }
    TextEncoder text = stage.text(table.schema());
    FeatureSpace features = null;
    if (text != null) {
      if (task.ngrams != null) {
        stage.setNgrams(task.ngrams);
      }
      for (var e :
          Ordered.map("patch", task.patch != null, "stride", task.stride != null).entrySet()) {
        if (Boolean.TRUE.equals(e.getValue())) {
          throw new SpecException(
              e.getKey() + " applies to images; " + model.info().location() + " reads text");
        }
      }
      if (task.fill != null) {
        throw new SpecException(
            "fill applies to images and tables; occluded words are removed from the text");
      }
    } else {
      Dataset<Row> prepared = run.input().prepare(model);
      features = run.input().features(model, prepared);
      if (!model.hasFeatureStages()) {
        switch (features.source()) {
          case VECTOR -> stage.setVectorCol(features.columns().get(0));
          case ARRAY, IMAGE ->
              stage.setImageCol(features.columns().get(0)).setImageShape(in.imageShape);
          default -> stage.setFeaturesCols(features.columns().toArray(new String[0]));
        }
      }
      features = stage.features(prepared.schema());
      settings(stage, task, features, prepared);
    }
    stage.transformSchema(table.schema()); // every check before any task runs
    String name = task.name != null ? task.name : "occlusion";
    String out = stage.getOutputCol();
    String path = run.writeAppended(name, table, stage.transform(run.input().spread(table)));

    Dataset<Row> written = run.readWritten(name);
    ModelInfo info = model.info();
    String unit = unit(info);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "occlusion");
    result.put("target", stage.getTarget());
    result.put("unit", unit);
    List<Integer> classes =
        written.select(out + "_class").distinct().as(Encoders.INT()).collectAsList();
    result.put(
        "classes_explained",
        classes.stream().sorted().map(k -> info.outputNames().get(k)).toList());
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put("class explained", ExplainTask.classesExplained(classes, info));
    facts.put("unit", unit);
    facts.put("table", path);
    HtmlReport.Section section = run.report().section("Explain: " + name + " (occlusion)");
    if (text != null) {
      result.put("occluded", "words of " + text.textColumn());
      result.put("ngrams", stage.getNgrams());
      facts.put(
          "occluded",
          "each word"
              + (stage.getNgrams() > 1 ? " and run of up to " + stage.getNgrams() + " words" : "")
              + " of '"
              + text.textColumn()
              + "', removed");
      section.keyValues(facts);
      words(section, result, written, out, text, unit, in.id);
    } else if (features.image() != null) {
      ImageShape shape = features.image();
      int side = Math.min(shape.height(), shape.width());
      int patch = stage.getPatch() > 0 ? stage.getPatch() : Math.max(1, side / 8);
      int stride = stage.getStride() > 0 ? stage.getStride() : Math.max(1, patch / 2);
      result.put("occluded", "patches");
      result.put("patch", patch);
      result.put("stride", stride);
      result.put("fill", stage.getFill());
      result.put("map_shape", List.of(1, shape.height(), shape.width()));
      facts.put(
          "occluded",
          patch
              + "x"
              + patch
              + " patches every "
              + stride
              + " pixels, filled with "
              + fillWords(stage));
      section.keyValues(facts);
      GradientTask.drawImages(section, written, features, out, info, unit, true, in.id);
    } else {
      result.put("occluded", "features");
      result.put("fill", task.fill == null ? "zero" : task.fill);
      facts.put(
          "occluded",
          "one feature at a time, set to "
              + fillWords(stage)
              + (task.fill != null && task.fill.equals("mean") ? " (the input table's mean)" : ""));
      section.keyValues(facts);
      List<String> names = features.groups().stream().map(FeatureGroup::name).toList();
      Map<String, Object> ranked = GradientTask.importance(written, out, names);
      result.put("mean_abs_occlusion", ranked);
      if (classes.size() > 1) {
        section.paragraph(
            "Each row explains its own predicted class, so the bars mix classes; set the target"
                + " to one class for bars of that class alone.",
            "note");
      }
      List<String> top = ranked.keySet().stream().limit(12).toList();
      section.figure(
          "Mean |drop| per feature when it is occluded ("
              + ExplainTask.classesExplained(classes, info)
              + ": "
              + unit
              + ")",
          Charts.bars(top, top.stream().mapToDouble(k -> (Double) ranked.get(k)).toArray()));
    }
    result.put("outputs", Map.of(name, path));
    return result;
  }

  /** Patch, stride and fill from the task; a table's mean fill is the input's feature means. */
  private static void settings(
      OcclusionExplainer stage, ExplainSpec task, FeatureSpace features, Dataset<Row> prepared) {
    if (task.ngrams != null) {
      throw new SpecException(
          "ngrams applies to text; this model reads "
              + (features.image() != null ? "images" : "table features"));
    }
    if (task.patch != null) {
      stage.setPatch(task.patch);
    }
    if (task.stride != null) {
      stage.setStride(task.stride);
    }
    if ("mean".equals(task.fill) && features.image() == null) {
      stage.setFill("values").setFillValues(FeatureMeans.of(prepared, features));
    } else if (task.fill != null) {
      stage.setFill(task.fill);
    }
    if (task.fillValue != null) {
      stage.setFillValue(task.fillValue);
    }
  }

  private static String fillWords(OcclusionExplainer stage) {
    return switch (stage.getFill()) {
      case "constant" -> String.valueOf(stage.getFillValue());
      case "mean" -> "the image's mean per channel";
      case "blur" -> "the image blurred (sigma " + stage.getBlurSigma() + " pixels)";
      case "values" -> "given values";
      default -> "zero";
    };
  }

  /** What a map's values are. */
  static String unit(ModelInfo info) {
    String y =
        switch (info.kind()) {
          case LOGIT -> "logit";
          case PROBABILITY -> "probability";
          default -> "output";
        };
    return "drop of the " + y + " of the class explained when occluded";
  }

  private static void words(
      HtmlReport.Section section,
      Map<String, Object> result,
      Dataset<Row> written,
      String out,
      TextEncoder text,
      String unit,
      String idCol) {
    words(
        section,
        result,
        written,
        out,
        text,
        unit,
        idCol,
        "drop",
        "The words whose removal moves the output most, over the rows that contain them: a"
            + " positive mean drop means the word raises the output.");
  }

  /**
   * The words of a text method's table ({@code out}: one value per word, {@code out_words} the
   * words) ranked by mean |value| ({@code noun}: what a value is), and the first texts highlighted.
   */
  static void words(
      HtmlReport.Section section,
      Map<String, Object> result,
      Dataset<Row> written,
      String out,
      TextEncoder text,
      String unit,
      String idCol,
      String noun,
      String explanation) {
    List<WordMeans.Word> ranked = WordMeans.top(written, out + "_words", out, RANKED_WORDS);
    List<Map<String, Object>> top = new ArrayList<>();
    List<List<Object>> cells = new ArrayList<>();
    for (WordMeans.Word r : ranked) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("word", r.word());
      w.put("mean_" + noun, r.mean());
      w.put("mean_abs_" + noun, r.meanAbs());
      w.put("rows", r.rows());
      top.add(w);
      cells.add(Arrays.asList(r.word(), r.mean(), r.meanAbs(), r.rows()));
    }
    result.put("top_words", top);
    section.paragraph(explanation, "note");
    section.table(List.of("word", "mean " + noun, "mean |" + noun + "|", "rows with it"), cells);
    List<WordMeans.Word> drawn = ranked.subList(0, Math.min(12, ranked.size()));
    section.figure(
        "Mean " + noun + " per word, largest |" + noun + "| first (" + unit + ")",
        Charts.bars(
            drawn.stream().map(WordMeans.Word::word).toList(),
            drawn.stream().mapToDouble(w -> w.mean() == null ? Double.NaN : w.mean()).toArray()));
    long position = 0;
    for (Row row : written.limit(DRAWN_TEXTS).collectAsList()) {
      position++;
      List<String> words = row.getList(row.fieldIndex(out + "_words"));
      List<Double> drops = row.getList(row.fieldIndex(out));
      Map<String, Double> values = new LinkedHashMap<>();
      for (int k = 0; k < words.size(); k++) {
        values.put(words.get(k), drops.get(k));
      }
      String who = idCol != null ? idCol + "=" + row.get(row.fieldIndex(idCol)) : "row " + position;
      section.figure(
          String.format(
              Locale.ROOT, "%s, output %.4g", who, row.getDouble(row.fieldIndex(out + "_output"))),
          TextMaps.highlight(
              text.tokens(row.getString(row.fieldIndex(text.textColumn()))), values, unit));
    }
  }
}
