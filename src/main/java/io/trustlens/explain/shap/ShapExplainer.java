package io.trustlens.explain.shap;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
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
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
public final class ShapExplainer extends Transformer {
  private static final long serialVersionUID = 1L;

  /** The methods, in the order the docs list them. */
  public static final List<String> METHODS =
      List.of("exact", "kernel", "permutation", "linear", "tree", "tree_interventional");

  /** {@code shap_class} when every output is explained ({@code target = all}). */
  public static final int ALL = -2;

  private static final int PREDICTED = -1;

  private final String uid = Identifiable$.MODULE$.randomUID("shapExplainer");
  private final ModelSource model;
  private final FeatureSpace features;
  private final Background background;

  private final Param<String> method =
      new Param<>(
          this,
          "method",
          "exact, kernel, permutation, linear, tree or tree_interventional",
          ParamValidators.inArray(METHODS.toArray(new String[0])));
  private final IntParam samples =
      new IntParam(
          this,
          "samples",
          "coalitions (kernel) or orders (permutation); 0 = default",
          ParamValidators.gtEq(0));
  private final LongParam seed = new LongParam(this, "seed", "random seed");
  private final Param<String> target =
      new Param<>(
          this,
          "target",
          "auto (a binary classifier's positive class, else each row's predicted class),"
              + " predicted, all, or a class index or output name");
  private final Param<String> idCol = new Param<>(this, "idCol", "row key column; empty: features");
  private final Param<String> outputCol = new Param<>(this, "outputCol", "attribution column");

  /** Explains {@code model} on {@code features} against {@code background}. */
  public ShapExplainer(ModelSource model, FeatureSpace features, Background background) {
    this.model = model;
    this.features = features;
    this.background = background;
    if (background.features() != features.size()) {
      throw new InvalidFeatureException(
          "the background has "
              + background.features()
              + " features; the table gives "
              + features.size());
    }
    setDefault(method, "kernel");
    setDefault(samples, 0);
    setDefault(seed, 42L);
    setDefault(target, ModelInfo.AUTO);
    setDefault(idCol, "");
    setDefault(outputCol, "shap");
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
    return features.groups().stream().map(FeatureGroup::name).toList();
  }

  /** Checks that the method fits the model and the players, before any task runs. */
  void check() {
    ModelInfo info = model.info();
    String m = $(method);
    requireCapability(m, info);
    if (m.equals("exact") && features.groups().size() > ShapleyValues.MAX_PLAYERS) {
      throw new IllegalArgumentException(
          "method exact takes at most "
              + ShapleyValues.MAX_PLAYERS
              + " players; the table has "
              + features.groups().size()
              + "; use method kernel or permutation");
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
    ModelInfo info = model.info();
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
    for (String c : features.columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException("unknown column '" + c + "'");
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
            model,
            features,
            background,
            in,
            $(method),
            (Integer) $(samples),
            (Long) $(seed),
            targetIndex(),
            id);
    Dataset<Row> explained = dataset.toDF().mapPartitions(plan, Encoders.row(out));
    // The row encoder drops field metadata: give the shap column its players' names back.
    org.apache.spark.sql.Column[] named = new org.apache.spark.sql.Column[out.size()];
    for (int i = 0; i < named.length; i++) {
      StructField f = out.fields()[i];
      named[i] = explained.col("`" + f.name() + "`").as(f.name(), f.metadata());
    }
    return explained.select(named);
  }

  @Override
  public ShapExplainer copy(ParamMap extra) {
    return defaultCopy(extra);
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
          Object[] values = new Object[row.length() + 4];
          for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
          }
          if (target == ALL) {
            double[][] each = new double[all.length][];
            double[] bases = new double[all.length];
            double[] gaps = new double[all.length];
            for (int k = 0; k < all.length; k++) {
              each[k] = all[k].values();
              bases[k] = all[k].base();
              gaps[k] = all[k].gap();
            }
            values[row.length()] = each;
            values[row.length() + 1] = bases;
            values[row.length() + 2] = gaps;
            values[row.length() + 3] = ALL;
            return RowFactory.create(values);
          }
          int k = target >= 0 ? target : predictedClass(scorer, all);
          ShapleyResult r = all[k];
          values[row.length()] = r.values();
          values[row.length() + 1] = r.base();
          values[row.length() + 2] = r.gap();
          values[row.length() + 3] = k;
          return RowFactory.create(values);
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
