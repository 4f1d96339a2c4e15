package io.trustlens.job;

import io.trustlens.explain.visualize.ActivationMaximization;
import io.trustlens.explain.visualize.Target;
import io.trustlens.explain.visualize.Visualizer;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
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

  Map<String, Object> run(AuditRun run, AuditSpec.Task task) {
    String name = task.name != null ? task.name : "activation_maximization";
    LoadedModel model = GradientTask.differentiable(run, task.model);
    ModelInfo info = model.info();
    Dataset<Row> table = run.input().table();
    FeatureSpace features = run.input().features(model, table);
    ImageShape shape = features.image();
    if (shape == null) {
      throw new IllegalArgumentException(
          "activation maximization makes pictures: name the input's image column and its shape"
              + " (image, image_shape)");
    }
    List<Target> targets = targets(task.targets, info, model.source().openDifferentiable());
    double[] range = range(run, features);
    ActivationMaximization.Settings settings =
        new ActivationMaximization.Settings(
            task.steps == null ? DEFAULT_STEPS : task.steps,
            task.rate == null ? DEFAULT_RATE : task.rate,
            task.decay == null ? DEFAULT_DECAY : task.decay,
            task.jitter == null ? DEFAULT_JITTER : task.jitter,
            task.blurSigma == null ? DEFAULT_BLUR : task.blurSigma,
            BLUR_EVERY,
            range[0],
            range[1],
            run.spec().seed);
    List<ActivationMaximization.Picture> pictures =
        Visualizer.run(
            run.spark(),
            model.source(),
            shape,
            targets,
            settings,
            run.spark().sparkContext().defaultParallelism());

    Metadata pictureMeta =
        new MetadataBuilder()
            .putLongArray("shape", new long[] {shape.channels(), shape.height(), shape.width()})
            .putString("meaning", "the input that maximizes the target, in the input's units")
            .build();
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
    long back = run.readWritten(name).count();
    if (back != rows.size()) {
      throw new IllegalStateException(name + ": wrote " + rows.size() + " rows, read " + back);
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", task.model);
    result.put("method", "activation_maximization");
    result.put("steps", settings.steps());
    result.put("rate", settings.rate());
    result.put("decay", settings.decay());
    result.put("jitter", settings.jitter());
    result.put("blur_sigma", settings.blurSigma());
    result.put("input_range", List.of(range[0], range[1]));
    List<Map<String, Object>> perTarget = new ArrayList<>();
    for (ActivationMaximization.Picture p : pictures) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("target", p.target().name());
      t.put("objective_unit", unit(p.target(), info));
      t.put("start", p.start());
      t.put("objective", p.objective());
      perTarget.add(t);
    }
    result.put("targets", perTarget);
    result.put("outputs", Map.of(name, path));

    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (activation maximization)");
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(task.model) + " (" + info.type() + ")");
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

  /** The smallest and largest input value over a seeded sample of the table's rows. */
  private static double[] range(AuditRun run, FeatureSpace features) {
    TrainingSample sample = run.input().sample(features, RANGE_ROWS, run.spec().seed);
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
