package io.trustlens.uncertainty.conformal;

import io.trustlens.feature.Columns;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.DoubleParam;
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
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/** A fitted {@link ConformalClassifier}: per row the labels scoring at most q̂, and their count. */
public final class ConformalClassifierModel extends Model<ConformalClassifierModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final ConformalParams shared;
  private final DoubleParam alpha;
  private final DoubleParam quantile;
  private final IntParam classes;
  private final LongParam calibrationRows;

  public ConformalClassifierModel() {
    this(Identifiable$.MODULE$.randomUID("conformalClassifierModel"));
  }

  public ConformalClassifierModel(String uid) {
    this.uid = uid;
    shared = new ConformalParams(this);
    alpha = new DoubleParam(this, "alpha", "the miscoverage the threshold was fitted for");
    quantile = new DoubleParam(this, "quantile", "q-hat: the fitted score threshold");
    classes = new IntParam(this, "classes", "classes of the model", ParamValidators.gt(1));
    calibrationRows = new LongParam(this, "calibrationRows", "rows the threshold was fitted on");
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

  public DoubleParam alpha() {
    return alpha;
  }

  public DoubleParam quantile() {
    return quantile;
  }

  public IntParam classesParam() {
    return classes;
  }

  public LongParam calibrationRows() {
    return calibrationRows;
  }

  public double getQuantile() {
    return (Double) $(quantile);
  }

  public long getCalibrationRows() {
    return (Long) $(calibrationRows);
  }

  public String getSetCol() {
    return $(shared.setCol);
  }

  public ConformalClassifierModel setQuantile(double value) {
    set(quantile, value);
    return this;
  }

  public ConformalClassifierModel setClasses(int value) {
    set(classes, value);
    return this;
  }

  public ConformalClassifierModel setCalibrationRows(long value) {
    set(calibrationRows, value);
    return this;
  }

  public ConformalClassifierModel setProbabilityCol(String value) {
    set(shared.probabilityCol, value);
    return this;
  }

  public ConformalClassifierModel setSetCol(String value) {
    set(shared.setCol, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return shared.transformSchema(this, schema);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    ConformalParams.Reader reader = shared.reader(this, dataset.schema());
    ConformalScore kind = ConformalScore.named($(shared.score));
    double q = getQuantile();
    int k = (Integer) $(classes);
    MapPartitionsFunction<Row, Row> each =
        rows ->
            Columns.eachRow(
                rows,
                r -> {
                  int[] set = kind.set(reader.probabilities(r, k), q);
                  return Columns.appended(r, set, set.length);
                });
    return io.trustlens.feature.Columns.withMetadata(
        dataset.toDF().mapPartitions(each, Encoders.row(out)), out);
  }

  @Override
  public ConformalClassifierModel copy(ParamMap extra) {
    ConformalClassifierModel copied = defaultCopy(extra);
    return copied.setParent(parent());
  }

  public static MLReader<ConformalClassifierModel> read() {
    return new DefaultParamsReader<>();
  }

  public static ConformalClassifierModel load(String path) {
    return read().load(path);
  }
}
