package io.trustlens.job;

import io.trustlens.explain.gradient.GradientExplainer;
import io.trustlens.explain.gradient.GradientMethod;
import io.trustlens.explain.sanity.SanityChecks;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.InternalRows;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.report.Charts;
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
import org.apache.spark.sql.types.StructType;

/**
 * The {@code explain} task with method {@code sanity_checks} (Adebayo et al. 2018, arXiv
 * 1810.03292): the similarity of each compared gradient method's maps, on a sample of rows, to
 * themselves under the model with its layers randomized from the top down and under the network
 * trained on permuted labels; a table of per-row similarities, a verdict per method in the summary,
 * and the cascade figure, a table and example maps in the report.
 */
final class SanityTask {
  /** Rows compared unless the task says. */
  static final int DEFAULT_ROWS = 32;

  /**
   * Below this mean Spearman correlation of |maps| with the trained model's, a method's maps are
   * taken to depend on what the model learnt: the paper's gradients fall to about 0 and its guided
   * backpropagation stays near 1 on Inception v3.
   */
  static final double SIMILAR = 0.5;

  static final StructType SCHEMA =
      new StructType()
          .add("check", DataTypes.StringType, false)
          .add("randomized", DataTypes.StringType, false)
          .add("layers_randomized", DataTypes.IntegerType, false)
          .add("method", DataTypes.StringType, false)
          .add("row", DataTypes.IntegerType, false)
          .add("spearman", DataTypes.DoubleType, true)
          .add("ssim", DataTypes.DoubleType, true);

  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    String name = task.name != null ? task.name : "sanity_checks";
    LoadedModel model = GradientTask.differentiable(run, run.spec().modelOf(task));
    ModelInfo info = model.info();
    if (task.background != null) {
      throw new SpecException(
          "background applies to the sanity checks of an MLlib model (its model-agnostic"
              + " methods); the gradient methods of "
              + info.type()
              + " use none");
    }
    for (String m : task.compare == null ? List.<String>of() : task.compare) {
      if (!ExplainKeys.isGradient(m)) {
        throw new SpecException(
            "compare names '"
                + m
                + "'; the sanity checks of a TorchScript model compare gradient methods "
                + GradientExplainer.METHODS);
      }
    }
    LoadedModel permuted = null;
    if (task.permutedModel != null) {
      permuted = run.model(task.permutedModel);
      ModelInfo p = permuted.info();
      requireSameShape(p, info);
      permuted.source().openPrivateCopy().close(); // a TorchScript module, or a clear error
    } else {
      run.warn(
          name,
          "no permuted_model: the data randomization check is skipped (export the same network"
              + " trained on permuted labels and name it)");
    }
    Dataset<Row> table = run.input().table();
    FeatureSpace features = run.input().features(model, table);
    List<String> compare = task.compare;
    Map<String, GradientMethod> methods = new LinkedHashMap<>();
    GradientExplainer stage = null;
    if (compare == null) {
      GradientExplainer probe = GradientTask.stage(run, task, "saliency", features, table);
      compare = defaults(probe.exportedMethods(), features.image() != null);
    }
    for (String m : compare) {
      stage = GradientTask.stage(run, task, m, features, table);
      methods.put(m, stage.core(features));
    }
    int target = stage.targetIndex(info);
    int wanted = task.rows == null ? DEFAULT_ROWS : task.rows;
    long seed = run.spec().seed;
    Compared compared =
        Compared.of(run.input().sample(features, 2 * wanted, seed), wanted, features.size());
    int n = compared.n();
    double[] xs = compared.xs();
    long[] keys = compared.keys();
    ImageShape image = features.image();
    List<SanityChecks.Result> results =
        SanityChecks.run(
            run.spark(),
            model.source(),
            permuted == null ? null : permuted.source(),
            methods,
            xs,
            keys,
            target,
            image,
            seed);

