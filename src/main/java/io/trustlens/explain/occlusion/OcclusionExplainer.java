package io.trustlens.explain.occlusion;

import io.trustlens.explain.InputFeatures;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.InternalRows;
import io.trustlens.feature.PipelineFeatures;
import io.trustlens.feature.TextEncoder;
import io.trustlens.feature.TextFeatures;
import io.trustlens.feature.TokenIds;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.OutputKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
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
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Appends per-row occlusion maps of any model (MLlib or TorchScript) to a table. What is occluded
 * follows the input: a sliding patch over images ({@link PatchOcclusion}), one feature or one-hot
 * group at a time over table features ({@link FeatureOcclusion}), or each word (and n-gram) of the
 * text an MLlib text pipeline tokenizes ({@link WordOcclusion}, {@link TextFeatures}) or a
 * TorchScript model reads as token ids ({@link TokenIds}, from its card's {@code text} key).
 *
 * <p>Columns, named after {@link #getOutputCol()} (default {@code occlusion}): the map ({@code
 * array<float>} of {@code H × W} for images with {@code shape} in its metadata; {@code
 * array<double>} per feature group with {@code names}, or per word with the words in {@code
 * _words}), {@code _class} (the output explained) and {@code _output} (that output at the row). A
 * value is the drop of the explained output when its pixel, feature or word is occluded.
 *
 * <p>Everything the stage needs is a Param: it copies, saves and loads like MLlib's own stages.
 * Every copy of a row is one row of the model's batch inside {@code mapPartitions}, never a Spark
 * row; the model is loaded once per executor JVM. Nothing is random, so any partitioning gives the
 * same bits.
 */
