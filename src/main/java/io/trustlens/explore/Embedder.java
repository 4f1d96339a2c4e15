package io.trustlens.explore;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.FeatureSpaceParam;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.BatchModel;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.ModelSource;
import io.trustlens.model.TorchScriptModel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
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

/**
 * A deep encoder's view of each row: appends {@code embedding} (a vector) from a TorchScript
 * model's exported {@code embed} method, or from its outputs when it exports none, scored in
 * batches inside each partition with the model opened once per executor. The maps can then work on
 * the embedding instead of the raw features (the seed's t-SNE of a network's penultimate layer).
 */
public final class Embedder extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  private static final int BATCH = 1024;

  private final String uid;
  private final Param<String> modelPath;
  private final FeatureSpaceParam features;
  private final Param<String> method;
  private final Param<String> outputCol;
  private final Param<String> idCol;
  private transient ModelSource opened;

  /** A stage with a random uid; set its model path and features before use. */
  public Embedder() {
    this(Identifiable$.MODULE$.randomUID("embedder"));
  }

  /** A stage with {@code uid} (how MLlib copies and loads stages). */
  public Embedder(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    modelPath = new Param<>(this, "modelPath", "a TorchScript model (.pt with its card)");
    features = new FeatureSpaceParam(this, "features", "the features the model reads");
    method = new Param<>(this, "method", "the module's method: embed, forward or another");
    outputCol = new Param<>(this, "outputCol", "embedding column");
    idCol = new Param<>(this, "idCol", "row key column, for errors");
    setDefault(modelPath, "");
    setDefault(method, "");
    setDefault(outputCol, "embedding");
    setDefault(idCol, "");
  }

  /** Embeds {@code features} with {@code model} (TorchScript), already opened on the driver. */
  public Embedder(ModelSource model, FeatureSpace features) {
    this();
    setModelPath(model.info().location());
    setFeatures(features);
    this.opened = model;
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public String getModelPath() {
    return $(modelPath);
  }

  public Embedder setModelPath(String value) {
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

  public Embedder setFeatures(FeatureSpace value) {
    set(features, value);
    return this;
  }

  /** The model, opened on the driver once per path. */
  private ModelSource model() {
    String path = $(modelPath);
    if (path.isEmpty()) {
      throw new IllegalArgumentException("set modelPath: the TorchScript model that embeds");
    }
    if (opened == null || !opened.info().location().equals(path)) {
      opened =
          new io.trustlens.model.ModelLoader(org.apache.spark.sql.SparkSession.active())
              .load(path, getFeatures().size(), io.trustlens.model.OutputKind.LOGIT)
              .source();
    }
    return opened;
  }

  public Param<String> method() {
    return method;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> idCol() {
    return idCol;
  }

  public Embedder setMethod(String value) {
    set(method, value);
    return this;
  }

  public Embedder setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public Embedder setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  /** The method used: the one set, else {@code embed} when exported, else {@code forward}. */
  public String resolvedMethod() {
    if (!$(method).isEmpty()) {
      return $(method);
    }
    TorchScriptModel m = torch(model().open());
    return m.card().methods().contains("embed") ? "embed" : "forward";
  }

  /** The embedding's length, found by running the model once on the driver. */
  public int width() {
    TorchScriptModel m = torch(model().open());
    return m.runMethodChunked(resolvedMethod(), new double[getFeatures().size()], 1).length;
  }

  private static TorchScriptModel torch(BatchModel m) {
    if (m instanceof TorchScriptModel t) {
      return t;
    }
    throw new InvalidModelException(
        "embeddings come from a TorchScript model; " + m.info().type() + " has none");
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : getFeatures().columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException("unknown column '" + c + "'");
      }
    }
    return Columns.append(
        schema,
        List.of(
            org.apache.spark.sql.types.DataTypes.createStructField(
                $(outputCol), SQLDataTypes.VectorType(), false)));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    String how = resolvedMethod();
    String id = $(idCol);
    Columns.requireId(in, id);
    ModelSource source = model();
    FeatureSpace space = getFeatures();
    return dataset
        .toDF()
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>) rows -> embed(rows, source, space, in, how, id),
            Encoders.row(out));
  }

  private static Iterator<Row> embed(
      Iterator<Row> rows,
      ModelSource source,
      FeatureSpace features,
      StructType schema,
      String method,
      String idCol) {
    TorchScriptModel m = torch(source.open());
    FeatureSpace.Reader reader = features.reader(schema);
    int d = features.size();
    int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
    return new Iterator<>() {
      private final List<Row> batch = new ArrayList<>(BATCH);
      private final double[] inputs = new double[BATCH * d];
      private float[] out;
      private int width;
      private int next;
      private long seen;

      @Override
      public boolean hasNext() {
        if (next < batch.size()) {
          return true;
        }
        batch.clear();
        next = 0;
        while (batch.size() < BATCH && rows.hasNext()) {
          Row row = rows.next();
          try {
            reader.read(row, inputs, batch.size() * d);
          } catch (InvalidFeatureException e) {
            throw new InvalidFeatureException(
                Columns.describe(row, idCol, idIndex, seen) + ": " + e.getMessage());
          }
          seen++;
          batch.add(row);
        }
        if (!batch.isEmpty()) {
          out = m.runMethodChunked(method, inputs, batch.size());
          width = out.length / batch.size();
        }
        return !batch.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row row = batch.get(next);
        double[] e = new double[width];
        for (int j = 0; j < width; j++) {
          e[j] = out[next * width + j];
        }
        next++;
        return Columns.appended(row, Vectors.dense(e));
      }
    };
  }

  @Override
  public Embedder copy(ParamMap extra) {
    Embedder copied = defaultCopy(extra);
    copied.opened = opened;
    return copied;
  }

  public static MLReader<Embedder> read() {
    return new DefaultParamsReader<>();
  }

  public static Embedder load(String path) {
    return read().load(path);
  }

  @Override
  public String uid() {
    return uid;
  }
}
