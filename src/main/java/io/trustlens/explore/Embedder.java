package io.trustlens.explore;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
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
import org.apache.spark.ml.util.Identifiable$;
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
public final class Embedder extends Transformer {
  private static final long serialVersionUID = 1L;
  private static final int BATCH = 1024;

  private final String uid = Identifiable$.MODULE$.randomUID("embedder");
  private final ModelSource model;
  private final FeatureSpace features;
  private final Param<String> method =
      new Param<>(this, "method", "the module's method: embed, forward or another");
  private final Param<String> outputCol = new Param<>(this, "outputCol", "embedding column");
  private final Param<String> idCol = new Param<>(this, "idCol", "row key column, for errors");

  /** Embeds {@code features} with {@code model} (TorchScript). */
  public Embedder(ModelSource model, FeatureSpace features) {
    this.model = model;
    this.features = features;
    setDefault(method, "");
    setDefault(outputCol, "embedding");
    setDefault(idCol, "");
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
    TorchScriptModel m = torch(model.open());
    return m.card().methods().contains("embed") ? "embed" : "forward";
  }

  /** The embedding's length, found by running the model once on the driver. */
  public int width() {
    TorchScriptModel m = torch(model.open());
    return m.runMethodChunked(resolvedMethod(), new double[features.size()], 1).length;
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
    for (String c : features.columns()) {
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
    ModelSource source = model;
    FeatureSpace space = features;
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
    return defaultCopy(extra);
  }

  @Override
  public String uid() {
    return uid;
  }
}
