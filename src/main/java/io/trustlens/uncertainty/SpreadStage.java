package io.trustlens.uncertainty;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The base of the stages that add a row's spread over K draws of its prediction ({@link
 * EnsembleUncertainty}, {@link io.trustlens.uncertainty.dropout.McDropoutUncertainty}): the params
 * they share (features, id, output prefix, batch size, invalid rows), the {@code uncertainty_*}
 * columns of {@link SpreadColumns}, and the partition loop: rows read in batches, their draws made
 * by {@link Draws} in one call per batch, each row's {@link Spread} appended.
 *
 * @param <T> the stage itself, so that setters chain
 */
public abstract class SpreadStage<T extends SpreadStage<T>> extends Transformer
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final StringArrayParam featuresCols;
  private final Param<String> vectorCol;
  private final Param<String> imageCol;
  private final Param<String> imageShape;
  private final Param<String> idCol;
  private final Param<String> outputPrefix;
  private final IntParam batchSize;
  private final Param<String> onInvalid;

  protected SpreadStage(String uid) {
    this.uid = uid; // first: every Param below records its parent's uid when it is made
    featuresCols =
        new StringArrayParam(this, "featuresCols", "numeric feature columns, in the model's order");
    vectorCol = new Param<>(this, "vectorCol", "an ML vector column of features; empty: none");
    imageCol = new Param<>(this, "imageCol", "an image column (array or Spark image); empty: none");
    imageShape = new Param<>(this, "imageShape", "the image's C,H,W");
    idCol = new Param<>(this, "idCol", "the column that names rows (and keys their draws)");
    outputPrefix = new Param<>(this, "outputPrefix", "the prefix of the uncertainty columns");
    batchSize = new IntParam(this, "batchSize", "rows per model call", ParamValidators.gt(0));
    onInvalid =
        new Param<>(
            this,
            "onInvalid",
            "error (fail naming the row) or skip (drop the row) for null or NaN features",
            ParamValidators.inArray(new String[] {"error", "skip"}));
    setDefault(featuresCols, new String[0]);
    setDefault(vectorCol, "");
    setDefault(imageCol, "");
    setDefault(imageShape, "");
    setDefault(idCol, "");
    setDefault(outputPrefix, "uncertainty");
    setDefault(batchSize, 1024);
    setDefault(onInvalid, "error");
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The model (or members) whose draws are measured, loaded on the driver. */
  public abstract LoadedModel model();

  /** What makes each row's draws on the executors. */
  protected abstract Draws.Source draws();

  /** What one draw is, in column descriptions: "members" or "passes". */
  protected abstract String drawName();

  @SuppressWarnings("unchecked")
  private T self() {
    return (T) this;
  }

  public StringArrayParam featuresCols() {
    return featuresCols;
  }

  public Param<String> vectorCol() {
    return vectorCol;
  }

  public Param<String> imageCol() {
    return imageCol;
  }

  public Param<String> imageShape() {
    return imageShape;
  }

  public Param<String> idCol() {
    return idCol;
  }

  public Param<String> outputPrefix() {
    return outputPrefix;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public Param<String> onInvalid() {
    return onInvalid;
  }

  public String[] getFeaturesCols() {
    return $(featuresCols);
  }

  public String getVectorCol() {
    return $(vectorCol);
  }

  public String getImageCol() {
    return $(imageCol);
  }

  public String getImageShape() {
    return $(imageShape);
  }

  public String getIdCol() {
    return $(idCol);
  }

  public String getOutputPrefix() {
    return $(outputPrefix);
  }

  public int getBatchSize() {
    return (Integer) $(batchSize);
  }

  public String getOnInvalid() {
    return $(onInvalid);
  }

  public T setFeaturesCols(String... value) {
    set(featuresCols, value);
    return self();
  }

  public T setVectorCol(String value) {
    set(vectorCol, value);
    return self();
  }

  public T setImageCol(String value) {
    set(imageCol, value);
    return self();
  }

  public T setImageShape(String value) {
    set(imageShape, value);
    return self();
  }

  public T setIdCol(String value) {
    set(idCol, value);
    return self();
  }

  public T setOutputPrefix(String value) {
    set(outputPrefix, value);
    return self();
  }

  public T setBatchSize(int value) {
    set(batchSize, value);
    return self();
  }

  public T setOnInvalid(String value) {
    set(onInvalid, value);
    return self();
  }

  /** The features the model reads in {@code schema}. */
  public FeatureSpace features(StructType schema) {
    LoadedModel m = model();
    int size = m.info().inputSize();
    if (!$(imageCol).isEmpty()) {
      if ($(imageShape).isEmpty()) {
        throw new InvalidFeatureException("imageCol '" + $(imageCol) + "' needs imageShape C,H,W");
      }
      ImageShape shape = ImageShape.parse($(imageShape));
      boolean struct =
          schema.getFieldIndex($(imageCol)).isDefined()
              && schema.apply($(imageCol)).dataType() instanceof StructType;
      return struct
          ? FeatureSpace.ofSparkImage(schema, $(imageCol), shape)
          : FeatureSpace.ofImageArray(schema, $(imageCol), shape);
    }
    if (!$(vectorCol).isEmpty()) {
      return FeatureSpace.ofVector(schema, $(vectorCol), size);
    }
    if ($(featuresCols).length > 0) {
      return FeatureSpace.ofColumns(schema, List.of($(featuresCols)));
    }
    if (m.featuresCol() != null && schema.getFieldIndex(m.featuresCol()).isDefined()) {
      return FeatureSpace.ofVector(schema, m.featuresCol(), size);
    }
    if (!m.featureColumns().isEmpty()) {
      return FeatureSpace.ofColumns(schema, m.featureColumns());
    }
    throw new InvalidFeatureException(
        m.info().location()
            + " names no feature columns the table has: set featuresCols, vectorCol or imageCol");
  }

  @Override
  public StructType transformSchema(StructType schema) {
    FeatureSpace space = features(schema);
    ModelInfo info = model().info();
    if (space.size() != info.inputSize()) {
      throw new InvalidFeatureException(
          "the table gives " + space.size() + " features, but the model reads " + info.inputSize());
    }
    Columns.requireId(schema, $(idCol));
    return Columns.append(
        schema,
        SpreadColumns.fields(
            $(outputPrefix), info.kind().isClassification(), info.outputNames(), drawName()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    ModelInfo info = model().info();
    SpreadRows plan =
        new SpreadRows(
            draws(),
            features(in),
            in,
            getBatchSize(),
            $(onInvalid).equals("skip"),
            $(idCol),
            info.kind().isClassification(),
            info.kind().isClassification() ? info.outputSize() : 1);
    return Columns.withMetadata(dataset.toDF().mapPartitions(plan, Encoders.row(out)), out);
  }
}
