package io.trustlens.uncertainty;

import io.trustlens.explain.shap.Background;
import io.trustlens.explain.shap.BackgroundSampler;
import io.trustlens.explain.shap.Explainers;
import io.trustlens.explain.shap.RowExplainer;
import io.trustlens.explain.shap.ShapleyResult;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.RowKeys;
import io.trustlens.feature.ValidRows;
import io.trustlens.model.BatchModel;
import io.trustlens.model.Capability;
import io.trustlens.model.EnsembleModel;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The uncertainty of an explanation: each ensemble member explains the same output of a row with
 * Shapley values ({@code tree}: TreeSHAP, arXiv 1802.03888, for MLlib tree members; {@code kernel}
 * or {@code permutation} for any members, against a background drawn from the table), and {@link
 * ShapSpread} says per player how much the members agree and whether they disagree on the sign of a
 * top player. The output explained: class 1 of a binary classifier, the ensemble's predicted class
 * otherwise (the class of the largest mean probability), the value of a regression.
 *
 * <p>Columns (prefix {@code outputPrefix}, default {@code uncertainty_shap}): {@code _mean} and
 * {@code _std} (one value per player, names in the metadata), {@code _class}, {@code
 * _sign_disagreement} and {@code _unstable_player} (the first top player whose sign the members
 * dispute, or null).
 */
public final class ExplanationSpread extends FeatureStage<ExplanationSpread> {
  private static final long serialVersionUID = 1L;

  private final StringArrayParam modelPaths;
  private final Param<String> method;
  private final IntParam samples;
  private final IntParam backgroundRows;
  private final IntParam topPlayers;
  private final LongParam seed;
  private transient LoadedModel loaded;

  public ExplanationSpread() {
    this(Identifiable$.MODULE$.randomUID("explanationSpread"));
  }

  public ExplanationSpread(String uid) {
    super(uid);
    modelPaths = new StringArrayParam(this, "modelPaths", "the members (>= 2)");
    method =
        new Param<>(
            this,
            "method",
            "tree (MLlib tree members), kernel or permutation",
            ParamValidators.inArray(new String[] {"tree", "kernel", "permutation"}));
    samples =
        new IntParam(
            this,
            "samples",
            "coalitions or orders per row; 0: the method's default",
            ParamValidators.gtEq(0));
    backgroundRows =
        new IntParam(
            this,
            "backgroundRows",
            "background rows drawn from the table (kernel, permutation)",
            ParamValidators.gtEq(1));
    topPlayers =
        new IntParam(
            this,
            "topPlayers",
            "the largest |mean| players checked for a sign disagreement",
            ParamValidators.gtEq(1));
    seed = new LongParam(this, "seed", "the seed of the background and the sampled coalitions");
    setDefault(modelPaths, new String[0]);
    setDefault(method, "tree");
    setDefault(samples, 0);
    setDefault(backgroundRows, 100);
    setDefault(topPlayers, 3);
    setDefault(seed, 42L);
    setDefault(outputPrefix(), "uncertainty_shap");
  }

  public StringArrayParam modelPaths() {
    return modelPaths;
  }

  public Param<String> method() {
    return method;
  }

  public IntParam samples() {
    return samples;
  }

  public IntParam backgroundRows() {
    return backgroundRows;
  }

  public IntParam topPlayers() {
    return topPlayers;
  }

  public LongParam seed() {
    return seed;
  }

  public String[] getModelPaths() {
    return $(modelPaths);
  }

  public String getMethod() {
    return $(method);
  }

  public int getTopPlayers() {
    return (Integer) $(topPlayers);
  }

  public ExplanationSpread setModelPaths(String... value) {
    set(modelPaths, value);
    return this;
  }

  public ExplanationSpread setMethod(String value) {
    set(method, value);
    return this;
  }

  public ExplanationSpread setSamples(int value) {
    set(samples, value);
    return this;
  }

  public ExplanationSpread setBackgroundRows(int value) {
    set(backgroundRows, value);
    return this;
  }

  public ExplanationSpread setTopPlayers(int value) {
    set(topPlayers, value);
    return this;
  }

  public ExplanationSpread setSeed(long value) {
    set(seed, value);
    return this;
  }

  @Override
  public LoadedModel model() {
    loaded = EnsembleUncertainty.members($(modelPaths), loaded, "the spread of explanations");
    return loaded;
  }

  /** Fails unless the method can explain every member alike, before any task runs. */
  private void checkMembers(StructType schema) {
    if (!getImageCol().isEmpty()) {
      throw new InvalidFeatureException(
          "the spread of explanations reads feature columns or a vector, not images");
    }
    if (!$(method).equals("tree")) {
      return;
    }
    List<String> types = new ArrayList<>();
    for (ModelInfo info : model().source().memberInfos()) {
      if (!info.capabilities().contains(Capability.TREE_ENSEMBLE)) {
        throw new InvalidModelException(
            "method tree explains MLlib tree members; "
                + info.location()
                + " is "
                + info.type()
                + " (use kernel or permutation for any members)");
      }
      types.add(info.type());
    }
    if (types.stream().distinct().count() > 1) {
      throw new InvalidModelException(
          "method tree explains each member in its own raw unit (GBT margin, forest probability),"
              + " so the members must be of one type; they are "
              + types
              + " (use kernel or permutation to explain them all as probabilities)");
    }
  }