    List<Row> rows = new ArrayList<>();
    for (SanityChecks.Result r : results) {
      for (int i = 0; i < n; i++) {
        rows.add(
            RowFactory.create(
                r.variant().check(),
                r.variant().label(),
                r.variant().level(),
                r.method(),
                i,
                nullIfNaN(r.spearman()[i]),
                nullIfNaN(r.ssim()[i])));
      }
    }
    String path = run.writeTable(name, run.spark().createDataFrame(rows, SCHEMA).coalesce(1));
    long written = InternalRows.count(run.readWritten(name));
    if (written != rows.size()) {
      throw new IllegalStateException(
          name + ": wrote " + rows.size() + " rows but reads back " + written);
    }

    List<String> cascade = new ArrayList<>();
    for (SanityChecks.Result r : results) {
      if (r.variant().check().equals(SanityChecks.CASCADING) && !cascade.contains(tick(r))) {
        cascade.add(tick(r));
      }
    }
    Map<String, Object> verdicts = new LinkedHashMap<>();
    Map<String, double[]> spearmanLines = new LinkedHashMap<>();
    Map<String, double[]> ssimLines = new LinkedHashMap<>();
    List<List<Object>> tableRows = new ArrayList<>();
    for (String m : methods.keySet()) {
      Map<String, Object> perMethod = new LinkedHashMap<>();
      List<Map<String, Object>> steps = new ArrayList<>();
      double[] sp = new double[cascade.size()];
      double[] ss = new double[cascade.size()];
      double last = Double.NaN;
      Double data = null;
      for (SanityChecks.Result r : results) {
        if (!r.method().equals(m)) {
          continue;
        }
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("randomized", r.variant().label());
        step.put("spearman", nullIfNaN(r.meanSpearman()));
        step.put("ssim", nullIfNaN(r.meanSsim()));
        tableRows.add(
            List.of(
                m,
                r.variant().check(),
                r.variant().label(),
                fmt(r.meanSpearman()),
                fmt(r.meanSsim())));
        if (r.variant().check().equals(SanityChecks.CASCADING)) {
          steps.add(step);
          sp[r.variant().level()] = r.meanSpearman();
          ss[r.variant().level()] = r.meanSsim();
          last = r.meanSpearman();
        } else {
          data = r.meanSpearman();
          perMethod.put("permuted_labels", step);
        }
      }
      perMethod.put("cascading", steps);
      int alike = alikeUntil(sp);
      perMethod.put("layers_randomized_while_alike", alike);
      perMethod.put("cascading_passed", last < SIMILAR);
      if (data != null) {
        perMethod.put("data_passed", data < SIMILAR);
      }
      perMethod.put("verdict", verdict(last, alike, sp.length - 1, data));
      verdicts.put(m, perMethod);
      spearmanLines.put(m, sp);
      ssimLines.put(m, ss);
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "sanity_checks");
    result.put("permuted_model", task.permutedModel);
    result.put("rows_compared", n);
    result.put("target", stage.getTarget());
    result.put(
        "layers_from_the_top",
        cascade.subList(1, cascade.size()).stream().map(t -> t.replace("+", "")).toList());
    result.put("similarity", "Spearman rank correlation of |map| (summed over channels), and SSIM");
    result.put("similar_below", SIMILAR);
    result.put("methods", verdicts);
    result.put("outputs", Map.of(name, path));

