package io.trustlens.uncertainty.calibration;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted calibrator: appends {@code outputCol}, the calibrated class probabilities of each row's
 * {@code inputCol} scores. Its fitted values are params, so it saves and loads with the stage.
 */
public abstract class CalibratorModel<M extends CalibratorModel<M>> extends Model<M>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final CalibratorParams shared;

  protected CalibratorModel(String uid) {
    this.uid = uid;
    this.shared = new CalibratorParams(this);
    shared.defaults(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> inputCol() {
    return shared.inputCol;
  }

  public Param<String> inputKind() {
    return shared.inputKind;
  }

  public Param<String> outputCol() {
    return shared.outputCol;
  }

  public Param<String> idCol() {
    return shared.idCol;
  }

  public String getInputCol() {
    return $(shared.inputCol);
  }

  public String getInputKind() {
    return $(shared.inputKind);
  }

  public String getOutputCol() {
    return $(shared.outputCol);
  }

  @SuppressWarnings("unchecked")
  public M setInputCol(String value) {
    set(shared.inputCol, value);
    return (M) this;
  }

  @SuppressWarnings("unchecked")
  public M setInputKind(String value) {
    set(shared.inputKind, value);
    return (M) this;
  }

  @SuppressWarnings("unchecked")
  public M setOutputCol(String value) {
    set(shared.outputCol, value);
    return (M) this;
  }

  @SuppressWarnings("unchecked")
  public M setIdCol(String value) {
    set(shared.idCol, value);
    return (M) this;
  }

  /** Calibrated probabilities from one row's logits; small and serialisable. */
  @FunctionalInterface
  public interface Map extends java.io.Serializable {
    double[] probabilities(double[] logits);
  }

  /** The fitted map, built from this model's params. */
  public abstract Map map();

  /** Classes the fitted map knows. */
  public abstract int classes();

  /** Calibrated probabilities of one row's logits. */
  public double[] calibrate(double[] logits) {
    return map().probabilities(logits);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    return shared.transformSchema(this, schema);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType out = transformSchema(dataset.schema());
    CalibratorParams.Reader reader = shared.reader(this, dataset.schema());
    Map map = map();
    int classes = classes();
    MapPartitionsFunction<Row, Row> each =
        rows ->
            io.trustlens.feature.Columns.eachRow(
                rows,
                r ->
                    io.trustlens.feature.Columns.appended(
                        r, map.probabilities(reader.logits(r, classes))));
    return io.trustlens.feature.Columns.withMetadata(
        dataset.toDF().mapPartitions(each, Encoders.row(out)), out);
  }

  @Override
  public M copy(org.apache.spark.ml.param.ParamMap extra) {
    M copied = defaultCopy(extra);
    return copied.setParent(parent());
  }
}