  @Override
  public StructType transformSchema(StructType schema) {
    checkMembers(schema);
    FeatureSpace space = features(schema);
    if (space.size() != model().info().inputSize()) {
      throw new InvalidFeatureException(
          "the table gives "
              + space.size()
              + " features, but the members read "
              + model().info().inputSize());
    }
    Columns.requireId(schema, getIdCol());
    String p = getOutputPrefix();
    String[] names = space.groups().stream().map(FeatureGroup::name).toArray(String[]::new);
    var values = DataTypes.createArrayType(DataTypes.DoubleType, false);
    List<StructField> added = new ArrayList<>();
    added.add(
        new StructField(
            p + "_mean",
            values,
            false,
            meaning(
                "mean over the members of each player's Shapley value (" + $(method) + ")",
                names)));
    added.add(
        new StructField(
            p + "_std",
            values,
            false,
            meaning("standard deviation over the members of each player's Shapley value", names)));
    added.add(
        new StructField(
            p + "_class", DataTypes.IntegerType, false, meaning("the output explained", null)));
    added.add(
        new StructField(
            p + "_sign_disagreement",
            DataTypes.BooleanType,
            false,
            meaning(
                "members disagree on the sign of one of the top " + getTopPlayers() + " players",
                null)));
    added.add(
        new StructField(
            p + "_unstable_player",
            DataTypes.StringType,
            true,
            meaning("the first top player whose sign the members dispute", null)));
    return Columns.append(schema, added);
  }

  private static org.apache.spark.sql.types.Metadata meaning(String text, String[] names) {
    MetadataBuilder b = new MetadataBuilder().putString("meaning", text);
    if (names != null) {
      b.putStringArray("names", names);
    }
    return b.build();
  }

  @Override
  public Dataset<org.apache.spark.sql.Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    FeatureSpace space = features(in);
    Background background =
        $(method).equals("tree")
            ? Background.of(new double[space.size()], space.size())
            : BackgroundSampler.sample(
                dataset.toDF(),
                space,
                getIdCol().isEmpty() ? null : getIdCol(),
                (Integer) $(backgroundRows),
                (Long) $(seed));
    Plan plan =
        new Plan(
            model().source(),
            space,
            background,
            in,
            $(method),
            (Integer) $(samples),
            (Long) $(seed),
            getTopPlayers(),
            getIdCol(),
            getOnInvalid().equals("skip"));
    return Columns.withMetadata(dataset.toDF().mapPartitions(plan, Encoders.row(out)), out);
  }

  /** What a task needs: each member's explainer, then each row's spread. */
  private record Plan(
      ModelSource ensemble,
      FeatureSpace features,
      Background background,
      StructType schema,
      String method,
      int samples,
      long seed,
      int top,
      String idCol,
      boolean skip)
      implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      EnsembleModel model = (EnsembleModel) ensemble.open();
      List<BatchModel> members = model.members();
      List<RowExplainer> explainers = new ArrayList<>();
      for (BatchModel m : members) {
        explainers.add(Explainers.of(method, m, features, background, samples, seed));
      }
      FeatureSpace.Reader reader = features.reader(schema);
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      int d = features.size();
      int k = members.size();
      int players = features.groups().size();
      boolean classifier = model.info().kind().isClassification();
      int width = model.info().outputSize();
      List<String> names = features.groups().stream().map(FeatureGroup::name).toList();
      return new ValidRows(
          rows,
          reader,
          d,
          idCol,
          idIndex,
          skip,
          (row, x) -> {
            long key = RowKeys.of(row, idIndex, x);
            ShapleyResult[][] all = new ShapleyResult[k][];
            for (int m = 0; m < k; m++) {
              all[m] = explainers.get(m).explain(x, key);
            }
            int target = classifier ? (width == 2 ? 1 : predicted(all, members, width)) : 0;
            double[] values = new double[k * players];
            for (int m = 0; m < k; m++) {
              ShapleyResult r = all[m][Math.min(target, all[m].length - 1)];
              System.arraycopy(r.values(), 0, values, m * players, players);
            }
            ShapSpread s = ShapSpread.of(values, k, players, top);
            return Columns.appended(
                row,
                s.mean(),
                s.std(),
                target,
                s.signDisagreement(),
                s.unstable() < 0 ? null : names.get(s.unstable()));
          });
    }

    /**
     * The ensemble's predicted class from what the members' explanations already computed: each
     * member's explained outputs as probabilities (by the member's kind), the largest mean class
     * (the first on ties), as {@link EnsembleModel} predicts, without scoring the row again.
     */
    private int predicted(ShapleyResult[][] all, List<BatchModel> members, int width) {
      double[] mean = new double[width];
      double[] outputs = new double[width];
      double[] p = new double[width];
      for (int m = 0; m < all.length; m++) {
        for (int c = 0; c < width; c++) {
          outputs[c] = all[m][c].output();
        }
        members.get(m).info().kind().probabilities(outputs, 0, width, p);
        for (int c = 0; c < width; c++) {
          mean[c] += p[c] / all.length;
        }
      }
      int best = 0;
      for (int c = 1; c < width; c++) {
        if (mean[c] > mean[best]) {
          best = c;
        }
      }
      return best;
    }
  }

  @Override
  public ExplanationSpread copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<ExplanationSpread> read() {
    return new DefaultParamsReader<>();
  }

  public static ExplanationSpread load(String path) {
    return read().load(path);
  }
}
