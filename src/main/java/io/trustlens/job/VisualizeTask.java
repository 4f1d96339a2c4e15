package io.trustlens.job;

import io.trustlens.explain.visualize.ActivationMaximization;
import io.trustlens.explain.visualize.Target;
import io.trustlens.explain.visualize.Visualizer;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.InternalRows;
import io.trustlens.model.DifferentiableModel;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.TorchScriptModel;
import io.trustlens.report.HtmlReport;
import io.trustlens.report.ImageMaps;
import io.trustlens.uncertainty.TrainingSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructType;

/**
 * The {@code explain} task with method {@code activation_maximization}: one picture per target (an
 * output, or a unit of an exported layer), made on the executors; a table of the pictures and their
 * objectives, the pictures in the report.
 */
final class VisualizeTask {
  static final int DEFAULT_STEPS = 200;
  static final double DEFAULT_RATE = 0.02;
  static final double DEFAULT_DECAY = 0.01;
  static final int DEFAULT_JITTER = 1;
  static final double DEFAULT_BLUR = 0.5;
  static final int BLUR_EVERY = 4;

  /** Rows read to find the input range the pictures are clipped to. */
  static final int RANGE_ROWS = 1000;

  /** Pictures per figure of the report. */
  static final int PER_FIGURE = 6;

  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    String name = task.name != null ? task.name : "activation_maximization";
    LoadedModel model = GradientTask.differentiable(run, run.spec().modelOf(task));
    ModelInfo info = model.info();
    Dataset<Row> table = run.input().table();
    FeatureSpace features = run.input().features(model, table);
    ImageShape shape = features.image();
    if (shape == null && (task.jitter != null || task.blurSigma != null)) {
      throw new SpecException(
          (task.jitter != null ? "jitter" : "blur_sigma")
              + " applies to images; the input is a table (its features climb without jitter or"
              + " blur)");
    }
    List<Target> targets = targets(task.targets, info, model.source().openDifferentiable());
    TrainingSample sample = run.input().sample(features, RANGE_ROWS, run.spec().seed);
    double[] range = shape == null ? null : range(sample);
    TableBounds box = shape == null ? TableBounds.of(sample, features) : null;
    ActivationMaximization.Bounds bounds =
        shape == null
            ? box.bounds()
            : ActivationMaximization.Bounds.uniform(info.inputSize(), range[0], range[1]);
    ActivationMaximization.Settings settings =
        new ActivationMaximization.Settings(
            task.steps == null ? DEFAULT_STEPS : task.steps,
            task.rate == null ? DEFAULT_RATE : task.rate,
            task.decay == null ? DEFAULT_DECAY : task.decay,
            task.jitter == null ? (shape == null ? 0 : DEFAULT_JITTER) : task.jitter,
            task.blurSigma == null ? (shape == null ? 0 : DEFAULT_BLUR) : task.blurSigma,
            BLUR_EVERY,
            run.spec().seed);
    List<ActivationMaximization.Picture> pictures =
        Visualizer.run(
            run.spark(),
            model.source(),
            shape,
            targets,
            settings,
            bounds,
            run.spark().sparkContext().defaultParallelism());

