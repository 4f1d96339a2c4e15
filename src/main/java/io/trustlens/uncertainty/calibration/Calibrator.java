package io.trustlens.uncertainty.calibration;

import io.trustlens.uncertainty.ExactSums;
import io.trustlens.uncertainty.InvalidScoresException;
import io.trustlens.uncertainty.ScoreColumns;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * A Spark ML estimator that fits a map from a classifier's scores to calibrated probabilities on a
 * calibration split: {@link TemperatureScaling}, {@link PlattScaling}, {@link IsotonicCalibration}.
 * It reads {@code inputCol} (probabilities by default, or logits) and {@code labelCol} and fits a
 * model that appends {@code outputCol} (class probabilities summing to one).
 */
public abstract class Calibrator<M extends CalibratorModel<M>> extends Estimator<M>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final CalibratorParams shared;
  private final Param<String> labelCol;

  protected Calibrator(String uid) {
    this.uid = uid; // first: the params below record their parent's uid
    this.shared = new CalibratorParams(this);
    this.labelCol = new Param<>(this, "labelCol", "the class index of each calibration row");
    shared.defaults(this);
    setDefault(labelCol, "label");
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

  public Param<String> labelCol() {
    return labelCol;
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

  public String getIdCol() {
    return $(shared.idCol);
  }

  public String getLabelCol() {
    return $(labelCol);
  }

  @SuppressWarnings("unchecked")
  private <T extends Calibrator<M>> T with(Param<String> p, String value) {
    set(p, value);
    return (T) this;
  }

  public <T extends Calibrator<M>> T setInputCol(String value) {
    return with(shared.inputCol, value);
  }

  public <T extends Calibrator<M>> T setInputKind(String value) {
    return with(shared.inputKind, value);
  }

  public <T extends Calibrator<M>> T setOutputCol(String value) {
    return with(shared.outputCol, value);
  }

  public <T extends Calibrator<M>> T setIdCol(String value) {
    return with(shared.idCol, value);
  }

  public <T extends Calibrator<M>> T setLabelCol(String value) {
    return with(labelCol, value);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    ScoreColumns.numeric(schema, $(labelCol), "label");
    return shared.transformSchema(this, schema);
  }

  @Override
  public M fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    StructType schema = dataset.schema();
    CalibratorParams.Reader reader = shared.reader(this, schema);
    int label = schema.fieldIndex($(labelCol));
    Row first = dataset.toDF().select($(shared.inputCol)).first();
    double[] firstScores = first == null ? null : ScoreColumns.read(first, 0);
    if (firstScores == null || firstScores.length < 2) {
      throw new InvalidScoresException(
          "column '" + $(shared.inputCol) + "' needs scores for at least two classes");
    }
    int classes = firstScores.length;
    JavaRDD<Scored> rows =
        dataset
            .toDF()
            .toJavaRDD()
            .map(
                r -> {
                  double[] z = reader.logits(r, classes);
                  double y = ScoreColumns.number(r, label);
                  String problem = CalibrationSums.checkLabel(y, classes);
                  if (problem != null) {
                    throw new InvalidScoresException(
                        ScoreColumns.describe(r, reader.id(), reader.idCol()) + " " + problem);
                  }
                  return new Scored(z, (int) y);
                })
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long n = rows.count();
      if (n < minRows()) {
        throw new InvalidScoresException(
            "too few calibration rows: "
                + n
                + "; "
                + getClass().getSimpleName()
                + " needs at least "
                + minRows());
      }
      M model = fitScores(new SparkScores(rows, classes), rows);
      copyValues(model, extractParamMap());
      model.setParent(this);
      return model;
    } finally {
      rows.unpersist(false);
    }
  }

  /** The fewest calibration rows this calibrator accepts. */
  protected int minRows() {
    return 10;
  }

  /** The fitted model, from the checked calibration rows (cached). */
  protected abstract M fitScores(LabelledScores data, JavaRDD<Scored> rows);

  /** One checked calibration row: logits and label. */
  public record Scored(double[] logits, int label) implements java.io.Serializable {}

  /** Calibration rows cached on the executors. */
  private record SparkScores(JavaRDD<Scored> rows, int classes) implements LabelledScores {
    @Override
    public ExactSums sum(int size, Terms terms) {
      return rows.mapPartitions(
              it -> {
                ExactSums sums = new ExactSums(size);
                while (it.hasNext()) {
                  Scored s = it.next();
                  terms.add(s.logits(), s.label(), sums);
                }
                return java.util.List.of(sums).iterator();
              })
          .reduce(ExactSums::merge);
    }
  }
}
