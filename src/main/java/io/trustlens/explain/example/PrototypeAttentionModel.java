package io.trustlens.explain.example;

import io.trustlens.explore.IndexedPoints;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link PrototypeAttention}: its prototypes (vectors, labels, names) and the z-scoring
 * they were built in, all held as Params, so MLlib's default writer saves it. Appends per row
 * {@code prototype_weights} (one per prototype, summing to 1), {@code prototype_top} and {@code
 * prototype_top_weights} (the heaviest, by name), {@code prototype_prediction} (the class with the
 * largest {@code Σ a_i ŷ_i}, or its value for regression) and for classes {@code prototype_shares};
 * with a {@code predictionCol}, {@code prototype_agrees} (classes: the same class as the model) or
 * {@code prototype_gap} (regression: prototypes' value less the model's).
 */
public final class PrototypeAttentionModel extends Model<PrototypeAttentionModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  final PrototypeParams p;
  private final DoubleArrayParam vectors;
  private final DoubleArrayParam labels;
  private final StringArrayParam names;
  private final IntParam dimensions;
  private final DoubleArrayParam means;
  private final DoubleArrayParam divisors;
  private final LongParam trainingRows;

  public PrototypeAttentionModel() {
    this(Identifiable$.MODULE$.randomUID("prototypeAttentionModel"));
  }

  public PrototypeAttentionModel(String uid) {
    this.uid = uid;
    p = new PrototypeParams(this);
    vectors = new DoubleArrayParam(this, "vectors", "the prototypes, row-major");
    labels = new DoubleArrayParam(this, "labels", "their labels: class shares, or values");
    names = new StringArrayParam(this, "names", "their names");
    dimensions = new IntParam(this, "dimensions", "values per prototype");
    means = new DoubleArrayParam(this, "means", "z-scoring means; empty: none");
    divisors = new DoubleArrayParam(this, "divisors", "z-scoring deviations; empty: none");
    trainingRows = new LongParam(this, "trainingRows", "training rows the prototypes came from");
  }

  PrototypeAttentionModel setPrototypes(
      Prototypes built, int d, double[] mean, double[] divisor, long rows) {
    set(vectors, built.vectors());
    set(labels, built.labels());
    set(names, built.names());
    set(dimensions, d);
    set(means, mean);
    set(divisors, divisor);
    set(trainingRows, rows);
    return this;
  }

  /** The fitted prototypes. */
  public Prototypes prototypes() {
    int classes = (Integer) $(p.classes);
    return new Prototypes(
        $(vectors),
        (Integer) $(dimensions),
        $(labels),
        classes > 0 ? classes : 1,
        $(names),
        $(p.similarity));
  }

  @Override
  public String uid() {
    return uid;
  }

  public StringArrayParam featuresCols() {
    return p.shared.featuresCols;
  }

  public Param<String> vectorCol() {
    return p.shared.vectorCol;
  }

  public Param<String> labelCol() {
    return p.shared.labelCol;
  }

  public Param<String> idCol() {
    return p.shared.idCol;
  }

  public Param<String> outputCol() {
    return p.shared.outputCol;
  }

  public Param<String> prototypesParam() {
    return p.prototypes;
  }

  public Param<String> similarity() {
    return p.similarity;
  }

  public IntParam classes() {
    return p.classes;
  }

  public IntParam top() {
    return p.top;
  }

  public IntParam sampleRows() {
    return p.sampleRows;
  }

  public LongParam seed() {
    return p.seed;
  }

  public BooleanParam standardize() {
    return p.standardize;
  }

  public Param<String> predictionCol() {
    return p.predictionCol;
  }

  public DoubleArrayParam vectors() {
    return vectors;
  }

  public DoubleArrayParam labels() {
    return labels;
  }

  public StringArrayParam names() {
    return names;
  }

  public IntParam dimensions() {
    return dimensions;
  }

  public DoubleArrayParam means() {
    return means;
  }

  public DoubleArrayParam divisors() {
    return divisors;
  }

  public LongParam trainingRows() {
    return trainingRows;
  }

  public String getOutputCol() {
    return $(p.shared.outputCol);
  }

  public String getPredictionCol() {
    return $(p.predictionCol);
  }

  public int getClasses() {
    return (Integer) $(p.classes);
  }

  public long getTrainingRows() {
    return (Long) $(trainingRows);
  }

  public PrototypeAttentionModel setOutputCol(String value) {
    set(p.shared.outputCol, value);
    return this;
  }

  public PrototypeAttentionModel setPredictionCol(String value) {
    set(p.predictionCol, value);
    return this;
  }

  public PrototypeAttentionModel setTop(int value) {
    set(p.top, value);
    return this;
  }

  /** The names of the columns appended, in order. */
  public List<String> outputs() {
    String out = getOutputCol();
    List<String> cols =
        new ArrayList<>(
            List.of(out + "_weights", out + "_top", out + "_top_weights", out + "_prediction"));
    if (getClasses() > 0) {
      cols.add(out + "_shares");
    }
    if (!getPredictionCol().isEmpty()) {
      cols.add(out + (getClasses() > 0 ? "_agrees" : "_gap"));
    }
    return cols;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    int d = (Integer) $(dimensions);
    FeatureSpace space = p.shared.space(this, schema, d);
    if (space.size() != d) {
      throw new InvalidFeatureException(
          "rows have " + space.size() + " values to compare, the prototypes " + d);
    }
    String prediction = getPredictionCol();
    if (!prediction.isEmpty()
        && (schema.getFieldIndex(prediction).isEmpty()
            || !(schema.apply(prediction).dataType() instanceof NumericType))) {
      throw new InvalidFeatureException(
          "predictionCol '" + prediction + "' is not a numeric column of the table");
    }
    List<String> cols = outputs();
    List<StructField> added = new ArrayList<>();
    var doubles = DataTypes.createArrayType(DataTypes.DoubleType, false);
    added.add(DataTypes.createStructField(cols.get(0), doubles, false));
    added.add(
        DataTypes.createStructField(
            cols.get(1), DataTypes.createArrayType(DataTypes.StringType, false), false));
    added.add(DataTypes.createStructField(cols.get(2), doubles, false));
    added.add(DataTypes.createStructField(cols.get(3), DataTypes.DoubleType, false));
    int next = 4;
    if (getClasses() > 0) {
      added.add(DataTypes.createStructField(cols.get(next++), doubles, false));
    }
    if (!prediction.isEmpty()) {
      added.add(
          DataTypes.createStructField(
              cols.get(next),
              getClasses() > 0 ? DataTypes.BooleanType : DataTypes.DoubleType,
              true));
    }
    for (String c : cols) {
      if (schema.getFieldIndex(c).isDefined()) {
        throw new InvalidFeatureException("the table already has a column '" + c + "'");
      }
    }
    return Columns.append(schema, added);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> table = dataset.toDF();
    StructType schema = table.schema();
    StructType out = transformSchema(schema);
    FeatureSpace space = p.shared.space(this, schema, (Integer) $(dimensions));
    Prototypes prototypes = prototypes();
    double[] mean = $(means);
    double[] divisor = $(divisors);
    int classes = getClasses();
    int top = (Integer) $(p.top);
    String id = $(p.shared.idCol);
    String named = schema.getFieldIndex(id).isDefined() ? id : "";
    String prediction = getPredictionCol();
    int predictionIndex = prediction.isEmpty() ? -1 : schema.fieldIndex(prediction);
    MapPartitionsFunction<Row, Row> each =
        rows -> {
          IndexedPoints.RowReader reader = new IndexedPoints.RowReader(space, schema, named, null);
          float[] x = new float[reader.dimensions()];
          double[] f = new double[x.length];
          double[] w = new double[prototypes.size()];
          long[] position = {0};
          return Columns.eachRow(
              rows,
              r -> {
                reader.read(r, position[0]++, x, 0);
                for (int j = 0; j < x.length; j++) {
                  f[j] = divisor.length == 0 ? x[j] : (x[j] - mean[j]) / divisor[j];
                }
                prototypes.attend(f, w);
                int[] heaviest = Prototypes.heaviest(w, top);
                String[] topNames = new String[heaviest.length];
                double[] topWeights = new double[heaviest.length];
                for (int a = 0; a < heaviest.length; a++) {
                  topNames[a] = prototypes.name(heaviest[a]);
                  topWeights[a] = w[heaviest[a]];
                }
                double[] y = prototypes.predict(w);
                double predicted = classes > 0 ? argmax(y) : y[0];
                List<Object> added =
                    new ArrayList<>(List.of(w.clone(), topNames, topWeights, predicted));
                if (classes > 0) {
                  added.add(y);
                }
                if (predictionIndex >= 0) {
                  if (r.isNullAt(predictionIndex)) {
                    added.add(null);
                  } else {
                    double model = ((Number) r.get(predictionIndex)).doubleValue();
                    added.add(classes > 0 ? (Object) (model == predicted) : predicted - model);
                  }
                }
                return Columns.appended(r, added.toArray());
              });
        };
    return Columns.withMetadata(table.mapPartitions(each, Encoders.row(out)), out);
  }

  private static int argmax(double[] y) {
    int best = 0;
    for (int c = 1; c < y.length; c++) {
      if (y[c] > y[best]) {
        best = c;
      }
    }
    return best;
  }

  @Override
  public PrototypeAttentionModel copy(ParamMap extra) {
    PrototypeAttentionModel copied = defaultCopy(extra);
    return copied.setParent(parent());
  }

  public static MLReader<PrototypeAttentionModel> read() {
    return new DefaultParamsReader<>();
  }

  public static PrototypeAttentionModel load(String path) {
    return read().load(path);
  }
}