    MetadataBuilder meta =
        new MetadataBuilder()
            .putString("meaning", "the input that maximizes the target, in the input's units");
    if (shape != null) {
      meta.putLongArray("shape", new long[] {shape.channels(), shape.height(), shape.width()});
    } else {
      meta.putStringArray("features", features.names().toArray(new String[0]));
    }
    Metadata pictureMeta = meta.build();
    StructType schema =
        new StructType()
            .add("target", DataTypes.StringType, false)
            .add("layer", DataTypes.StringType, true)
            .add("unit", DataTypes.IntegerType, false)
            .add(
                "picture",
                DataTypes.createArrayType(DataTypes.FloatType, false),
                false,
                pictureMeta)
            .add("start", DataTypes.DoubleType, false)
            .add("objective", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    for (ActivationMaximization.Picture p : pictures) {
      float[] values = new float[p.image().length];
      for (int j = 0; j < values.length; j++) {
        values[j] = (float) p.image()[j];
      }
      List<Float> boxed = new ArrayList<>();
      for (float v : values) {
        boxed.add(v);
      }
      rows.add(
          RowFactory.create(
              p.target().name(),
              p.target().layer(),
              p.target().index(),
              boxed,
              p.start(),
              p.objective()));
    }
    String path = run.writeTable(name, run.spark().createDataFrame(rows, schema).coalesce(1));
    long back = InternalRows.count(run.readWritten(name));
    if (back != rows.size()) {
      throw new IllegalStateException(name + ": wrote " + rows.size() + " rows, read " + back);
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "activation_maximization");
    result.put("steps", settings.steps());
    result.put("rate", settings.rate());
    result.put("decay", settings.decay());
    result.put("jitter", settings.jitter());
    result.put("blur_sigma", settings.blurSigma());
    if (shape != null) {
      result.put("input_range", List.of(range[0], range[1]));
    } else {
      result.put("input_range", "each feature's smallest and largest value in the sample");
      result.put("centre", "each feature's mean");
    }
    List<Map<String, Object>> perTarget = new ArrayList<>();
    for (ActivationMaximization.Picture p : pictures) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("target", p.target().name());
      t.put("objective_unit", unit(p.target(), info));
      t.put("start", p.start());
      t.put("objective", p.objective());
      if (box != null) {
        t.put("features_in_sd", box.standardized(p.image()));
      }
      perTarget.add(t);
    }
    result.put("targets", perTarget);
    result.put("outputs", Map.of(name, path));

    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (activation maximization)");
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    if (box != null) {
      return tableReport(run, task, name, info, settings, pictures, box, path, result);
    }
    facts.put(
        "ascent",
        String.format(
            Locale.ROOT,
            "%d steps of %.3g of the input range, L2 decay %.3g, jitter %d px, blur sigma %.3g px"
                + " every %d steps",
            settings.steps(),
            settings.rate(),
            settings.decay(),
            settings.jitter(),
            settings.blurSigma(),
            BLUR_EVERY));
    facts.put("input range (clipped to)", range[0] + " .. " + range[1]);
    facts.put("table", path);
    section.keyValues(facts);
    section.paragraph(
        "Each picture starts grey (the middle of the input range, with faint noise) and climbs the"
            + " gradient of its target; black is the range's low end, white its high end. Under"
            + " each: the objective from the start to the end.",
        "note");
    for (int from = 0; from < pictures.size(); from += PER_FIGURE) {
      List<ActivationMaximization.Picture> some =
          pictures.subList(from, Math.min(pictures.size(), from + PER_FIGURE));
      section.figure(
          some.stream()
              .map(
                  p ->
                      String.format(
                          Locale.ROOT,
                          "%s: %s %.3g → %.3g",
                          p.target().name(),
                          unit(p.target(), info),
                          p.start(),
                          p.objective()))
              .reduce((a, b) -> a + "; " + b)
              .orElse(""),
          ImageMaps.pictures(
              some.stream().map(p -> p.target().name()).toList(),
              some.stream().map(ActivationMaximization.Picture::image).toList(),
              shape.channels(),
              shape.height(),
              shape.width(),
              range[0],
              range[1]));
    }
    return result;
  }

  /** The targets named, checked against the model: outputs by name or index, LAYER:UNIT. */
  static List<Target> targets(List<String> named, ModelInfo info, DifferentiableModel model) {
    List<Target> targets = new ArrayList<>();
    if (named == null) {
      for (int k = 0; k < info.outputSize(); k++) {
        targets.add(new Target(null, k, info.outputNames().get(k)));
      }
      return targets;
    }
    for (String t : named) {
      int colon = t.lastIndexOf(':');
      if (colon < 0) {
        int k = info.outputNames().indexOf(t);
        if (k < 0
            && t.matches("\\d+")
            && t.length() < 9
            && Integer.parseInt(t) < info.outputSize()) {
          k = Integer.parseInt(t);
        }
        if (k < 0) {
          throw new IllegalArgumentException(
              "target '"
                  + t
                  + "' is not an output of the model "
                  + info.outputNames()
                  + " (give a name, an index, or LAYER:UNIT)");
        }
        targets.add(new Target(null, k, t));
        continue;
      }
      String layer = t.substring(0, colon);
      int unit;
      try {
        unit = Integer.parseInt(t.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "target '" + t + "': expected LAYER:UNIT with a unit number, such as conv2:3");
      }
      if (!(model instanceof TorchScriptModel torch)) {
        throw new IllegalArgumentException("target '" + t + "': this model exports no layers");
      }
      int units = torch.units(layer);
      if (unit < 0 || unit >= units) {
        throw new IllegalArgumentException(
            "target '" + t + "': " + layer + " has units 0.." + (units - 1));
      }
      targets.add(new Target(layer, unit, t));
    }
    return targets;
  }

  /** A table's pictures: per target its features in standard deviations from the mean. */
  private static Map<String, Object> tableReport(
      AuditRun run,
      ExplainSpec task,
      String name,
      ModelInfo info,
      ActivationMaximization.Settings settings,
      List<ActivationMaximization.Picture> pictures,
      TableBounds table,
      String path,
      Map<String, Object> result) {
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (activation maximization)");
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put(
        "ascent",
        String.format(
            Locale.ROOT,
            "%d steps of %.3g of each feature's range, L2 decay %.3g towards the mean",
            settings.steps(),
            settings.rate(),
            settings.decay()));
    facts.put("features clipped to", "their smallest and largest value in the sample");
    facts.put("table", path);
    section.keyValues(facts);
    section.paragraph(
        "Each target's input starts at the features' means and climbs the gradient of the target,"
            + " each feature in units of its own range; the bars give the final input's features"
            + " in standard deviations from their mean (the 12 farthest).",
        "note");
    for (ActivationMaximization.Picture p : pictures) {
      Map<String, Double> sd = table.standardized(p.image());
      List<String> top =
          sd.keySet().stream()
              .sorted(java.util.Comparator.comparingDouble((String f) -> -Math.abs(sd.get(f))))
              .limit(12)
              .toList();
      section.figure(
          String.format(
              Locale.ROOT,
              "%s: %s %.3g → %.3g; features in standard deviations from the mean",
              p.target().name(),
              unit(p.target(), info),
              p.start(),
              p.objective()),
          io.trustlens.report.Charts.bars(top, top.stream().mapToDouble(sd::get).toArray()));
    }
    return result;
  }

  /**
   * A table's box for the ascent from a sample: each feature's smallest and largest value, centred
   * on its mean; its standard deviation for the report.
   */
  record TableBounds(ActivationMaximization.Bounds bounds, double[] sd, List<String> names) {
    static TableBounds of(TrainingSample sample, FeatureSpace features) {
      double[][] rows = sample.rows();
      int d = features.size();
      if (rows.length < 2) {
        throw new IllegalArgumentException(
            "activation maximization of a table needs at least 2 rows to find each feature's"
                + " range; the input gives "
                + rows.length);
      }
      double[] low = new double[d];
      double[] high = new double[d];
      double[] mean = new double[d];
      double[] sd = new double[d];
      java.util.Arrays.fill(low, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(high, Double.NEGATIVE_INFINITY);
      for (double[] r : rows) {
        for (int j = 0; j < d; j++) {
          low[j] = Math.min(low[j], r[j]);
          high[j] = Math.max(high[j], r[j]);
          mean[j] += r[j] / rows.length;
        }
      }
      List<String> constant = new ArrayList<>();
      for (int j = 0; j < d; j++) {
        if (!(high[j] > low[j])) {
          constant.add(features.names().get(j));
        }
        for (double[] r : rows) {
          sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / (rows.length - 1);
        }
        sd[j] = Math.sqrt(sd[j]);
        mean[j] = Math.max(low[j], Math.min(high[j], mean[j]));
      }
      if (!constant.isEmpty()) {
        throw new IllegalArgumentException(
            "activation maximization moves each feature within its range; constant in the"
                + " sample: "
                + String.join(", ", constant.subList(0, Math.min(5, constant.size())))
                + (constant.size() > 5 ? " and " + (constant.size() - 5) + " more" : ""));
      }
      return new TableBounds(
          new ActivationMaximization.Bounds(low, high, mean), sd, features.names());
    }

    /** Each feature of {@code x} in standard deviations from its mean, by name. */
    Map<String, Double> standardized(double[] x) {
      Map<String, Double> out = new LinkedHashMap<>();
      for (int j = 0; j < x.length; j++) {
        out.put(names.get(j), (x[j] - bounds.centre()[j]) / sd[j]);
      }
      return out;
    }
  }

  /** The smallest and largest input value over a seeded sample of the table's rows. */
  private static double[] range(TrainingSample sample) {
    if (sample.rows().length == 0) {
      throw new IllegalArgumentException(
          "the input has no rows: activation maximization clips its pictures to the input's range");
    }
    double low = Double.POSITIVE_INFINITY;
    double high = Double.NEGATIVE_INFINITY;
    for (double[] row : sample.rows()) {
      for (double v : row) {
        low = Math.min(low, v);
        high = Math.max(high, v);
      }
    }
    if (!(high > low)) {
      throw new IllegalArgumentException(
          "the input's images hold one value only ("
              + low
              + "): activation maximization needs a range to clip its pictures to");
    }
    return new double[] {low, high};
  }

  private static String unit(Target t, ModelInfo info) {
    if (!t.isOutput()) {
      return "mean activation of " + t.layer() + " channel " + t.index();
    }
    String y =
        switch (info.kind()) {
          case LOGIT -> "logit";
          case PROBABILITY -> "probability";
          default -> "output";
        };
    return y + " of '" + info.outputNames().get(t.index()) + "'";
  }
}
