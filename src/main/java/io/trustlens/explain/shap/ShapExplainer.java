package io.trustlens.explain.shap;

import io.trustlens.explain.RowMemory;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.FeatureSpaceParam;
import io.trustlens.feature.InternalRows;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.RowKeys;
import io.trustlens.model.BatchModel;
import io.trustlens.model.Capability;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelSource;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Appends per-row Shapley values to a table: {@code shap} (one value per player: a feature, or a
 * one-hot group for exact, kernel and permutation), {@code shap_base}, {@code shap_gap} (output
 * minus base minus the sum of values) and {@code shap_class} (the output explained).
 *
 * <p>Methods: {@code exact}, {@code kernel}, {@code permutation} (any model, interventional against
 * the background), {@code linear} (MLlib linear and logistic regression, margin space) and {@code
 * tree} (MLlib DT, RF and GBT; raw space). Tree and linear attribute to feature slots and sum a
 * group's slots. Perturbations are built and scored in large batches inside {@code mapPartitions};
 * each row's random draws depend on (seed, row key) only.
 */
public final class ShapExplainer extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** The methods, in the order the docs list them. */
  public static final List<String> METHODS =
      List.of("exact", "kernel", "permutation", "linear", "tree", "tree_interventional");

  /** {@code shap_class} when every output is explained ({@code target = all}). */
  public static final int ALL = -2;

  private static final int PREDICTED = -1;

  private final String uid;
  private final Param<String> modelPath;
  private final FeatureSpaceParam features;
  private final DoubleArrayParam background;
  private final DoubleArrayParam backgroundWeights;
  private transient ModelSource opened;

  private final Param<String> method;
  private final IntParam samples;
  private final LongParam seed;
  private final Param<String> target;
  private final Param<String> idCol;
  private final Param<String> outputCol;

  /** An explainer with a random uid; set its model path, features and background before use. */
  public ShapExplainer() {
    this(Identifiable$.MODULE$.randomUID("shapExplainer"));
  }

  /** An explainer with {@code uid} (how MLlib copies and loads stages). */
  public ShapExplainer(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    modelPath =
        new Param<>(
            this,
            "modelPath",
            "a saved MLlib model or pipeline, or a TorchScript file with its card");
    features = new FeatureSpaceParam(this, "features", "the features the model reads");
    background =
        new DoubleArrayParam(
            this,
            "background",
            "the background rows, row-major (features values each): feature absent means"
                + " averaged over them; empty for tree, which reads the trees' own cover");
    backgroundWeights =
        new DoubleArrayParam(
            this, "backgroundWeights", "one weight per background row; empty: equal weights");
    method =
        new Param<>(
            this,
            "method",
            "exact, kernel, permutation, linear, tree or tree_interventional",
            ParamValidators.inArray(METHODS.toArray(new String[0])));
    samples =
        new IntParam(
            this,
            "samples",
            "coalitions (kernel) or orders (permutation); 0 = default",
            ParamValidators.gtEq(0));
    seed = new LongParam(this, "seed", "random seed");
    target =
        new Param<>(
            this,
            "target",
            "auto (a binary classifier's positive class, else each row's predicted class),"
                + " predicted, all, or a class index or output name");
    idCol = new Param<>(this, "idCol", "row key column; empty: features");
    outputCol = new Param<>(this, "outputCol", "attribution column");
    setDefault(modelPath, "");
    setDefault(background, new double[0]);
    setDefault(backgroundWeights, new double[0]);
    setDefault(method, "kernel");
    setDefault(samples, 0);
    setDefault(seed, 42L);
    setDefault(target, ModelInfo.AUTO);
    setDefault(idCol, "");
    setDefault(outputCol, "shap");
  }

  /**
   * Explains {@code model}, already opened on the driver (a model fitted in the notebook too; such
   * an explainer saves, but loads only where its location is a saved model), on {@code features}
   * against {@code background}.
   */
  public ShapExplainer(ModelSource model, FeatureSpace features, Background background) {
    this();
    if (background.features() != features.size()) {
      throw new InvalidFeatureException(
          "the background has "
              + background.features()
              + " features; the table gives "
              + features.size());
    }
    set(modelPath, model.info().location());
    setFeatures(features);
    setBackground(background);
    this.opened = model;
    getBackground(); // the sizes checked now
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public String getModelPath() {
    return $(modelPath);
  }

  /** Explains the model saved at {@code value} (opened on the driver when first needed). */
  public ShapExplainer setModelPath(String value) {
    set(modelPath, value);
    return this;
  }

  public FeatureSpaceParam features() {
    return features;
  }

  public FeatureSpace getFeatures() {
    if (!isDefined(features)) {
      throw new IllegalArgumentException("set features: the columns the model reads");
    }
    return $(features);
  }

  public ShapExplainer setFeatures(FeatureSpace value) {
    set(features, value);
    return this;
  }

  public DoubleArrayParam background() {
    return background;
  }

  public DoubleArrayParam backgroundWeights() {
    return backgroundWeights;
  }

  /** The background: its rows and weights (no rows: one row of zeros, which tree ignores). */
  public Background getBackground() {
    double[] rows = $(background);
    double[] weights = $(backgroundWeights);
    int d = getFeatures().size();
    if (rows.length == 0) {
      return Background.of(new double[d], d);
    }
    if (rows.length % d != 0) {
      throw new InvalidFeatureException(
          "the background has "
              + rows.length
              + " values, not whole rows of the table's "
              + d
              + " features");
    }
    if (weights.length == 0) {
      return Background.of(rows, d);
    }
    if (weights.length != rows.length / d) {
      throw new IllegalArgumentException(
          "backgroundWeights has " + weights.length + " weights for " + rows.length / d + " rows");
    }
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    // Weights set from a Background are normalised already: keep their bits.
    return Math.abs(sum - 1) < 1e-9 && java.util.Arrays.stream(weights).allMatch(w -> w >= 0)
        ? new Background(rows, weights, d)
        : Background.weighted(rows, weights, d);
  }

  /** Sets the background's rows and weights. */
  public ShapExplainer setBackground(Background value) {
    set(background, value.rows());
    set(backgroundWeights, value.weights());
    return this;
  }

  /** The model, opened on the driver once per path. */
  private ModelSource model() {
    String path = $(modelPath);
    if (opened == null || !opened.info().location().equals(path)) {
      if (path.isEmpty()) {
        throw new IllegalArgumentException("set modelPath: the model explained");
      }
      opened =
          new io.trustlens.model.ModelLoader(org.apache.spark.sql.SparkSession.active())
              .load(path, getFeatures().size(), io.trustlens.model.OutputKind.LOGIT)
              .source();
    }
    return opened;
  }

  public Param<String> method() {
    return method;
  }

  public IntParam samples() {
    return samples;
  }

  public LongParam seed() {
    return seed;
  }

  public Param<String> target() {
    return target;
  }

  public Param<String> idCol() {
    return idCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public ShapExplainer setMethod(String value) {
    set(method, value);
    return this;
  }

  public ShapExplainer setSamples(int value) {
    set(samples, value);
    return this;
  }

  public ShapExplainer setSeed(long value) {
    set(seed, value);
    return this;
  }

  public ShapExplainer setTarget(String value) {
    set(target, value);
    return this;
  }

  public ShapExplainer setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  public ShapExplainer setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The players' names: groups for exact, kernel and permutation, groups too for tree/linear. */
  public List<String> playerNames() {
    return getFeatures().groups().stream().map(FeatureGroup::name).toList();
  }

  /** Checks that the method fits the model and the players, before any task runs. */
  void check() {
    ModelInfo info = model().info();
    String m = $(method);
    requireCapability(m, info);
    FeatureSpace features = getFeatures();
    if (m.equals("exact") && features.groups().size() > ShapleyValues.MAX_PLAYERS) {
      throw new IllegalArgumentException(
          "method exact takes at most "
              + ShapleyValues.MAX_PLAYERS
              + " players; the table has "
              + features.groups().size()
              + "; use method kernel or permutation");
    }
    int players = features.groups().size();
    if (m.equals("kernel")) {
      int n = (Integer) $(samples) > 0 ? (Integer) $(samples) : KernelShap.defaultSamples(players);
      RowMemory.require(
          m,
          players,
          KernelShap.bytesPerRow(players, n),
          "its least-squares system of " + (players - 1) + "² and " + n + " coalitions");
    } else if (m.equals("permutation")) {
      int n = (Integer) $(samples) > 0 ? (Integer) $(samples) : PermutationShap.defaultSamples();
      RowMemory.require(
          m,
          players,
          PermutationShap.bytesPerRow(players, n),
          "the coalitions along " + (n + n % 2) + " orders of " + players + " players");
    }
    targetIndex();
  }

  /**
   * Fails when Shapley method {@code m} needs what the model is not: a tree ensemble for {@code
   * tree}, a linear model for {@code linear}. Audits call it for every task before any runs.
   */
  public static void requireCapability(String m, ModelInfo info) {
    if (m.startsWith("tree") && !info.capabilities().contains(Capability.TREE_ENSEMBLE)) {
      throw new InvalidModelException(
          "method "
              + m
              + " explains MLlib DecisionTree, RandomForest and GBT models; "
              + info.location()
              + " is "
              + info.type()
              + " (use kernel or permutation for any model)");
    }
    if (m.equals("linear") && !info.capabilities().contains(Capability.LINEAR)) {
      throw new InvalidModelException(
          "method linear explains MLlib LinearRegression, LogisticRegression and"
              + " GeneralizedLinearRegression models; "
              + info.location()
              + " is "
              + info.type()
              + " (use kernel or permutation for any model)");
    }
  }

  /** The output to explain, or {@link #PREDICTED} or {@link #ALL}. */
  private int targetIndex() {
    String t = $(target);
    if (t.equals("all")) {
      return ALL;
    }
    ModelInfo info = model().info();
    try {
      int k = info.outputIndex(t);
      return k < 0 ? PREDICTED : k;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown target '"
              + t
              + "'; the model's outputs are "
              + info.outputNames()
              + " (give a name, an index 0.."
              + (info.outputSize() - 1)
              + ", auto, predicted or all)",
          e);
    }
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : getFeatures().columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException(io.trustlens.feature.ColumnNames.unknown(c, schema));
      }
    }
    check();
    String out = $(outputCol);
    Metadata names =
        new MetadataBuilder()
            .putStringArray("names", playerNames().toArray(new String[0]))
            .putString("method", $(method))
            .build();
    boolean all = $(target).equals("all");
    var values = DataTypes.createArrayType(DataTypes.DoubleType, false);
    var perOutput = all ? DataTypes.createArrayType(values, false) : values;
    var number = all ? values : DataTypes.DoubleType;
    return Columns.append(
        schema,
        List.of(
            new StructField(out, perOutput, false, names),
            DataTypes.createStructField(out + "_base", number, false),
            DataTypes.createStructField(out + "_gap", number, false),
            DataTypes.createStructField(out + "_class", DataTypes.IntegerType, false)));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    String id = $(idCol);
    Columns.requireId(in, id);
    Plan plan =
        new Plan(
            model(),
            getFeatures(),
            getBackground(),
            in,
            $(method),
            (Integer) $(samples),
            (Long) $(seed),
            targetIndex(),
            id);
    // Rows read and written as Spark's internal rows: a row's columns are converted only when
    // read, and no deserializer is compiled for the table's schema. The shap column gets its
    // players' names back as metadata.
    return Columns.withMetadata(InternalRows.mapPartitions(dataset, out, plan), out);
  }

  @Override
  public ShapExplainer copy(ParamMap extra) {
    ShapExplainer copied = defaultCopy(extra);
    copied.opened = opened;
    return copied;
  }

  public static MLReader<ShapExplainer> read() {
    return new DefaultParamsReader<>();
  }

  public static ShapExplainer load(String path) {
    return read().load(path);
  }

  /** What a task needs to explain its partition. */
  private record Plan(
      ModelSource model,
      FeatureSpace features,
      Background background,
      StructType schema,
      String method,
      int samples,
      long seed,
      int target,
      String idCol)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      BatchModel scorer = model.open();
      RowExplainer explainer = explainer(scorer);
      FeatureSpace.Reader reader = features.reader(schema);
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      int d = features.size();
      return new Iterator<>() {
        private long position;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          Row row = rows.next();
          position++;
          double[] x = new double[d];
          try {
            reader.read(row, x, 0);
          } catch (InvalidFeatureException e) {
            throw new InvalidFeatureException(
                Columns.describe(row, idCol, idIndex, position) + ": " + e.getMessage());
          }
          ShapleyResult[] all = explainer.explain(x, RowKeys.of(row, idIndex, x));
          if (target == ALL) {
            double[][] each = new double[all.length][];
            double[] bases = new double[all.length];
            double[] gaps = new double[all.length];
            for (int k = 0; k < all.length; k++) {
              each[k] = all[k].values();
              bases[k] = all[k].base();
              gaps[k] = all[k].gap();
            }
            return Columns.appended(row, each, bases, gaps, ALL);
          }
          int k = target >= 0 ? target : predictedClass(scorer, all);
          ShapleyResult r = all[k];
          return Columns.appended(row, r.values(), r.base(), r.gap(), k);
        }
      };
    }

    /** The output with the largest value (the first on ties): the predicted class. */
    private static int predictedClass(BatchModel scorer, ShapleyResult[] all) {
      if (all.length == 1 || !scorer.info().kind().isClassification()) {
        return 0;
      }
      int best = 0;
      for (int k = 1; k < all.length; k++) {
        if (all[k].output() > all[best].output()) {
          best = k;
        }
      }
      return best;
    }

    private RowExplainer explainer(BatchModel scorer) {
      return Explainers.of(method, scorer, features, background, samples, seed);
    }
  }

  @Override
  public String toString() {
    return "ShapExplainer(" + $(method).toLowerCase(Locale.ROOT) + ")";
  }
}
