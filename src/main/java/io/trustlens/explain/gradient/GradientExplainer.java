package io.trustlens.explain.gradient;

import io.trustlens.explain.InputFeatures;
import io.trustlens.feature.BatchedRows;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.InternalRows;
import io.trustlens.model.Capability;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.ModelSource;
import io.trustlens.model.OutputKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Appends per-row gradient attributions of a TorchScript model to a table: {@code saliency}, {@code
 * smoothgrad}, {@code integrated_gradients}, {@code guided_backprop} or {@code grad_cam} (see
 * {@link Saliency}, {@link SmoothGrad}, {@link IntegratedGradients}, {@link GuidedBackprop}, {@link
 * GradCam}). Columns, named after {@link #outputCol()} (default {@code saliency}, {@code
 * smoothgrad} or {@code ig}): the map (one value per input entry; {@code array<float>} for images
 * with {@code shape} in its metadata, else {@code array<double>} with {@code names}), {@code
 * _class} (the output explained), {@code _output} (that output at the row); Integrated Gradients
 * adds {@code _baseline_output} and {@code _gap} (the completeness gap).
 *
 * <p>Everything the stage needs is a Param, so it copies, saves and loads like MLlib's own stages.
 * Rows are explained in batches inside {@code mapPartitions}; the model is loaded once per executor
 * JVM; a row's noise depends on (seed, row key) alone, so any partitioning gives the same bits.
 */
