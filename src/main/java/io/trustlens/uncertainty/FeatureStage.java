package io.trustlens.uncertainty;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.LoadedModel;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.types.StructType;

/**
 * The base of the stages that read a model's features from a table and add columns per row ({@link
 * SpreadStage}, {@link ExplanationSpread}): the params they share (feature columns, vector or
 * image, id, output prefix, batch size, invalid rows) with getters and chaining setters, and the
 * features the model reads in a schema.
 *
 * @param <T> the stage itself, so that setters chain
 */
public abstract class FeatureStage<T extends FeatureStage<T>> extends Transformer
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

  protected FeatureStage(String uid) {
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
      return described(m, FeatureSpace.ofVector(schema, $(vectorCol), size), schema);
    }
    if ($(featuresCols).length > 0) {
      return FeatureSpace.ofColumns(schema, List.of($(featuresCols)));
    }
    if (m.featuresCol() != null && schema.getFieldIndex(m.featuresCol()).isDefined()) {
      return described(m, FeatureSpace.ofVector(schema, m.featuresCol(), size), schema);
    }
    if (!m.featureColumns().isEmpty()) {
      return FeatureSpace.ofColumns(schema, m.featureColumns());
    }
    throw new InvalidFeatureException(
        m.info().location()
            + " names no feature columns the table has: set featuresCols, vectorCol or imageCol");
  }

  /**
   * The vector of a pipeline's feature stages named and grouped as the user's columns (a one-hot
   * block is one player); any other vector as it is.
   */
  private static FeatureSpace described(LoadedModel m, FeatureSpace vector, StructType schema) {
    return m.hasFeatureStages() && vector.columns().get(0).equals(m.featuresCol())
        ? io.trustlens.feature.PipelineFeatures.describe(vector, m.featureStages(), schema)
        : vector;
  }
}
