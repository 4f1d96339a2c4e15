package io.trustlens.uncertainty.conformal;

import io.trustlens.uncertainty.InvalidScoresException;
import io.trustlens.uncertainty.OrderStatistics;
import io.trustlens.uncertainty.ScoreColumns;
import io.trustlens.uncertainty.calibration.CalibrationSums;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Split conformal classification as a Spark ML estimator (anchor: MAPIE's {@code
 * MapieClassifier(cv="prefit")}): fitted on a calibration split of class probabilities and labels,
 * its model gives each row the set of labels whose {@link ConformalScore} is at most q̂, which
 * holds the true label for at least 1 − alpha of exchangeable rows. q̂ is the exact ⌈(n+1)(1−α)⌉-th
 * smallest calibration score (one distributed sort; partition-independent).
 */
public final class ConformalClassifier extends Estimator<ConformalClassifierModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ConformalParams shared;
  private final Param<String> labelCol;
  private final DoubleParam alpha;

  public ConformalClassifier() {
    this(Identifiable$.MODULE$.randomUID("conformalClassifier"));
  }

  public ConformalClassifier(String uid) {
    this.uid = uid;
    shared = new ConformalParams(this);
    labelCol = new Param<>(this, "labelCol", "the class index of each calibration row");
    alpha =
        new DoubleParam(
            this,
            "alpha",
            "the miscoverage: sets hold the label for at least 1 - alpha of rows",
            ParamValidators.inRange(0, 1, false, false));
    setDefault(labelCol, "label");
    setDefault(alpha, 0.1);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> probabilityCol() {
    return shared.probabilityCol;
  }

  public Param<String> score() {
    return shared.score;
  }

  public Param<String> setCol() {
    return shared.setCol;
  }

  public Param<String> idCol() {
    return shared.idCol;
  }

  public Param<String> labelCol() {
    return labelCol;
  }

  public DoubleParam alpha() {
    return alpha;
  }

  public double getAlpha() {
    return (Double) $(alpha);
  }

  public ConformalClassifier setProbabilityCol(String value) {
    set(shared.probabilityCol, value);
    return this;
  }

  public ConformalClassifier setScore(String value) {
    set(shared.score, value);
    return this;
  }

  public ConformalClassifier setSetCol(String value) {
    set(shared.setCol, value);
    return this;
  }

  public ConformalClassifier setIdCol(String value) {
    set(shared.idCol, value);
    return this;
  }

  public ConformalClassifier setLabelCol(String value) {
    set(labelCol, value);
    return this;
  }

  public ConformalClassifier setAlpha(double value) {
    set(alpha, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    ScoreColumns.numeric(schema, $(labelCol), "label");
    return shared.transformSchema(this, schema);
  }

  @Override
  public ConformalClassifierModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    StructType schema = dataset.schema();
    ConformalParams.Reader reader = shared.reader(this, schema);
    int label = schema.fieldIndex($(labelCol));
    ConformalScore kind = ConformalScore.named($(shared.score));
    JavaRDD<Double> scores =
        dataset
            .toDF()
            .toJavaRDD()
            .map(
                r -> {
                  double[] p = reader.probabilities(r, -1);
                  double y = ScoreColumns.number(r, label);
                  String problem = CalibrationSums.checkLabel(y, p.length);
                  if (problem != null) {
                    throw new InvalidScoresException(reader.describe(r) + " " + problem);
                  }
                  return kind.score(p, (int) y);
                });
    long n = scores.count();
    int k;
    try {
      k = ConformalScore.rank(n, getAlpha());
    } catch (IllegalArgumentException e) {
      throw new InvalidScoresException(e.getMessage());
    }
    double quantile = OrderStatistics.at(scores, new long[] {k - 1})[0];
    Row first = dataset.toDF().select($(shared.probabilityCol)).first();
    ConformalClassifierModel model =
        new ConformalClassifierModel(uid)
            .setQuantile(quantile)
            .setClasses(ScoreColumns.read(first, 0).length)
            .setCalibrationRows(n);
    copyValues(model, extractParamMap());
    return model.setParent(this);
  }

  @Override
  public ConformalClassifier copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<ConformalClassifier> read() {
    return new DefaultParamsReader<>();
  }

  public static ConformalClassifier load(String path) {
    return read().load(path);
  }

  /** The output columns' names: the set and its size. */
  static List<String> outputs(String setCol) {
    return List.of(setCol, setCol + "_size");
  }
}
