package io.trustlens.model;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.FeatureSpaceParam;
import io.trustlens.feature.InternalRows;
import io.trustlens.feature.InvalidFeatureException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a table with a model in large batches inside {@code mapPartitions}, appending {@code
 * prediction}, {@code probability} (classifiers) and {@code logits} (models that output logits).
 *
 * <p>The model is opened once per executor JVM ({@link ModelSource#open()}); rows are read by a
 * {@link FeatureSpace} and scored {@code batchSize} at a time. A row with null or NaN features
 * fails the job with the row's key (the default) or is dropped ({@code onInvalid = skip}).
 */
public final class ModelScorer extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final Param<String> modelPath;
  private final FeatureSpaceParam features;
  private transient ModelSource opened;

  /** Name of the prediction column (class index or value). */
  private final Param<String> predictionCol;

  /** Name of the class probability column (classifiers only). */
  private final Param<String> probabilityCol;

  /** Name of the logits column (models whose outputs are logits only). */
  private final Param<String> logitsCol;

  /** Rows scored per model call. */
  private final IntParam batchSize;

  /** What to do with rows whose features are null or NaN: error or skip. */
  private final Param<String> onInvalid;

  /** The column that names a row in errors; empty for none. */
  private final Param<String> idCol;

  /** A scorer with a random uid; set its model path and features before use. */
  public ModelScorer() {
    this(Identifiable$.MODULE$.randomUID("modelScorer"));
  }

  /** A scorer with {@code uid} (how MLlib copies and loads stages). */
  public ModelScorer(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    modelPath =
        new Param<>(
            this,
            "modelPath",
            "a saved MLlib model or pipeline, or a TorchScript file with its card");
    features = new FeatureSpaceParam(this, "features", "the features the model reads");
    predictionCol = new Param<>(this, "predictionCol", "name of the prediction column");
    probabilityCol = new Param<>(this, "probabilityCol", "name of the class probability column");
    logitsCol = new Param<>(this, "logitsCol", "name of the raw logits column");
    batchSize =
        new IntParam(this, "batchSize", "rows scored per model call", ParamValidators.gt(0));
    onInvalid =
        new Param<>(
            this,
            "onInvalid",
            "error (fail naming the row) or skip (drop the row)",
            ParamValidators.inArray(new String[] {"error", "skip"}));
    idCol = new Param<>(this, "idCol", "row key column for messages");
    setDefault(modelPath, "");
    setDefault(predictionCol, "prediction");
    setDefault(probabilityCol, "probability");
    setDefault(logitsCol, "logits");
    setDefault(batchSize, 1024);
    setDefault(onInvalid, "error");
    setDefault(idCol, "");
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public String getModelPath() {
    return $(modelPath);
  }

  /** Scores with the model saved at {@code value} (opened on the driver when first needed). */
  public ModelScorer setModelPath(String value) {
    set(modelPath, value);
    return this;
  }

  public FeatureSpaceParam features() {
    return features;
  }

  public FeatureSpace getFeatures() {
    if (!isDefined(features)) {
      throw new IllegalArgumentException("set features: the columns the model reads");
    }
    return $(features);
  }

  public ModelScorer setFeatures(FeatureSpace value) {
    set(features, value);
    return this;
  }

  /** The final model, opened on the driver once per path. */
  private ModelSource model() {
    String path = $(modelPath);
    if (opened == null || !opened.info().location().equals(path)) {
      if (path.isEmpty()) {
        throw new IllegalArgumentException("set modelPath: the model that scores");
      }
      opened =
          new ModelLoader(org.apache.spark.sql.SparkSession.active())
              .load(path, getFeatures().size(), OutputKind.LOGIT)
              .source();
    }
    FeatureSpace f = getFeatures();
    if (f.size() != opened.info().inputSize()) {
      throw new InvalidFeatureException(
          "the table gives "
              + f.size()
              + " features ("
              + f
              + "), but "
              + opened.info().location()
              + " reads "
              + opened.info().inputSize()
              + "; name the columns with --features, and the label with --label");
    }
    return opened;
  }

  /** The predictionCol param (Spark discovers params through such methods). */
  public Param<String> predictionCol() {
    return predictionCol;
  }

  /** The probabilityCol param (Spark discovers params through such methods). */
  public Param<String> probabilityCol() {
    return probabilityCol;
  }

  /** The logitsCol param (Spark discovers params through such methods). */
  public Param<String> logitsCol() {
    return logitsCol;
  }

  /** The batchSize param (Spark discovers params through such methods). */
  public IntParam batchSize() {
    return batchSize;
  }

  /** The onInvalid param (Spark discovers params through such methods). */
  public Param<String> onInvalid() {
    return onInvalid;
  }

  /** The idCol param (Spark discovers params through such methods). */
  public Param<String> idCol() {
    return idCol;
  }

  /**
   * A scorer of {@code features} with {@code model}, already opened on the driver (a model fitted
   * in the notebook too; such a scorer saves, but loads only where its location is a saved model).
   */
  public ModelScorer(ModelSource model, FeatureSpace features) {
    this();
    set(modelPath, model.info().location());
    setFeatures(features);
    this.opened = model;
    model(); // the sizes checked now
  }

  public ModelScorer setPredictionCol(String value) {
    set(predictionCol, value);
    return this;
  }

  public ModelScorer setProbabilityCol(String value) {
    set(probabilityCol, value);
    return this;
  }

  public ModelScorer setLogitsCol(String value) {
    set(logitsCol, value);
    return this;
  }

  public ModelScorer setBatchSize(int value) {
    set(batchSize, value);
    return this;
  }

  public ModelScorer setOnInvalid(String value) {
    set(onInvalid, value);
    return this;
  }

  public ModelScorer setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : getFeatures().columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException(io.trustlens.feature.ColumnNames.unknown(c, schema));
      }
    }
    ModelInfo info = model().info();
    Metadata names =
        new MetadataBuilder()
            .putStringArray("names", info.outputNames().toArray(new String[0]))
            .build();
    List<StructField> added = new ArrayList<>();
    added.add(DataTypes.createStructField($(predictionCol), DataTypes.DoubleType, false));
    if (info.kind().isClassification()) {
      added.add(
          new StructField(
              $(probabilityCol),
              DataTypes.createArrayType(DataTypes.DoubleType, false),
              false,
              names));
    }
    if (info.kind() == OutputKind.LOGIT) {
      added.add(
          new StructField(
              $(logitsCol), DataTypes.createArrayType(DataTypes.DoubleType, false), false, names));
    }
    return Columns.append(schema, added);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    String id = $(idCol);
    Columns.requireId(in, id);
    PartitionScorer scorer =
        new PartitionScorer(
            model(), getFeatures(), in, (Integer) $(batchSize), $(onInvalid).equals("skip"), id);
    return InternalRows.mapPartitions(dataset, out, scorer);
  }

  @Override
  public ModelScorer copy(ParamMap extra) {
    ModelScorer copied = defaultCopy(extra);
    copied.opened = opened;
    return copied;
  }

  public static MLReader<ModelScorer> read() {
    return new DefaultParamsReader<>();
  }

  public static ModelScorer load(String path) {
    return read().load(path);
  }

  /** The per-partition work: read a batch of rows, score it in one call, emit the rows. */
  private record PartitionScorer(
      ModelSource model,
      FeatureSpace features,
      StructType schema,
      int batchSize,
      boolean skipInvalid,
      String idCol)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      BatchModel scorer = model.open();
      FeatureSpace.Reader reader = features.reader(schema);
      int d = features.size();
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      OutputKind kind = scorer.info().kind();
      return new Iterator<>() {
        private final List<Row> batch = new ArrayList<>(batchSize);
        private final double[] inputs = new double[batchSize * d];
        private Scores scores;
        private int next;
        private long seen;

        @Override
        public boolean hasNext() {
          if (scores != null && next < batch.size()) {
            return true;
          }
          fill();
          return !batch.isEmpty();
        }

        private void fill() {
          batch.clear();
          next = 0;
          while (batch.size() < batchSize && rows.hasNext()) {
            Row row = rows.next();
            seen++;
            try {
              reader.read(row, inputs, batch.size() * d);
              batch.add(row);
            } catch (InvalidFeatureException | ClassCastException e) {
              if (!skipInvalid) {
                throw new InvalidFeatureException(describe(row) + ": " + e.getMessage());
              }
            }
          }
          scores = batch.isEmpty() ? null : scorer.score(inputs, batch.size());
        }

        private String describe(Row row) {
          return Columns.describe(row, idCol, idIndex, seen);
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          Row row = batch.get(next);
          int w = scores.width();
          int extra = 1 + (kind.isClassification() ? 1 : 0) + (kind == OutputKind.LOGIT ? 1 : 0);
          Object[] values = new Object[extra];
          int k = 0;
          values[k++] = scores.predictions()[next];
          if (kind.isClassification()) {
            double[] p = new double[w];
            kind.probabilities(scores.outputs(), next * w, w, p);
            values[k++] = p;
          }
          if (kind == OutputKind.LOGIT) {
            double[] logits = new double[w];
            System.arraycopy(scores.outputs(), next * w, logits, 0, w);
            values[k] = logits;
          }
          next++;
          return Columns.appended(row, values);
        }
      };
    }
  }
}