public final class GradientExplainer extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** The methods, in the order the docs list them. */
  public static final List<String> METHODS =
      List.of(
          "saliency",
          "smoothgrad",
          "integrated_gradients",
          "guided_backprop",
          "grad_cam",
          "attention_rollout",
          "class_attention");

  /** The baselines of Integrated Gradients: zeros, the row's image blurred, or given values. */
  public static final List<String> BASELINES = List.of("zero", "blur", "values");

  private final String uid;

  private final Param<String> modelPath;
  private final StringArrayParam featuresCols;
  private final Param<String> vectorCol;
  private final Param<String> imageCol;
  private final Param<String> imageShape;
  private final Param<String> idCol;
  private final Param<String> method;
  private final Param<String> variant;
  private final IntParam samples;
  private final DoubleParam noise;
  private final IntParam steps;
  private final Param<String> rule;
  private final Param<String> baseline;
  private final DoubleArrayParam baselineValues;
  private final DoubleParam blurSigma;
  private final LongParam seed;
  private final Param<String> target;
  private final Param<String> outputCol;
  private final Param<String> layer;

  private transient LoadedModel loaded;

  /** A stage with a random uid. */
  public GradientExplainer() {
    this(Identifiable$.MODULE$.randomUID("gradientExplainer"));
  }

  /** A stage with {@code uid} (how MLlib copies and loads stages). */
  public GradientExplainer(String uid) {
    this.uid = uid; // first: every Param below records its parent's uid when it is made
    this.modelPath = new Param<>(this, "modelPath", "the TorchScript file (its card beside it)");
    this.featuresCols =
        new StringArrayParam(this, "featuresCols", "numeric feature columns, in the model's order");
    this.vectorCol = new Param<>(this, "vectorCol", "an ML vector column of features; empty: none");
    this.imageCol =
        new Param<>(
            this, "imageCol", "a flat numeric array or Spark image column of images; empty: none");
    this.imageShape = new Param<>(this, "imageShape", "C,H,W of the images in imageCol");
    this.idCol = new Param<>(this, "idCol", "row key column; empty: features");
    this.method =
        new Param<>(
            this,
            "method",
            "saliency, smoothgrad, integrated_gradients, guided_backprop or grad_cam",
            ParamValidators.inArray(METHODS.toArray(new String[0])));
    this.variant =
        new Param<>(
            this,
            "variant",
            "saliency: absolute, signed or input_x_gradient; smoothgrad: mean or squared;"
                + " guided_backprop: signed or absolute; empty: the method's first");
    this.samples =
        new IntParam(this, "samples", "smoothgrad: noisy copies per row", ParamValidators.gtEq(1));
    this.noise =
        new DoubleParam(
            this, "noise", "smoothgrad: sigma over the row's input range", ParamValidators.gtEq(0));
    this.steps =
        new IntParam(
            this, "steps", "integrated_gradients: points on the path", ParamValidators.gtEq(1));
    this.rule =
        new Param<>(
            this,
            "rule",
            "integrated_gradients: gauss_legendre or trapezoid",
            ParamValidators.inArray(IntegratedGradients.RULES.toArray(new String[0])));
    this.baseline =
        new Param<>(
            this,
            "baseline",
            "integrated_gradients: zero, blur (images) or values (baselineValues)",
            ParamValidators.inArray(BASELINES.toArray(new String[0])));
    this.baselineValues =
        new DoubleArrayParam(this, "baselineValues", "the baseline when baseline is values");
    this.blurSigma =
        new DoubleParam(this, "blurSigma", "blur baseline: sigma in pixels", ParamValidators.gt(0));
    this.seed = new LongParam(this, "seed", "random seed");
    this.target = new Param<>(this, "target", ModelInfo.TARGET_DOC);
    this.layer =
        new Param<>(
            this,
            "layer",
            "grad_cam: the layer L whose L_activations and from_L methods the module exports;"
                + " empty: the only such layer");
    this.outputCol =
        new Param<>(this, "outputCol", "the map column; empty: the method's short name");
    setDefault(featuresCols, new String[0]);
    setDefault(vectorCol, "");
    setDefault(imageCol, "");
    setDefault(imageShape, "");
    setDefault(idCol, "");
    setDefault(method, "saliency");
    setDefault(variant, "");
    setDefault(samples, SmoothGrad.DEFAULT_SAMPLES);
    setDefault(noise, SmoothGrad.DEFAULT_NOISE);
    setDefault(steps, IntegratedGradients.DEFAULT_STEPS);
    setDefault(rule, IntegratedGradients.RULES.get(0));
    setDefault(baseline, "zero");
    setDefault(baselineValues, new double[0]);
    setDefault(blurSigma, 2.0);
    setDefault(seed, 42L);
    setDefault(target, ModelInfo.AUTO);
    setDefault(outputCol, "");
    setDefault(layer, "");
  }

  @Override
  public String uid() {
    return uid;
  }

  // Params, getters and setters, in the order above.

  public Param<String> modelPath() {
    return modelPath;
  }

  public String getModelPath() {
    return $(modelPath);
  }

  public GradientExplainer setModelPath(String value) {
    loaded = null;
    return (GradientExplainer) set(modelPath, value);
  }

  public StringArrayParam featuresCols() {
    return featuresCols;
  }

  public String[] getFeaturesCols() {
    return $(featuresCols);
  }

  public GradientExplainer setFeaturesCols(String... value) {
    return (GradientExplainer) set(featuresCols, value);
  }

  public Param<String> vectorCol() {
    return vectorCol;
  }

  public String getVectorCol() {
    return $(vectorCol);
  }

  public GradientExplainer setVectorCol(String value) {
    return (GradientExplainer) set(vectorCol, value);
  }

  public Param<String> imageCol() {
    return imageCol;
  }

  public String getImageCol() {
    return $(imageCol);
  }

  public GradientExplainer setImageCol(String value) {
    return (GradientExplainer) set(imageCol, value);
  }

  public Param<String> imageShape() {
    return imageShape;
  }

  public String getImageShape() {
    return $(imageShape);
  }

  public GradientExplainer setImageShape(String value) {
    return (GradientExplainer) set(imageShape, value);
  }

  public Param<String> idCol() {
    return idCol;
  }

  public String getIdCol() {
    return $(idCol);
  }

  public GradientExplainer setIdCol(String value) {
    return (GradientExplainer) set(idCol, value);
  }

  public Param<String> method() {
    return method;
  }

  public String getMethod() {
    return $(method);
  }

  public GradientExplainer setMethod(String value) {
    return (GradientExplainer) set(method, value);
  }

  public Param<String> variant() {
    return variant;
  }

  public String getVariant() {
    return $(variant);
  }

  public GradientExplainer setVariant(String value) {
    return (GradientExplainer) set(variant, value);
  }

  public IntParam samples() {
    return samples;
  }

  public int getSamples() {
    return (Integer) $(samples);
  }

  public GradientExplainer setSamples(int value) {
    return (GradientExplainer) set(samples, value);
  }

  public DoubleParam noise() {
    return noise;
  }

  public double getNoise() {
    return (Double) $(noise);
  }

  public GradientExplainer setNoise(double value) {
    return (GradientExplainer) set(noise, value);
  }

  public IntParam steps() {
    return steps;
  }

  public int getSteps() {
    return (Integer) $(steps);
  }

  public GradientExplainer setSteps(int value) {
    return (GradientExplainer) set(steps, value);
  }

  public Param<String> rule() {
    return rule;
  }

  public String getRule() {
    return $(rule);
  }

  public GradientExplainer setRule(String value) {
    return (GradientExplainer) set(rule, value);
  }

  public Param<String> baseline() {
    return baseline;
  }

  public String getBaseline() {
    return $(baseline);
  }

  public GradientExplainer setBaseline(String value) {
    return (GradientExplainer) set(baseline, value);
  }

  public DoubleArrayParam baselineValues() {
    return baselineValues;
  }

  public double[] getBaselineValues() {
    return $(baselineValues);
  }

  public GradientExplainer setBaselineValues(double[] value) {
    return (GradientExplainer) set(baselineValues, value);
  }

  public DoubleParam blurSigma() {
    return blurSigma;
  }

  public double getBlurSigma() {
    return (Double) $(blurSigma);
  }

  public GradientExplainer setBlurSigma(double value) {
    return (GradientExplainer) set(blurSigma, value);
  }

  public LongParam seed() {
    return seed;
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public GradientExplainer setSeed(long value) {
    return (GradientExplainer) set(seed, value);
  }

  public Param<String> target() {
    return target;
  }

  public String getTarget() {
    return $(target);
  }

  public GradientExplainer setTarget(String value) {
    return (GradientExplainer) set(target, value);
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  /** The map column: the set name, else {@code saliency}, {@code smoothgrad} or {@code ig}. */
  public String getOutputCol() {
    String out = $(outputCol);
    if (!out.isEmpty()) {
      return out;
    }
    return $(method).equals("integrated_gradients") ? "ig" : $(method);
  }

  public GradientExplainer setOutputCol(String value) {
    return (GradientExplainer) set(outputCol, value);
  }

  public Param<String> layer() {
    return layer;
  }

  public String getLayer() {
    return $(layer);
  }

  public GradientExplainer setLayer(String value) {
    return (GradientExplainer) set(layer, value);
  }

  // The work.

  /** The model, opened on the driver once per path (a second open reuses it). */
  private LoadedModel model() {
    if (!isDefined(modelPath) || $(modelPath).isEmpty()) {
      throw new IllegalArgumentException("set modelPath: the TorchScript file to explain");
    }
    if (loaded == null || !loaded.info().location().equals($(modelPath))) {
      loaded = new ModelLoader(SparkSession.active()).load($(modelPath), -1, OutputKind.LOGIT);
    }
    return loaded;
  }

  /** The features the stage reads from {@code schema}, checked against the model's input size. */
  public FeatureSpace features(StructType schema) {
    return InputFeatures.of(
        schema, model(), $(imageCol), $(imageShape), $(vectorCol), $(featuresCols));
  }

  /** The method's core, checked against the features (a blur baseline needs images). */
  public GradientMethod core(FeatureSpace space) {
    String v = $(variant);
    return switch ($(method)) {
      case "saliency" -> new Saliency(v.isEmpty() ? Saliency.VARIANTS.get(0) : v);
      case "smoothgrad" ->
          new SmoothGrad(
              (Integer) $(samples),
              (Double) $(noise),
              v.isEmpty() ? SmoothGrad.VARIANTS.get(0) : v,
              (Long) $(seed));
      case "guided_backprop" -> {
        requireExported("guided_backprop");
        yield new GuidedBackprop(v.isEmpty() ? GuidedBackprop.VARIANTS.get(0) : v);
      }
      case "attention_rollout", "class_attention" -> {
        noVariant(v);
        if (space.image() == null) {
          throw new IllegalArgumentException(
              $(method) + " maps images (imageCol): a Vision Transformer's patches");
        }
        if (!exportedMethods().contains("attention")) {
          throw new InvalidModelException(
              $(method)
                  + " needs the module to export attention(x) (every layer's attention weights,"
                  + " (N, layers, heads, tokens, tokens)) and its card to give attention_grid and"
                  + " attention_heads; the card of "
                  + $(modelPath)
                  + " lists "
                  + exportedMethods());
        }
        int[] grid = attentionGeometry();
        yield new Attention($(method), space.image(), new int[] {grid[0], grid[1]}, grid[2]);
      }
      case "grad_cam" -> {
        noVariant(v);
        if (space.image() == null) {
          throw new IllegalArgumentException(
              "grad_cam maps images (imageCol); a table has no convolutional layer");
        }
        yield new GradCam(camLayer(), space.image());
      }
      default -> {
        noVariant(v);
        yield new IntegratedGradients(baselineOf(space), (Integer) $(steps), $(rule));
      }
    };
  }

  private void noVariant(String v) {
    if (!v.isEmpty()) {
      throw new IllegalArgumentException($(method) + " has no variant; got '" + v + "'");
    }
  }

  /** The methods the model's card says its module exports ({@code forward} without a card). */
  public List<String> exportedMethods() {
    io.trustlens.model.TorchScriptCard card =
        io.trustlens.model.TorchScriptCard.readBeside(java.nio.file.Path.of($(modelPath)));
    return card == null ? List.of("forward") : card.methods();
  }

  private void requireExported(String name) {
    if (!exportedMethods().contains(name)) {
      throw new InvalidModelException(
          $(method)
              + " needs the module to export "
              + name
              + " (guided_backprop(x, weights): the guided backpropagation map of"
              + " sum(weights * outputs) by x; see datasets/models/torch/export_models.py);"
              + " the card of "
              + $(modelPath)
              + " lists "
              + exportedMethods());
    }
  }

  /** The card's attention_grid (height, width) and attention_heads. */
  private int[] attentionGeometry() {
    java.nio.file.Path card =
        io.trustlens.model.TorchScriptCard.cardPath(java.nio.file.Path.of($(modelPath)));
    try {
      com.fasterxml.jackson.databind.JsonNode json =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(card.toFile());
      com.fasterxml.jackson.databind.JsonNode grid = json.get("attention_grid");
      com.fasterxml.jackson.databind.JsonNode heads = json.get("attention_heads");
      if (grid == null || grid.size() != 2 || heads == null || heads.asInt() < 1) {
        throw new InvalidModelException(
            "model card "
                + card
                + " needs attention_grid ([height, width] of the patch grid) and attention_heads"
                + " for "
                + $(method));
      }
      return new int[] {grid.get(0).asInt(), grid.get(1).asInt(), heads.asInt()};
    } catch (java.io.IOException e) {
      throw new InvalidModelException("cannot read the model card " + card + ": " + e.getMessage());
    }
  }

  /** Grad-CAM's layer: the one set, else the only L with L_activations and from_L exported. */
  private String camLayer() {
    List<String> methods = exportedMethods();
    List<String> layers =
        methods.stream()
            .filter(m -> m.endsWith("_activations"))
            .map(m -> m.substring(0, m.length() - "_activations".length()))
            .filter(l -> methods.contains("from_" + l))
            .toList();
    String chosen = $(layer);
    if (chosen.isEmpty() && layers.size() == 1) {
      return layers.get(0);
    }
    if (!layers.contains(chosen)) {
      throw new InvalidModelException(
          "grad_cam needs a layer L whose L_activations(x) (a convolution's feature maps) and"
              + " from_L(a) (the outputs from them) the module exports; "
              + $(modelPath)
              + (layers.isEmpty()
                  ? " exports none (its card lists " + methods + ")"
                  : " exports " + layers + ": set layer to one of them"));
    }
    return chosen;
  }

  private Baseline baselineOf(FeatureSpace space) {
    switch ($(baseline)) {
      case "blur":
        if (space.image() == null) {
          throw new IllegalArgumentException(
              "baseline blur needs images (imageCol); use zero or values for tables");
        }
        return Baseline.blur(space.image(), (Double) $(blurSigma));
      case "values":
        double[] values = $(baselineValues);
        if (values.length != space.size()) {
          throw new IllegalArgumentException(
              "baselineValues has "
                  + values.length
                  + " values; the model reads "
                  + space.size()
                  + " per row");
        }
        return Baseline.values(values);
      default:
        return Baseline.zero();
    }
  }

  /** The output explained: {@link GradientBatches#PREDICTED} or an output index. */
  public int targetIndex(ModelInfo info) {
    int t = info.outputIndex($(target));
    return t < 0 ? GradientBatches.PREDICTED : t;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    LoadedModel m = model();
    ModelInfo info = m.info();
    if (!info.capabilities().contains(Capability.DIFFERENTIABLE)) {
      m.source().openDifferentiable(); // throws, naming the methods that apply
    }
    FeatureSpace space = features(schema);
    GradientMethod core = core(space);
    int t = targetIndex(info);
    if (t == GradientBatches.PREDICTED
        && !info.kind().isClassification()
        && info.outputSize() > 1) {
      throw new IllegalArgumentException(
          "a regression model with "
              + info.outputSize()
              + " outputs has no predicted class; set target to one of "
              + info.outputNames());
    }
    Columns.requireId(schema, $(idCol));
    String out = getOutputCol();
    boolean image = space.image() != null;
    MetadataBuilder meta =
        new MetadataBuilder().putString("method", $(method)).putString("model", info.location());
    if (image) {
      ImageShape s = space.image();
      meta.putLongArray("shape", new long[] {core.mapChannels(s), s.height(), s.width()});
    } else {
      meta.putStringArray("names", space.names().toArray(new String[0]));
    }
    DataType element = image ? DataTypes.FloatType : DataTypes.DoubleType;
    List<StructField> added = new ArrayList<>();
    added.add(new StructField(out, DataTypes.createArrayType(element, false), false, meta.build()));
    added.add(DataTypes.createStructField(out + "_class", DataTypes.IntegerType, false));
    added.add(DataTypes.createStructField(out + "_output", DataTypes.DoubleType, false));
    if ($(method).equals("integrated_gradients")) {
      added.add(DataTypes.createStructField(out + "_baseline_output", DataTypes.DoubleType, false));
      added.add(DataTypes.createStructField(out + "_gap", DataTypes.DoubleType, false));
    }
    return Columns.append(schema, added);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    FeatureSpace space = features(in);
    Plan plan =
        new Plan(
            model().source(),
            space,
            core(space),
            targetIndex(model().info()),
            in,
            $(idCol),
            $(method).equals("integrated_gradients"),
            space.image() != null);
    return Columns.withMetadata(InternalRows.mapPartitions(dataset, out, plan), out);
  }

  @Override
  public GradientExplainer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads a saved stage. */
  public static MLReader<GradientExplainer> read() {
    return new DefaultParamsReader<>();
  }

  /** Loads a saved stage from {@code path}. */
  public static GradientExplainer load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "GradientExplainer(" + uid + ", " + $(method) + ")";
  }

  /** What a task needs to explain its partition. */
  private record Plan(
      ModelSource model,
      FeatureSpace features,
      GradientMethod method,
      int target,
      StructType schema,
      String idCol,
      boolean integrated,
      boolean floats)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      GradientBatches batches = new GradientBatches(model.openDifferentiable(), method, target);
      FeatureSpace.Reader reader = features.reader(schema);
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      int d = features.size();
      int perCall = batches.rowsPerCall();
      return new BatchedRows(rows) {
        private long seen;

        @Override
        protected boolean full(List<Row> pending, Row added) {
          return pending.size() >= perCall;
        }

        @Override
        protected Object[][] explain(List<Row> pending) {
          int n = pending.size();
          double[] xs = new double[n * d];
          long[] keys = new long[n];
          BatchedRows.read(pending, reader, idCol, idIndex, seen, xs, keys);
          seen += n;
          Attribution[] done = batches.explain(xs, keys, n);
          Object[][] added = new Object[n][];
          for (int i = 0; i < n; i++) {
            Attribution a = done[i];
            Object map = floats ? toFloats(a.values()) : a.values();
            added[i] =
                integrated
                    ? new Object[] {map, a.target(), a.output(), a.baselineOutput(), a.gap()}
                    : new Object[] {map, a.target(), a.output()};
          }
          return added;
        }
      };
    }

    private static float[] toFloats(double[] values) {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) values[i];
      }
      return f;
    }
  }
}