    HtmlReport.Section section = run.report().section("Explain: " + name + " (sanity checks)");
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put(
        "permuted labels",
        task.permutedModel == null ? "not checked" : run.spec().models.get(task.permutedModel));
    facts.put("rows compared", n);
    facts.put("class explained", target < 0 ? "each row's predicted class" : stage.getTarget());
    facts.put("table", path);
    section.keyValues(facts);
    section.paragraph(
        "Each method's map of a row is compared with its map under the trained model while the"
            + " layers are re-initialised from the output down, and under the same network"
            + " trained on permuted labels. A method whose maps stay alike (mean Spearman of"
            + " |map| at or above "
            + SIMILAR
            + ") shows the input more than what the model learnt.",
        "note");
    section.figure(
        "Mean Spearman rank correlation of |map| with the trained model's, as layers are"
            + " randomized from the top (the class explained: "
            + (target < 0 ? "each row's predicted class" : stage.getTarget())
            + ")",
        Charts.lines(
            "layers randomized, from the output down", cascade, "Spearman", -1, 1, spearmanLines));
    if (image != null) {
      section.figure(
          "Mean SSIM of |map| (each scaled to its largest value) with the trained model's",
          Charts.lines(
              "layers randomized, from the output down", cascade, "SSIM", -1, 1, ssimLines));
    }
    section.table(List.of("method", "check", "randomized", "Spearman", "SSIM"), tableRows);
    for (String m : methods.keySet()) {
      section.paragraph(m + ": " + verdicts.get(m) + "", "");
    }
    if (image != null) {
      for (String m : methods.keySet()) {
        List<String> captions = new ArrayList<>();
        List<double[]> maps = new ArrayList<>();
        for (SanityChecks.Result r : results) {
          if (r.method().equals(m)) {
            captions.add(
                r.variant().check().equals(SanityChecks.DATA) ? "permuted labels" : tick(r));
            maps.add(r.example());
          }
        }
        section.figure(
            m + ", |map| of the first row compared, each panel scaled to its own largest value",
            ImageMaps.strip(captions, maps, image.height(), image.width()));
      }
    }
    return result;
  }

  /** Fails unless the permuted-label model reads and gives as many values as the model. */
  static void requireSameShape(ModelInfo permuted, ModelInfo info) {
    if (permuted.inputSize() != info.inputSize() || permuted.outputSize() != info.outputSize()) {
      throw new IllegalArgumentException(
          "permuted_model "
              + permuted.location()
              + " reads "
              + permuted.inputSize()
              + " values and gives "
              + permuted.outputSize()
              + " outputs; the model "
              + info.location()
              + " reads "
              + info.inputSize()
              + " and gives "
              + info.outputSize()
              + ": the data randomization check needs the same network or model, trained on"
              + " permuted labels");
    }
  }

  /** The rows compared: the first {@code n} of a seeded sample, row-major, keyed by their place. */
  record Compared(double[] xs, long[] keys, int n) {
    static Compared of(TrainingSample sample, int wanted, int d) {
      int n = Math.min(wanted, sample.rows().length);
      if (n < 2) {
        throw new IllegalArgumentException(
            "sanity checks compare the maps of at least 2 rows; the input gives " + n);
      }
      double[] xs = new double[n * d];
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        System.arraycopy(sample.rows()[i], 0, xs, i * d, d);
        keys[i] = i;
      }
      return new Compared(xs, keys, n);
    }
  }

  /** The default methods: those the module supports, Grad-CAM for images only. */
  static List<String> defaults(List<String> exported, boolean images) {
    List<String> methods =
        new ArrayList<>(List.of("saliency", "smoothgrad", "integrated_gradients"));
    if (exported.contains("guided_backprop")) {
      methods.add("guided_backprop");
    }
    if (images && exported.stream().anyMatch(e -> e.endsWith("_activations"))) {
      methods.add("grad_cam");
    }
    return methods;
  }

  /**
   * How many layers from the top can be randomized before the mean Spearman correlation first falls
   * below {@link #SIMILAR}: the paper's measure of how long a method ignores the weights.
   */
  static int alikeUntil(double[] spearmanByLevel) {
    for (int level = 1; level < spearmanByLevel.length; level++) {
      if (!(spearmanByLevel[level] >= SIMILAR)) {
        return level - 1;
      }
    }
    return spearmanByLevel.length - 1;
  }

  private static String verdict(double cascading, int alike, int layers, Double data) {
    String c =
        cascading < SIMILAR
            ? "passes the cascading check (Spearman "
                + fmt(cascading)
                + " with every layer random; alike while the top "
                + alike
                + " of "
                + layers
                + " layers were)"
            : "FAILS the cascading check: its maps stay alike with every layer random (Spearman "
                + fmt(cascading)
                + ")";
    if (data == null) {
      return c;
    }
    return c
        + (data < SIMILAR
            ? "; passes the data check (Spearman " + fmt(data) + " with permuted labels)"
            : "; FAILS the data check: its maps stay alike with permuted labels (Spearman "
                + fmt(data)
                + ")");
  }

  /** A short x tick: trained, the top layer, then +each next layer down. */
  private static String tick(SanityChecks.Result r) {
    String label = r.variant().label();
    return r.variant().level() <= 1 ? label : "+" + label.substring(label.lastIndexOf('+') + 1);
  }

  private static Double nullIfNaN(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }
}