public final class OcclusionExplainer extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;

  private final Param<String> modelPath;
  private final StringArrayParam featuresCols;
  private final Param<String> vectorCol;
  private final Param<String> imageCol;
  private final Param<String> imageShape;
  private final Param<String> idCol;
  private final IntParam patch;
  private final IntParam stride;
  private final Param<String> fill;
  private final DoubleParam fillValue;
  private final DoubleArrayParam fillValues;
  private final DoubleParam blurSigma;
  private final IntParam ngrams;
  private final Param<String> target;
  private final Param<String> outputCol;

  private transient LoadedModel loaded;

  /** A stage with a random uid. */
  public OcclusionExplainer() {
    this(Identifiable$.MODULE$.randomUID("occlusionExplainer"));
  }

  /** A stage with {@code uid} (how MLlib copies and loads stages). */
  public OcclusionExplainer(String uid) {
    this.uid = uid; // first: every Param below records its parent's uid when it is made
    this.modelPath =
        new Param<>(
            this,
            "modelPath",
            "a saved MLlib PipelineModel or PredictionModel, or a TorchScript file");
    this.featuresCols =
        new StringArrayParam(this, "featuresCols", "numeric feature columns, in the model's order");
    this.vectorCol = new Param<>(this, "vectorCol", "an ML vector column of features; empty: none");
    this.imageCol =
        new Param<>(
            this, "imageCol", "a flat numeric array or Spark image column of images; empty: none");
    this.imageShape = new Param<>(this, "imageShape", "C,H,W of the images in imageCol");
    this.idCol = new Param<>(this, "idCol", "row key column, named in errors; empty: none");
    this.patch =
        new IntParam(
            this,
            "patch",
            "images: the patch's side in pixels; 0: an eighth of the shorter side (at least 1)",
            ParamValidators.gtEq(0));
    this.stride =
        new IntParam(
            this,
            "stride",
            "images: pixels between patch positions; 0: half the patch (at least 1)",
            ParamValidators.gtEq(0));
    this.fill =
        new Param<>(
            this,
            "fill",
            "what occluded values become: zero, constant (fillValue), mean (images: the image's"
                + " per-channel mean), blur (images, blurSigma) or values (fillValues)",
            ParamValidators.inArray(Fill.NAMES.toArray(new String[0])));
    this.fillValue = new DoubleParam(this, "fillValue", "fill constant: the value");
    this.fillValues =
        new DoubleArrayParam(this, "fillValues", "fill values: one value per input entry");
    this.blurSigma =
        new DoubleParam(this, "blurSigma", "fill blur: sigma in pixels", ParamValidators.gt(0));
    this.ngrams =
        new IntParam(
            this, "ngrams", "text: also occlude runs of up to n words", ParamValidators.gtEq(1));
    this.target = new Param<>(this, "target", ModelInfo.TARGET_DOC);
    this.outputCol = new Param<>(this, "outputCol", "the map column");
    setDefault(featuresCols, new String[0]);
    setDefault(vectorCol, "");
    setDefault(imageCol, "");
    setDefault(imageShape, "");
    setDefault(idCol, "");
    setDefault(patch, 0);
    setDefault(stride, 0);
    setDefault(fill, "zero");
    setDefault(fillValue, 0.0);
    setDefault(fillValues, new double[0]);
    setDefault(blurSigma, 2.0);
    setDefault(ngrams, 1);
    setDefault(target, ModelInfo.AUTO);
    setDefault(outputCol, "occlusion");
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

  public OcclusionExplainer setModelPath(String value) {
    loaded = null;
    return (OcclusionExplainer) set(modelPath, value);
  }

  public StringArrayParam featuresCols() {
    return featuresCols;
  }

  public String[] getFeaturesCols() {
    return $(featuresCols);
  }

  public OcclusionExplainer setFeaturesCols(String... value) {
    return (OcclusionExplainer) set(featuresCols, value);
  }

  public Param<String> vectorCol() {
    return vectorCol;
  }

  public String getVectorCol() {
    return $(vectorCol);
  }

  public OcclusionExplainer setVectorCol(String value) {
    return (OcclusionExplainer) set(vectorCol, value);
  }

  public Param<String> imageCol() {
    return imageCol;
  }

  public String getImageCol() {
    return $(imageCol);
  }

  public OcclusionExplainer setImageCol(String value) {
    return (OcclusionExplainer) set(imageCol, value);
  }

  public Param<String> imageShape() {
    return imageShape;
  }

  public String getImageShape() {
    return $(imageShape);
  }

  public OcclusionExplainer setImageShape(String value) {
    return (OcclusionExplainer) set(imageShape, value);
  }

  public Param<String> idCol() {
    return idCol;
  }

  public String getIdCol() {
    return $(idCol);
  }

  public OcclusionExplainer setIdCol(String value) {
    return (OcclusionExplainer) set(idCol, value);
  }

  public IntParam patch() {
    return patch;
  }

  public int getPatch() {
    return (Integer) $(patch);
  }

  public OcclusionExplainer setPatch(int value) {
    return (OcclusionExplainer) set(patch, value);
  }

  public IntParam stride() {
    return stride;
  }

  public int getStride() {
    return (Integer) $(stride);
  }

  public OcclusionExplainer setStride(int value) {
    return (OcclusionExplainer) set(stride, value);
  }

  public Param<String> fill() {
    return fill;
  }

  public String getFill() {
    return $(fill);
  }

  public OcclusionExplainer setFill(String value) {
    return (OcclusionExplainer) set(fill, value);
  }

  public DoubleParam fillValue() {
    return fillValue;
  }

  public double getFillValue() {
    return (Double) $(fillValue);
  }

  public OcclusionExplainer setFillValue(double value) {
    return (OcclusionExplainer) set(fillValue, value);
  }

  public DoubleArrayParam fillValues() {
    return fillValues;
  }

  public double[] getFillValues() {
    return $(fillValues);
  }

  public OcclusionExplainer setFillValues(double[] value) {
    return (OcclusionExplainer) set(fillValues, value);
  }

  public DoubleParam blurSigma() {
    return blurSigma;
  }

  public double getBlurSigma() {
    return (Double) $(blurSigma);
  }

  public OcclusionExplainer setBlurSigma(double value) {
    return (OcclusionExplainer) set(blurSigma, value);
  }

  public IntParam ngrams() {
    return ngrams;
  }

  public int getNgrams() {
    return (Integer) $(ngrams);
  }

  public OcclusionExplainer setNgrams(int value) {
    return (OcclusionExplainer) set(ngrams, value);
  }

  public Param<String> target() {
    return target;
  }

  public String getTarget() {
    return $(target);
  }

  public OcclusionExplainer setTarget(String value) {
    return (OcclusionExplainer) set(target, value);
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public String getOutputCol() {
    return $(outputCol);
  }

  public OcclusionExplainer setOutputCol(String value) {
    return (OcclusionExplainer) set(outputCol, value);
  }

  // The work.

  /** What is occluded, decided by the model and the input. */
  public enum Kind {
    IMAGE,
    TABLE,
    TEXT
  }

  /** The model, opened on the driver once per path (a second open reuses it). */
  public LoadedModel model() {
    if (!isDefined(modelPath) || $(modelPath).isEmpty()) {
      throw new IllegalArgumentException("set modelPath: the model to explain");
    }
    if (loaded == null || !loaded.info().location().equals($(modelPath))) {
      loaded = new ModelLoader(SparkSession.active()).load($(modelPath), -1, OutputKind.LOGIT);
    }
    return loaded;
  }

  /**
   * How the model reads text: an MLlib text pipeline over {@code schema}, or a TorchScript model
   * whose card has a {@code text} key (token ids); else null.
   */
  public TextEncoder text(StructType schema) {
    return InputFeatures.text(model(), $(modelPath), schema);
  }

  /** What the stage occludes in rows of {@code schema}. */
  public Kind kind(StructType schema) {
    if (text(schema) != null) {
      return Kind.TEXT;
    }
    return !model().hasFeatureStages() && !$(imageCol).isEmpty() ? Kind.IMAGE : Kind.TABLE;
  }

  /**
   * The numeric features the stage occludes: for a pipeline, its vector in the table it prepares
   * (groups from its assembler); else the image, vector or columns set.
   */
  public FeatureSpace features(StructType preparedSchema) {
    LoadedModel m = model();
    if (m.hasFeatureStages()) {
      for (String set : List.of("imageCol", "vectorCol", "featuresCols")) {
        if (isSet(getParam(set))) {
          throw new IllegalArgumentException(
              set
                  + " is set, but "
                  + m.info().location()
                  + " is a pipeline: its own stages make the features");
        }
      }
      FeatureSpace vector =
          FeatureSpace.ofVector(preparedSchema, m.featuresCol(), m.info().inputSize());
      return PipelineFeatures.describe(vector, m.featureStages(), preparedSchema);
    }
    return InputFeatures.of(
        preparedSchema, m, $(imageCol), $(imageShape), $(vectorCol), $(featuresCols));
  }

  /** The occluder of numeric features, with every setting checked against them. */
  Occluder occluder(FeatureSpace space) {
    ImageShape image = space.image();
    if (image == null) {
      refuse("patch", "stride", "blurSigma", "ngrams");
      if ($(fill).equals("mean") || $(fill).equals("blur")) {
        throw new IllegalArgumentException(
            "fill "
                + $(fill)
                + " is for images; a table's occluded features become zero, constant or values"
                + " (such as the background's means)");
      }
      return new FeatureOcclusion(space.groups(), fillOf(space));
    }
    refuse("ngrams");
    int side = Math.min(image.height(), image.width());
    int p = getPatch() > 0 ? getPatch() : Math.max(1, side / 8);
    int s = getStride() > 0 ? getStride() : Math.max(1, p / 2);
    if (!$(fill).equals("blur")) {
      refuse("blurSigma");
    }
    return new PatchOcclusion(image, p, s, fillOf(space));
  }

  private Fill fillOf(FeatureSpace space) {
    if (!$(fill).equals("constant")) {
      refuse("fillValue");
    }
    if (!$(fill).equals("values")) {
      refuse("fillValues");
    }
    return switch ($(fill)) {
      case "constant" -> Fill.constant(getFillValue());
      case "mean" -> Fill.imageMean(space.image());
      case "blur" -> Fill.blur(space.image(), getBlurSigma());
      case "values" -> {
        double[] v = getFillValues();
        if (v.length != space.size()) {
          throw new IllegalArgumentException(
              "fillValues has " + v.length + " values; the model reads " + space.size());
        }
        yield Fill.values(v);
      }
      default -> Fill.constant(0);
    };
  }

  /** Fails when a setting that does not apply to this input was set. */
  private void refuse(String... names) {
    for (String name : names) {
      if (isSet(getParam(name))) {
        throw new IllegalArgumentException(
            name + " does not apply to occlusion of " + kindWord() + "; unset it");
      }
    }
  }

  private String kindWord() {
    return !$(imageCol).isEmpty() ? "images" : "table features";
  }

  /** The output explained: {@link OcclusionBatches#PREDICTED} or an output index. */
  int targetIndex() {
    ModelInfo info = model().info();
    int t = info.outputIndex($(target));
    if (t < 0 && !info.kind().isClassification() && info.outputSize() > 1) {
      throw new IllegalArgumentException(
          "a regression model with "
              + info.outputSize()
              + " outputs has no predicted class; set target to one of "
              + info.outputNames());
    }
    return t < 0 ? OcclusionBatches.PREDICTED : t;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    ModelInfo info = model().info();
    Columns.requireId(schema, $(idCol));
    targetIndex();
    String out = getOutputCol();
    MetadataBuilder meta =
        new MetadataBuilder().putString("method", "occlusion").putString("model", info.location());
    List<StructField> added = new ArrayList<>();
    TextEncoder text = text(schema);
    if (text != null) {
      refuse("patch", "stride", "fill", "fillValue", "fillValues", "blurSigma");
      for (String set : List.of("imageCol", "vectorCol", "featuresCols")) {
        if (isSet(getParam(set))) {
          throw new IllegalArgumentException(
              set + " is set, but the pipeline's tokenizer reads '" + text.textColumn() + "'");
        }
      }
      new WordOcclusion(getNgrams());
      added.add(
          new StructField(
              out,
              DataTypes.createArrayType(DataTypes.DoubleType, false),
              false,
              meta.putString("words", out + "_words").build()));
      added.add(
          DataTypes.createStructField(
              out + "_words", DataTypes.createArrayType(DataTypes.StringType, false), false));
    } else {
      StructType prepared = model().hasFeatureStages() ? preparedSchema(schema) : schema;
      FeatureSpace space = features(prepared);
      occluder(space);
      if (space.image() != null) {
        ImageShape s = space.image();
        meta.putLongArray("shape", new long[] {1, s.height(), s.width()});
        added.add(
            new StructField(
                out, DataTypes.createArrayType(DataTypes.FloatType, false), false, meta.build()));
      } else {
        meta.putStringArray(
            "names", space.groups().stream().map(FeatureGroup::name).toArray(String[]::new));
        added.add(
            new StructField(
                out, DataTypes.createArrayType(DataTypes.DoubleType, false), false, meta.build()));
      }
    }
    added.add(DataTypes.createStructField(out + "_class", DataTypes.IntegerType, false));
    added.add(DataTypes.createStructField(out + "_output", DataTypes.DoubleType, false));
    return Columns.append(schema, added);
  }

  /**
   * The schema the pipeline's stages make from {@code schema}, with the ML attributes that name the
   * assembled slots ({@code transformSchema} alone leaves them out): the stages run on an empty
   * table.
   */
  private StructType preparedSchema(StructType schema) {
    SparkSession spark = SparkSession.active();
    return model().prepare(spark.createDataFrame(List.<Row>of(), schema)).schema();
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    LoadedModel m = model();
    TextEncoder text = text(in);
    int t = targetIndex();
    if (text != null) {
      OcclusionPartitions.Words words =
          new OcclusionPartitions.Words(
              m.source(), text, new WordOcclusion(getNgrams()), t, in, $(idCol));
      return Columns.withMetadata(InternalRows.mapPartitions(dataset, out, words), out);
    }
    Dataset<Row> prepared = m.prepare(dataset.toDF());
    FeatureSpace space = features(prepared.schema());
    OcclusionPartitions.Numeric numeric =
        new OcclusionPartitions.Numeric(
            m.source(),
            space,
            occluder(space),
            t,
            prepared.schema(),
            $(idCol),
            space.image() != null);
    StructType appended =
        Columns.append(
            prepared.schema(), Arrays.asList(out.fields()).subList(in.size(), out.size()));
    // A pipeline's own columns (indices, one-hot vectors, its features) are left out again.
    return Columns.withMetadata(InternalRows.mapPartitions(prepared, appended, numeric), out);
  }

  @Override
  public OcclusionExplainer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads a saved stage. */
  public static MLReader<OcclusionExplainer> read() {
    return new DefaultParamsReader<>();
  }

  /** Loads a saved stage from {@code path}. */
  public static OcclusionExplainer load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "OcclusionExplainer(" + uid + ")";
  }
}
