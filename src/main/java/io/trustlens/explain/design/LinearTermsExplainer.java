package io.trustlens.explain.design;

import io.trustlens.explain.TableStage;
import io.trustlens.explain.shap.BackgroundSampler;
import io.trustlens.feature.BatchedRows;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InternalRows;
import io.trustlens.model.BatchModel;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.LinearCoefficients;
import io.trustlens.model.MllibModel;
import io.trustlens.model.ModelInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
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
 * Appends an MLlib linear or logistic regression's {@link LinearTerms} to a table's rows: {@code
 * terms} ({@code b x} per feature or one-hot group), {@code terms_centred} ({@code b (x - mean)}
 * against the reference means), {@code terms_intercept}, {@code terms_margin} and {@code
 * terms_class} (the output read); for logistic regression {@code terms_odds_ratio} ({@code
 * exp(centred)} per feature). A pipeline's feature stages run first.
 */
public final class LinearTermsExplainer extends TableStage<LinearTermsExplainer> {
  private static final long serialVersionUID = 1L;

  private final Param<String> target;
  private final DoubleArrayParam means;

  /** A stage with a random uid. */
  public LinearTermsExplainer() {
    this(Identifiable$.MODULE$.randomUID("linearTerms"));
  }

  /** A stage with {@code uid} (how MLlib copies and loads stages). */
  public LinearTermsExplainer(String uid) {
    super(uid, "a saved MLlib linear or logistic regression, or a pipeline of one", "terms");
    target = new Param<>(this, "target", ModelInfo.TARGET_DOC);
    means =
        new DoubleArrayParam(
            this, "means", "the reference means per feature slot the centred terms are taken from");
    setDefault(target, ModelInfo.AUTO);
  }

  public Param<String> target() {
    return target;
  }

  public String getTarget() {
    return $(target);
  }

  public LinearTermsExplainer setTarget(String value) {
    return (LinearTermsExplainer) set(target, value);
  }

  public DoubleArrayParam means() {
    return means;
  }

  public double[] getMeans() {
    return isDefined(means) ? $(means) : null;
  }

  public LinearTermsExplainer setMeans(double[] value) {
    return (LinearTermsExplainer) set(means, value);
  }

  // The work.

  /** The model's coefficients, or an error naming the model when it is not linear. */
  public LinearCoefficients coefficients() {
    BatchModel m = model().source().open();
    if (!(m instanceof MllibModel mllib)) {
      throw new InvalidModelException(
          "linear_terms reads MLlib linear and logistic regressions; "
              + model().info().location()
              + " is "
              + m.info().type()
              + " (use lime, kernel or occlusion)");
    }
    return LinearCoefficients.of(mllib.model(), "linear_terms");
  }

  /** Sets the means from a seeded sample of {@code rows} rows of {@code reference}. */
  public LinearTermsExplainer fitMeans(Dataset<?> reference, int rows, long seed) {
    Dataset<Row> prepared = model().prepare(reference.toDF());
    FeatureSpace space = features(prepared.schema());
    return setMeans(BackgroundSampler.sample(prepared, space, null, rows, seed).mean());
  }

  /** The players' names, in the order of the terms. */
  public List<String> playerNames(StructType schema) {
    return features(preparedSchema(schema)).groups().stream().map(FeatureGroup::name).toList();
  }

  /** The output read: an index, or -1 for each row's largest margin. */
  int targetIndex() {
    int t = model().info().outputIndex($(target));
    return Math.max(-1, t);
  }

  private LinearTerms core(FeatureSpace space) {
    double[] m = getMeans();
    if (m == null) {
      throw new IllegalArgumentException(
          "set the reference means the centred terms are taken from: fitMeans(referenceTable,"
              + " rows, seed) or setMeans");
    }
    return new LinearTerms(coefficients(), m, space.groups());
  }

  @Override
  public StructType transformSchema(StructType schema) {
    Columns.requireId(schema, getIdCol());
    FeatureSpace space = features(preparedSchema(schema));
    LinearTerms terms = core(space);
    targetIndex();
    String out = getOutputCol();
    MetadataBuilder meta =
        new MetadataBuilder()
            .putString("method", "linear_terms")
            .putString("model", model().info().location())
            .putStringArray(
                "names", space.groups().stream().map(FeatureGroup::name).toArray(String[]::new))
            .putString("unit", terms.logistic() ? "log-odds (margin)" : "the model's output");
    List<StructField> added = new ArrayList<>();
    added.add(
        new StructField(
            out, DataTypes.createArrayType(DataTypes.DoubleType, false), false, meta.build()));
    added.add(
        new StructField(
            out + "_centred",
            DataTypes.createArrayType(DataTypes.DoubleType, false),
            false,
            meta.build()));
    added.add(DataTypes.createStructField(out + "_intercept", DataTypes.DoubleType, false));
    added.add(DataTypes.createStructField(out + "_margin", DataTypes.DoubleType, false));
    added.add(DataTypes.createStructField(out + "_class", DataTypes.IntegerType, false));
    if (terms.logistic()) {
      added.add(
          new StructField(
              out + "_odds_ratio",
              DataTypes.createArrayType(DataTypes.DoubleType, false),
              false,
              meta.build()));
    }
    return Columns.append(schema, added);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    Dataset<Row> prepared = model().prepare(dataset.toDF());
    FeatureSpace space = features(prepared.schema());
    Plan plan = new Plan(core(space), space, targetIndex(), prepared.schema(), getIdCol());
    StructType appended =
        Columns.append(
            prepared.schema(), Arrays.asList(out.fields()).subList(in.size(), out.size()));
    return Columns.withMetadata(InternalRows.mapPartitions(prepared, appended, plan), out);
  }

  @Override
  public LinearTermsExplainer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads a saved stage. */
  public static MLReader<LinearTermsExplainer> read() {
    return new DefaultParamsReader<>();
  }

  /** Loads a saved stage from {@code path}. */
  public static LinearTermsExplainer load(String path) {
    return read().load(path);
  }

  /** What a task needs for its partition: no model call, the coefficients travel with it. */
  private record Plan(
      LinearTerms terms, FeatureSpace features, int target, StructType schema, String idCol)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      FeatureSpace.Reader reader = features.reader(schema);
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      return BatchedRows.eachRow(
          rows,
          reader,
          idCol,
          idIndex,
          1024,
          x -> {
            LinearTerms.Reading r = terms.read(x, target);
            return terms.logistic()
                ? new Object[] {
                  r.terms(), r.centred(), r.intercept(), r.margin(), r.output(), r.oddsRatios()
                }
                : new Object[] {r.terms(), r.centred(), r.intercept(), r.margin(), r.output()};
          });
    }
  }
}
