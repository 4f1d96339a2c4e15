package io.trustlens.uncertainty.conformal;

import io.trustlens.uncertainty.InvalidScoresException;
import io.trustlens.uncertainty.OrderStatistics;
import io.trustlens.uncertainty.ScoreColumns;
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
import org.apache.spark.sql.types.StructType;

/**
 * Split conformal regression as a Spark ML estimator (anchor: MAPIE's {@code
 * MapieRegressor(cv="prefit")}, method "base"): q̂ is the exact ⌈(n+1)(1−α)⌉-th smallest absolute
 * residual |y − ŷ| of the calibration split, and each row's interval ŷ ± q̂ holds its label for at
 * least 1 − alpha of exchangeable rows.
 */
public final class ConformalRegressor extends Estimator<ConformalRegressorModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final IntervalParams shared;
  private final Param<String> labelCol;
  private final DoubleParam alpha;

  public ConformalRegressor() {
    this(Identifiable$.MODULE$.randomUID("conformalRegressor"));
  }

  public ConformalRegressor(String uid) {
    this.uid = uid;
    shared = new IntervalParams(this);
    labelCol = new Param<>(this, "labelCol", "the true value of each calibration row");
    alpha =
        new DoubleParam(
            this,
            "alpha",
            "the miscoverage: intervals hold the label for at least 1 - alpha of rows",
            ParamValidators.inRange(0, 1, false, false));
    setDefault(labelCol, "label");
    setDefault(alpha, 0.1);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> predictionCol() {
    return shared.predictionCol;
  }

  public Param<String> lowerCol() {
    return shared.lowerCol;
  }

  public Param<String> upperCol() {
    return shared.upperCol;
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

  public ConformalRegressor setPredictionCol(String value) {
    set(shared.predictionCol, value);
    return this;
  }

  public ConformalRegressor setLabelCol(String value) {
    set(labelCol, value);
    return this;
  }

  public ConformalRegressor setIdCol(String value) {
    set(shared.idCol, value);
    return this;
  }

  public ConformalRegressor setAlpha(double value) {
    set(alpha, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    ScoreColumns.numeric(schema, $(labelCol), "label");
    return shared.transformSchema(this, schema);
  }

  @Override
  public ConformalRegressorModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    StructType schema = dataset.schema();
    IntervalParams.Reader reader = shared.reader(this, schema);
    int label = schema.fieldIndex($(labelCol));
    JavaRDD<Double> residuals =
        dataset
            .toDF()
            .toJavaRDD()
            .map(
                r -> {
                  double y = ScoreColumns.number(r, label);
                  if (!Double.isFinite(y)) {
                    throw new InvalidScoresException(
                        reader.describe(r) + " has label " + y + ", not a finite number");
                  }
                  return Math.abs(y - reader.prediction(r));
                });
    long n = residuals.count();
    int k;
    try {
      k = ConformalScore.rank(n, getAlpha());
    } catch (IllegalArgumentException e) {
      throw new InvalidScoresException(e.getMessage());
    }
    double quantile = OrderStatistics.at(residuals, new long[] {k - 1})[0];
    ConformalRegressorModel model =
        new ConformalRegressorModel(uid).setQuantile(quantile).setCalibrationRows(n);
    copyValues(model, extractParamMap());
    return model.setParent(this);
  }

  @Override
  public ConformalRegressor copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<ConformalRegressor> read() {
    return new DefaultParamsReader<>();
  }

  public static ConformalRegressor load(String path) {
    return read().load(path);
  }
}
