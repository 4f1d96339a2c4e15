package io.trustlens.explain.lime;

import io.trustlens.explain.InputFeatures;
import io.trustlens.explain.RowMemory;
import io.trustlens.explain.TableStage;
import io.trustlens.explain.shap.BackgroundSampler;
import io.trustlens.feature.BatchedRows;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InternalRows;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.RowKeys;
import io.trustlens.feature.TextEncoder;
import io.trustlens.model.BatchModel;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Appends LIME explanations of a table's rows (Ribeiro et al. 2016, arXiv 1602.04938): {@code lime}
 * (one weight per player, a feature or a one-hot group, in the surrogate's interpretable units),
 * {@code lime_intercept}, {@code lime_score} (the surrogate's weighted R² on the neighbourhood: its
 * local fidelity), {@code lime_prediction} (the surrogate at the row), {@code lime_output} (the
 * model's value explained: a probability for classifiers) and {@code lime_class}.
 *
 * <p>Perturbations come from {@link TabularStatistics} of a reference table ({@link
 * #fitStatistics}, or {@link #setStatistics}); they are built and scored in batches inside {@code
 * mapPartitions}, the model loaded once per executor; each row's draws depend on (seed, row key).
 */
public final class LimeExplainer extends TableStage<LimeExplainer> {
  private static final long serialVersionUID = 1L;

  /** The ways a table's neighbourhoods are drawn: each row's own, or one draw for all. */
  public static final List<String> NEIGHBOURHOODS = List.of("per_row", "shared");

  private final Param<String> target;
  private final IntParam samples;
  private final BooleanParam discretize;
  private final Param<String> neighbourhood;
  private final DoubleParam kernelWidth;
  private final Param<String> selection;
  private final IntParam keep;
  private final DoubleParam alpha;
  private final LongParam seed;
  private final StatisticsParam statistics;
  private final Param<String> imageCol;
  private final Param<String> imageShape;
  private final Param<String> superpixels;
  private final DoubleParam hideValue;

  /** A serializable check of {@code superpixels} (the stage may be serialized with its Params). */
  private static final class IsSuperpixels extends scala.runtime.AbstractFunction1<String, Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Object apply(String v) {
      try {
        Superpixels.parse(v);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
  }

  /** A stage with a random uid. */
  public LimeExplainer() {
    this(Identifiable$.MODULE$.randomUID("limeExplainer"));
  }

  /** A stage with {@code uid} (how MLlib copies and loads stages). */
  public LimeExplainer(String uid) {
    super(uid, "a saved MLlib PipelineModel or PredictionModel, or a TorchScript file", "lime");
    target = new Param<>(this, "target", ModelInfo.TARGET_DOC);
    samples =
        new IntParam(
            this, "samples", "perturbations per row, the row included", ParamValidators.gtEq(2));
    discretize =
        new BooleanParam(
            this,
            "discretize",
            "numeric features as quartile bins (lime's default) rather than scaled values");
    neighbourhood =
        new Param<>(
            this,
            "neighbourhood",
            "per_row: each row draws its own samples (lime's way); shared: the samples after each"
                + " row's first are drawn once and scored once for every row (each row's law"
                + " unchanged, its draws the other rows')",
            ParamValidators.inArray(NEIGHBOURHOODS.toArray(new String[0])));
    kernelWidth =
        new DoubleParam(
            this,
            "kernelWidth",
            "the exponential kernel's width; 0: 0.75 sqrt(players), lime's default",
            ParamValidators.gtEq(0));
    selection =
        new Param<>(
            this,
            "selection",
            "features kept: none (all), highest_weights or lasso (K by the lasso path)",
            ParamValidators.inArray(LocalSurrogate.SELECTIONS.toArray(new String[0])));
    keep =
        new IntParam(
            this, "keep", "highest_weights and lasso: players kept (K)", ParamValidators.gtEq(1));
    alpha =
        new DoubleParam(
            this, "alpha", "the surrogate's ridge penalty (lime's: 1)", ParamValidators.gtEq(0));
    seed = new LongParam(this, "seed", "random seed");
    statistics =
        new StatisticsParam(
            this, "statistics", "the reference table's statistics the perturbations come from");
    imageCol =
        new Param<>(
            this, "imageCol", "a flat numeric array or Spark image column of images; empty: none");
    imageShape = new Param<>(this, "imageShape", "C,H,W of the images in imageCol");
    superpixels =
        new Param<>(
            this,
            "superpixels",
            "images: grid:CELL (square cells of CELL pixels) or slic:K (about K SLIC segments)",
            new IsSuperpixels());
    hideValue =
        new DoubleParam(
            this,
            "hideValue",
            "images: the value hidden superpixels take (lime's hide_color); NaN: each one's mean");
    setDefault(hideValue, Double.NaN);
    setDefault(imageCol, "");
    setDefault(imageShape, "");
    setDefault(superpixels, "slic:50");
    setDefault(target, ModelInfo.AUTO);
    setDefault(samples, 5000);
    setDefault(discretize, true);
    setDefault(neighbourhood, "per_row");
    setDefault(kernelWidth, 0.0);
    setDefault(selection, "none");
    setDefault(keep, 10);
    setDefault(alpha, 1.0);
    setDefault(seed, 42L);
  }

  // Params, getters and setters.

  public Param<String> target() {
    return target;
  }

  public String getTarget() {
    return $(target);
  }

  public LimeExplainer setTarget(String value) {
    return (LimeExplainer) set(target, value);
  }

  public IntParam samples() {
    return samples;
  }

  public int getSamples() {
    return (Integer) $(samples);
  }

  public LimeExplainer setSamples(int value) {
    return (LimeExplainer) set(samples, value);
  }

  public BooleanParam discretize() {
    return discretize;
  }

  public boolean getDiscretize() {
    return (Boolean) $(discretize);
  }

  public LimeExplainer setDiscretize(boolean value) {
    return (LimeExplainer) set(discretize, value);
  }

  public Param<String> neighbourhood() {
    return neighbourhood;
  }

  public String getNeighbourhood() {
    return $(neighbourhood);
  }

  /**
   * {@code shared}: every row's samples after its first are one draw, scored once (see {@link
   * SharedSamples}); {@code per_row} (the default): each row draws its own.
   */
  public LimeExplainer setNeighbourhood(String value) {
    return (LimeExplainer) set(neighbourhood, value);
  }

  public DoubleParam kernelWidth() {
    return kernelWidth;
  }

  public double getKernelWidth() {
    return (Double) $(kernelWidth);
  }

  public LimeExplainer setKernelWidth(double value) {
    return (LimeExplainer) set(kernelWidth, value);
  }

  public Param<String> selection() {
    return selection;
  }

  public String getSelection() {
    return $(selection);
  }

  public LimeExplainer setSelection(String value) {
    return (LimeExplainer) set(selection, value);
  }

  public IntParam keep() {
    return keep;
  }

  public int getKeep() {
    return (Integer) $(keep);
  }

  public LimeExplainer setKeep(int value) {
    return (LimeExplainer) set(keep, value);
  }

  public DoubleParam alpha() {
    return alpha;
  }

  public double getAlpha() {
    return (Double) $(alpha);
  }

  public LimeExplainer setAlpha(double value) {
    return (LimeExplainer) set(alpha, value);
  }

  public LongParam seed() {
    return seed;
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public LimeExplainer setSeed(long value) {
    return (LimeExplainer) set(seed, value);
  }

  public StatisticsParam statistics() {
    return statistics;
  }

  public TabularStatistics getStatistics() {
    return isDefined(statistics) ? $(statistics) : null;
  }

  public LimeExplainer setStatistics(TabularStatistics value) {
    return (LimeExplainer) set(statistics, value);
  }

  public Param<String> imageCol() {
    return imageCol;
  }

  public String getImageCol() {
    return $(imageCol);
  }

  /** Explains images in this column (a flat numeric array or a Spark image) by superpixels. */
  public LimeExplainer setImageCol(String value) {
    set(imageCol, value);
    return this;
  }

  public Param<String> imageShape() {
    return imageShape;
  }

  public String getImageShape() {
    return $(imageShape);
  }

  public LimeExplainer setImageShape(String value) {
    set(imageShape, value);
    return this;
  }

  public Param<String> superpixels() {
    return superpixels;
  }

  public String getSuperpixels() {
    return $(superpixels);
  }

  public LimeExplainer setSuperpixels(String value) {
    set(superpixels, value);
    return this;
  }

  public DoubleParam hideValue() {
    return hideValue;
  }

  public double getHideValue() {
    return (Double) $(hideValue);
  }

  /**
   * Paints hidden superpixels in {@code value} instead of their own mean (lime's default, which
   * cannot hide a superpixel of one colour).
   */
  public LimeExplainer setHideValue(double value) {
    set(hideValue, value);
    return this;
  }

  // The work.

  /** The images' features when imageCol is set, else null. */
  private FeatureSpace images(StructType schema) {
    if ($(imageCol).isEmpty()) {
      return null;
    }
    FeatureSpace space =
        InputFeatures.of(schema, model(), $(imageCol), $(imageShape), "", new String[0]);
    refuseTableParams("images: LIME hides superpixels of '" + $(imageCol) + "'", "superpixel");
    return space;
  }

  /**
   * Refuses what only tables take (a vector or columns, statistics, discretizing) and a {@code
   * keep} without a selection, on the path that explains {@code what}, whose players are each a
   * {@code player}.
   */
  private void refuseTableParams(String what, String player) {
    for (String set :
        List.of("vectorCol", "featuresCols", "statistics", "discretize", "neighbourhood")) {
      if (isSet(getParam(set))) {
        throw new IllegalArgumentException(set + " does not apply to " + what);
      }
    }
    if (isSet(keep) && $(selection).equals("none")) {
      throw new IllegalArgumentException(
          "keep applies to selection highest_weights or lasso; selection none keeps every "
              + player);
    }
  }

  /** The image path's columns: a weight per superpixel, the segments and the pixel map. */
  private StructType imageSchema(StructType schema, FeatureSpace space) {
    ModelInfo info = model().info();
    String out = getOutputCol();
    io.trustlens.feature.ImageShape shape = space.image();
    String unit = info.kind().isClassification() ? "probability" : "the model's output";
    MetadataBuilder meta =
        new MetadataBuilder()
            .putString("method", "lime")
            .putString("model", info.location())
            .putString("superpixels", $(superpixels))
            .putDouble("hide_value", getHideValue())
            .putString("unit", unit);
    org.apache.spark.sql.types.Metadata map =
        new MetadataBuilder()
            .putString("method", "lime")
            .putLongArray("shape", new long[] {shape.height(), shape.width()})
            .putString("unit", unit + " per unit of the superpixel shown")
            .build();
    List<StructField> added = new ArrayList<>();
    added.add(
        new StructField(
            out, DataTypes.createArrayType(DataTypes.DoubleType, false), false, meta.build()));
    added.add(
        DataTypes.createStructField(
            out + "_segments", DataTypes.createArrayType(DataTypes.IntegerType, false), false));
    added.add(
        new StructField(
            out + "_map", DataTypes.createArrayType(DataTypes.FloatType, false), false, map));
    for (String s : List.of("_intercept", "_score", "_prediction", "_output")) {
      added.add(DataTypes.createStructField(out + s, DataTypes.DoubleType, false));
    }
    added.add(DataTypes.createStructField(out + "_class", DataTypes.IntegerType, false));
    return Columns.append(schema, added);
  }

  /**
   * Sets the statistics from a seeded sample of {@code rows} rows of {@code reference} (the
   * training data, say), as lime's explainer takes its training data.
   */
  public LimeExplainer fitStatistics(Dataset<?> reference, int rows) {
    Dataset<Row> prepared = model().prepare(reference.toDF());
    FeatureSpace space = features(prepared.schema());
    double[] values = BackgroundSampler.sample(prepared, space, null, rows, (Long) $(seed)).rows();
    return setStatistics(TabularStatistics.of(values, space.size(), space.groups()));
  }

  /**
   * Fails when a row's perturbations of a table ({@code samples} rows of the features) and its
   * surrogate's normal equations ({@code players²}) would pass {@link RowMemory#MAX_BYTES}.
   */
  public void requireFits(FeatureSpace space) {
    double players = space.groups().size();
    double bytes = 8.0 * getSamples() * space.size() + 8 * players * players;
    RowMemory.require(
        "lime",
        space.groups().size(),
        bytes,
        getSamples() + " perturbations of " + space.size() + " features");
  }

  /** The players' names, in the order of the weights. */
  public List<String> playerNames(StructType schema) {
    return features(preparedSchema(schema)).groups().stream().map(FeatureGroup::name).toList();
  }

  /** The output explained: {@link TabularLime#PREDICTED} or an output index. */
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
    return t < 0 ? TabularLime.PREDICTED : t;
  }

  private TabularStatistics checkedStatistics(FeatureSpace space) {
    TabularStatistics s = getStatistics();
    if (s == null) {
      throw new IllegalArgumentException(
          "set the statistics LIME draws perturbations from: fitStatistics(referenceTable, rows)"
              + " or setStatistics");
    }
    List<String> names = space.groups().stream().map(FeatureGroup::name).toList();
    if (!names.equals(Arrays.asList(s.names()))) {
      throw new IllegalArgumentException(
          "the statistics describe players "
              + Arrays.asList(s.names())
              + "; the table gives "
              + names
              + ": compute them from a reference table with this model's features");
    }
    if (isSet(keep) && $(selection).equals("none")) {
      throw new IllegalArgumentException(
          "keep applies to selection highest_weights or lasso; selection none keeps every player");
    }
    if (isSet(keep) && (Integer) $(keep) > names.size()) {
      throw new IllegalArgumentException(
          "keep is " + $(keep) + ", more than the " + names.size() + " players " + names);
    }
    return s;
  }

  /**
   * How the model reads text: an MLlib text pipeline's text column, or a TorchScript model over
   * token ids whose card has a {@code text} key; null for a model of table features.
   */
  public TextEncoder text(StructType schema) {
    return InputFeatures.text(model(), getModelPath(), schema);
  }

  /** The text path's columns: one weight per distinct word, the words beside them. */
  private StructType textSchema(StructType schema, TextEncoder text) {
    refuseTableParams(
        "text: the model reads the words of '" + text.textColumn() + "', and LIME removes them",
        "word");
    ModelInfo info = model().info();
    String out = getOutputCol();
    MetadataBuilder meta =
        new MetadataBuilder()
            .putString("method", "lime")
            .putString("model", info.location())
            .putString("words", out + "_words")
            .putString(
                "unit", info.kind().isClassification() ? "probability" : "the model's output");
    List<StructField> added = new ArrayList<>();
    added.add(
        new StructField(
            out, DataTypes.createArrayType(DataTypes.DoubleType, false), false, meta.build()));
    added.add(
        DataTypes.createStructField(
            out + "_words", DataTypes.createArrayType(DataTypes.StringType, false), false));
    for (String s : List.of("_intercept", "_score", "_prediction", "_output")) {
      added.add(DataTypes.createStructField(out + s, DataTypes.DoubleType, false));
    }
    added.add(DataTypes.createStructField(out + "_class", DataTypes.IntegerType, false));
    return Columns.append(schema, added);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    ModelInfo info = model().info();
    Columns.requireId(schema, getIdCol());
    targetIndex();
    FeatureSpace pictures = images(schema);
    if (pictures != null) {
      return imageSchema(schema, pictures);
    }
    TextEncoder text = text(schema);
    if (text != null) {
      return textSchema(schema, text);
    }
    FeatureSpace space = features(preparedSchema(schema));
    requireFits(space);
    checkedStatistics(space);
    String out = getOutputCol();
    String[] names = space.groups().stream().map(FeatureGroup::name).toArray(String[]::new);
    MetadataBuilder meta =
        new MetadataBuilder()
            .putString("method", "lime")
            .putString("model", info.location())
            .putStringArray("names", names)
            .putString(
                "unit", info.kind().isClassification() ? "probability" : "the model's output");
    List<StructField> added = new ArrayList<>();
    added.add(
        new StructField(
            out, DataTypes.createArrayType(DataTypes.DoubleType, false), false, meta.build()));
    for (String s : List.of("_intercept", "_score", "_prediction", "_output")) {
      added.add(DataTypes.createStructField(out + s, DataTypes.DoubleType, false));
    }
    added.add(DataTypes.createStructField(out + "_class", DataTypes.IntegerType, false));
    return Columns.append(schema, added);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    LoadedModel m = model();
    FeatureSpace pictures = images(in);
    if (pictures != null) {
      ImagePlan plan =
          new ImagePlan(
              m.source(),
              pictures,
              Superpixels.parse($(superpixels)),
              getSamples(),
              new LocalSurrogate(getAlpha(), getSelection(), getKeep()),
              getKernelWidth(),
              targetIndex(),
              getSeed(),
              getHideValue(),
              in,
              getIdCol());
      return Columns.withMetadata(InternalRows.mapPartitions(dataset, out, plan), out);
    }
    TextEncoder text = text(in);
    if (text != null) {
      Words words =
          new Words(
              m.source(),
              text,
              getSamples(),
              new LocalSurrogate(getAlpha(), getSelection(), getKeep()),
              getKernelWidth(),
              targetIndex(),
              getSeed(),
              in,
              getIdCol());
      return Columns.withMetadata(InternalRows.mapPartitions(dataset, out, words), out);
    }
    Dataset<Row> prepared = m.prepare(dataset.toDF());
    FeatureSpace space = features(prepared.schema());
    TabularStatistics stats = checkedStatistics(space);
    Plan plan =
        new Plan(
            m.source(),
            space,
            stats,
            getDiscretize(),
            getNeighbourhood().equals("shared"),
            getSamples(),
            new LocalSurrogate(getAlpha(), getSelection(), Math.min(getKeep(), stats.players())),
            getKernelWidth(),
            targetIndex(),
            getSeed(),
            prepared.schema(),
            getIdCol());
    StructType appended =
        Columns.append(
            prepared.schema(), Arrays.asList(out.fields()).subList(in.size(), out.size()));
    // A pipeline's own columns (indices, one-hot vectors, its features) are left out again.
    return Columns.withMetadata(InternalRows.mapPartitions(prepared, appended, plan), out);
  }

  @Override
  public LimeExplainer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads a saved stage. */
  public static MLReader<LimeExplainer> read() {
    return new DefaultParamsReader<>();
  }

  /** Loads a saved stage from {@code path}. */
  public static LimeExplainer load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "LimeExplainer(" + uid() + ")";
  }

  /** What a task needs to explain the texts of its partition, one row at a time. */
  private record Words(
      ModelSource model,
      TextEncoder text,
      int samples,
      LocalSurrogate surrogate,
      double width,
      int target,
      long seed,
      StructType schema,
      String idCol)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      TextLime lime = new TextLime(model.open(), text, samples, surrogate, width, target, seed);
      int textIndex = schema.fieldIndex(text.textColumn());
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      return new BatchedRows(rows) {
        private long seen;

        @Override
        protected boolean full(List<Row> pending, Row added) {
          return true; // each text's samples fill calls of their own
        }

        @Override
        protected Object[][] explain(List<Row> pending) {
          Row row = pending.get(0);
          seen++;
          if (row.isNullAt(textIndex)) {
            throw new InvalidFeatureException(
                Columns.describe(row, idCol, idIndex, seen)
                    + ": null in text column '"
                    + text.textColumn()
                    + "'");
          }
          List<String> tokens = text.tokens(row.getString(textIndex));
          long key = idIndex >= 0 ? RowKeys.of(row, idIndex, null) : textKey(tokens);
          TextLime.Result r = lime.explain(tokens, row, key);
          LocalSurrogate.Fit f = r.fit();
          return new Object[][] {
            {
              f.weights(),
              r.words().toArray(new String[0]),
              f.intercept(),
              f.score(),
              f.prediction(),
              r.output(),
              r.target()
            }
          };
        }
      };
    }

    /** A text's key without an id column: a hash of its tokens. */
    private static long textKey(List<String> tokens) {
      long h = 1125899906842597L;
      for (String t : tokens) {
        h = 31 * h + t.hashCode();
      }
      return h;
    }
  }

  /** What a task needs to explain its partition. */
  private record Plan(
      ModelSource model,
      FeatureSpace features,
      TabularStatistics stats,
      boolean discretize,
      boolean shared,
      int samples,
      LocalSurrogate surrogate,
      double width,
      int target,
      long seed,
      StructType schema,
      String idCol)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      int d = features.size();
      BatchModel batch = model.open();
      TabularLime lime =
          new TabularLime(
              batch,
              new TabularSampler(stats, discretize, samples, d, batch.splitThresholds()),
              surrogate,
              width,
              target,
              seed);
      if (shared) {
        lime.shareSamples();
      }
      FeatureSpace.Reader reader = features.reader(schema);
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      int perCall = lime.rowsPerCall();
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
          TabularLime.Result[] results = lime.explain(xs, keys, n);
          Object[][] added = new Object[n][];
          for (int i = 0; i < n; i++) {
            TabularLime.Result r = results[i];
            LocalSurrogate.Fit f = r.fit();
            added[i] =
                new Object[] {
                  f.weights(), f.intercept(), f.score(), f.prediction(), r.output(), r.target()
                };
          }
          return added;
        }
      };
    }
  }
}
