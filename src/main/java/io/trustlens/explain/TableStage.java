package io.trustlens.explain;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.PipelineFeatures;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.OutputKind;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * What every per-row stage over a model and a table's features shares: the Params {@code
 * modelPath}, {@code featuresCols}, {@code vectorCol}, {@code idCol} and {@code outputCol} with
 * getters and setters, the model opened once on the driver, and the features it reads (a pipeline's
 * own stages making them, named in the user's columns). A subclass keeps MLlib's contract by
 * passing its uid up first and declaring its own Params after.
 *
 * @param <S> the stage itself, which the setters return
 */
public abstract class TableStage<S extends TableStage<S>> extends Transformer
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> modelPath;
  private final StringArrayParam featuresCols;
  private final Param<String> vectorCol;
  private final Param<String> idCol;
  private final Param<String> outputCol;

  private transient LoadedModel loaded;

  /** The shared Params of a stage with {@code uid}; {@code output} is outputCol's default. */
  protected TableStage(String uid, String modelDoc, String output) {
    this.uid = uid; // first: every Param below records its parent's uid when it is made
    modelPath = new Param<>(this, "modelPath", modelDoc);
    featuresCols =
        new StringArrayParam(this, "featuresCols", "numeric feature columns, in the model's order");
    vectorCol = new Param<>(this, "vectorCol", "an ML vector column of features; empty: none");
    idCol =
        new Param<>(
            this, "idCol", "row key column: seeds a row's draws, names it in errors; empty: none");
    outputCol = new Param<>(this, "outputCol", "the main output column; others take it as prefix");
    setDefault(modelPath, "");
    setDefault(featuresCols, new String[0]);
    setDefault(vectorCol, "");
    setDefault(idCol, "");
    setDefault(outputCol, output);
  }

  @SuppressWarnings("unchecked")
  private S self() {
    return (S) this;
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public String getModelPath() {
    return $(modelPath);
  }

  public S setModelPath(String value) {
    set(modelPath, value);
    return self();
  }

  public StringArrayParam featuresCols() {
    return featuresCols;
  }

  public String[] getFeaturesCols() {
    return $(featuresCols);
  }

  public S setFeaturesCols(String... value) {
    set(featuresCols, value);
    return self();
  }

  public Param<String> vectorCol() {
    return vectorCol;
  }

  public String getVectorCol() {
    return $(vectorCol);
  }

  public S setVectorCol(String value) {
    set(vectorCol, value);
    return self();
  }

  public Param<String> idCol() {
    return idCol;
  }

  public String getIdCol() {
    return $(idCol);
  }

  public S setIdCol(String value) {
    set(idCol, value);
    return self();
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public String getOutputCol() {
    return $(outputCol);
  }

  public S setOutputCol(String value) {
    set(outputCol, value);
    return self();
  }

  /** The model, opened on the driver once per path (a second open reuses it). */
  public LoadedModel model() {
    if ($(modelPath).isEmpty()) {
      throw new IllegalArgumentException("set modelPath: the model to explain");
    }
    if (loaded == null || !loaded.info().location().equals($(modelPath))) {
      loaded = new ModelLoader(SparkSession.active()).load($(modelPath), -1, OutputKind.LOGIT);
    }
    return loaded;
  }

  /**
   * The features of a table (of {@code preparedSchema}, after the pipeline's own stages) as the
   * model sees them: a pipeline's assembled vector named after its columns, else the columns or
   * vector set here, else the columns the model's card names.
   */
  public FeatureSpace features(StructType preparedSchema) {
    LoadedModel m = model();
    if (m.hasFeatureStages()) {
      for (String set : List.of("vectorCol", "featuresCols")) {
        if (isSet(getParam(set))) {
          throw new IllegalArgumentException(
              set
                  + " is set, but "
                  + m.info().location()
                  + " is a pipeline: its own stages make the features");
        }
      }
      FeatureSpace vector =
          FeatureSpace.ofVector(preparedSchema, m.featuresCol(), m.info().inputSize());
      return PipelineFeatures.describe(vector, m.featureStages(), preparedSchema);
    }
    return InputFeatures.of(preparedSchema, m, "", "", $(vectorCol), $(featuresCols));
  }

  /** The schema the pipeline's own stages make from {@code schema} (run on an empty table). */
  protected StructType preparedSchema(StructType schema) {
    if (!model().hasFeatureStages()) {
      return schema;
    }
    SparkSession spark = SparkSession.active();
    return model().prepare(spark.createDataFrame(List.<Row>of(), schema)).schema();
  }
}
