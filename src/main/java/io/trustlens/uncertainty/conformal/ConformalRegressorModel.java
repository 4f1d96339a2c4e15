package io.trustlens.uncertainty.conformal;

import io.trustlens.feature.Columns;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** A fitted {@link ConformalRegressor}: per row the interval ŷ ± q̂. */
public final class ConformalRegressorModel extends Model<ConformalRegressorModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final IntervalParams shared;
  private final DoubleParam alpha;
  private final DoubleParam quantile;
  private final LongParam calibrationRows;

  public ConformalRegressorModel() {
    this(Identifiable$.MODULE$.randomUID("conformalRegressorModel"));
  }

  public ConformalRegressorModel(String uid) {
    this.uid = uid;
    shared = new IntervalParams(this);
    alpha = new DoubleParam(this, "alpha", "the miscoverage the threshold was fitted for");
    quantile = new DoubleParam(this, "quantile", "q-hat: the interval's half width");
    calibrationRows = new LongParam(this, "calibrationRows", "rows the threshold was fitted on");
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

  public DoubleParam alpha() {
    return alpha;
  }

  public DoubleParam quantile() {
    return quantile;
  }

  public LongParam calibrationRows() {
    return calibrationRows;
  }

  public double getQuantile() {
    return (Double) $(quantile);
  }

  public ConformalRegressorModel setQuantile(double value) {
    set(quantile, value);
    return this;
  }

  public ConformalRegressorModel setCalibrationRows(long value) {
    set(calibrationRows, value);
    return this;
  }

  public ConformalRegressorModel setPredictionCol(String value) {
    set(shared.predictionCol, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return shared.transformSchema(this, schema);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    IntervalParams.Reader reader = shared.reader(this, dataset.schema());
    double q = getQuantile();
    MapPartitionsFunction<Row, Row> each =
        rows ->
            Columns.eachRow(
                rows,
                r -> {
                  double y = reader.prediction(r);
                  return Columns.appended(r, y - q, y + q);
                });
    return io.trustlens.feature.Columns.withMetadata(
        dataset.toDF().mapPartitions(each, Encoders.row(out)), out);
  }

  @Override
  public ConformalRegressorModel copy(ParamMap extra) {
    ConformalRegressorModel copied = defaultCopy(extra);
    return copied.setParent(parent());
  }

  public static MLReader<ConformalRegressorModel> read() {
    return new DefaultParamsReader<>();
  }

  public static ConformalRegressorModel load(String path) {
    return read().load(path);
  }
}
