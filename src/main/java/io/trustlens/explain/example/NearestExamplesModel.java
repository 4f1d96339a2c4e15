package io.trustlens.explain.example;

import io.trustlens.explore.IndexedPoints;
import io.trustlens.explore.knn.Points;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link NearestExamples}: the indexed training rows and, with credibility, its
 * calibration. Appends per row {@code examples} (the neighbours' ids, nearest first), {@code
 * examples_labels}, {@code examples_distances} (Euclidean, in the compared space) and, with
 * credibility, {@code examples_prediction} (the label most neighbours carry), {@code
 * examples_credibility} and {@code examples_confidence}. Saved as its Params and the indexed rows;
 * a loaded model searches again the same way (the forest is rebuilt from its seed) and gives the
 * same bits.
 */
public final class NearestExamplesModel extends Model<NearestExamplesModel> implements MLWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final NearestParams p;
  private final BooleanParam numericId;
  private final BooleanParam numericLabel;
  private final StringArrayParam classes;
  private final IntParam dimensions;
  private final DoubleArrayParam divisors;
  private transient Fitted fitted;

  /** What fitting found: the index, and per indexed point its id and label. */
  record Fitted(
      ExampleIndex index,
      Object[] ids,
      Object[] labels,
      Object[] classes,
      boolean numericId,
      boolean numericLabel,
      String search,
      double[] divisors)
      implements Serializable {}

  public NearestExamplesModel() {
    this(Identifiable$.MODULE$.randomUID("nearestExamplesModel"));
  }

  public NearestExamplesModel(String uid) {
    this.uid = uid;
    p = new NearestParams(this);
    numericId = new BooleanParam(this, "numericId", "training ids are whole numbers");
    numericLabel = new BooleanParam(this, "numericLabel", "training labels are numbers");
    classes = new StringArrayParam(this, "classes", "the label's classes, in order (credibility)");
    dimensions = new IntParam(this, "dimensions", "values per row in the compared space");
    divisors =
        new DoubleArrayParam(
            this, "divisors", "each compared value's divisor (standardize); empty: none");
  }

  NearestExamplesModel setFitted(Fitted value) {
    fitted = value;
    set(numericId, value.numericId());
    set(numericLabel, value.numericLabel());
    String[] names = new String[value.classes().length];
    for (int c = 0; c < names.length; c++) {
      names[c] = String.valueOf(value.classes()[c]);
    }
    set(classes, names);
    set(dimensions, value.index().dimensions());
    set(divisors, value.divisors());
    return this;
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

  public IntParam k() {
    return p.k;
  }

  public DoubleParam calibration() {
    return p.calibration;
  }

  public BooleanParam credibility() {
    return p.credibility;
  }

  public Param<String> search() {
    return p.search;
  }

  public IntParam trees() {
    return p.trees;
  }

  public LongParam seed() {
    return p.seed;
  }

  public BooleanParam numericId() {
    return numericId;
  }

  public BooleanParam numericLabel() {
    return numericLabel;
  }

  public StringArrayParam classes() {
    return classes;
  }

  public IntParam dimensions() {
    return dimensions;
  }

  public DoubleArrayParam divisors() {
    return divisors;
  }

  public BooleanParam standardize() {
    return p.standardize;
  }

  public String getOutputCol() {
    return $(p.shared.outputCol);
  }

  public String getIdCol() {
    return $(p.shared.idCol);
  }

  public int getK() {
    return (Integer) $(p.k);
  }

  public boolean getCredibility() {
    return (Boolean) $(p.credibility);
  }

  public NearestExamplesModel setOutputCol(String value) {
    set(p.shared.outputCol, value);
    return this;
  }

  /** The labels credibility tells apart, in order (empty without credibility). */
  public String[] getClasses() {
    return $(classes);
  }

  /** Training rows in the index (those not held out). */
  public int indexedRows() {
    return fitted().index().size();
  }

  /** Training rows held out to calibrate credibility (0 without). */
  public int calibrationRows() {
    Credibility c = fitted().index().credibility();
    return c == null ? 0 : c.calibrationRows();
  }

  /** The fitted index: the indexed rows' points, their search and the calibration. */
  public ExampleIndex index() {
    return fitted().index();
  }

  /** exact or approximate: how the index is searched. */
  public String searchUsed() {
    return fitted().search();
  }

  private Fitted fitted() {
    if (fitted == null) {
      throw new IllegalStateException("this model holds no index: fit or load one");
    }
    return fitted;
  }

  /** The names of the columns appended, in order. */
  public List<String> outputs() {
    String out = getOutputCol();
    List<String> names = new ArrayList<>(List.of(out, out + "_labels", out + "_distances"));
    if (getCredibility()) {
      names.addAll(List.of(out + "_prediction", out + "_credibility", out + "_confidence"));
    }
    return names;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    FeatureSpace space = p.shared.space(this, schema, (Integer) $(dimensions));
    if (space.size() != (Integer) $(dimensions)) {
      throw new InvalidFeatureException(
          "rows have "
              + space.size()
              + " values to compare, the indexed training rows "
              + $(dimensions));
    }
    DataType id = (Boolean) $(numericId) ? DataTypes.LongType : DataTypes.StringType;
    DataType label = (Boolean) $(numericLabel) ? DataTypes.DoubleType : DataTypes.StringType;
    List<String> names = outputs();
    List<StructField> added =
        new ArrayList<>(
            List.of(
                DataTypes.createStructField(
                    names.get(0), DataTypes.createArrayType(id, false), false),
                DataTypes.createStructField(
                    names.get(1), DataTypes.createArrayType(label, false), false),
                DataTypes.createStructField(
                    names.get(2), DataTypes.createArrayType(DataTypes.DoubleType, false), false)));
    if (getCredibility()) {
      added.add(DataTypes.createStructField(names.get(3), label, false));
      added.add(DataTypes.createStructField(names.get(4), DataTypes.DoubleType, false));
      added.add(DataTypes.createStructField(names.get(5), DataTypes.DoubleType, false));
    }
    for (String n : names) {
      if (schema.getFieldIndex(n).isDefined()) {
        throw new InvalidFeatureException("the table already has a column '" + n + "'");
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
    String id = getIdCol();
    String named = schema.getFieldIndex(id).isDefined() ? id : "";
    Broadcast<Fitted> shared =
        JavaSparkContext.fromSparkContext(table.sparkSession().sparkContext()).broadcast(fitted());
    boolean credible = getCredibility();
    MapPartitionsFunction<Row, Row> each =
        rows -> {
          Fitted f = shared.value();
          IndexedPoints.RowReader reader = new IndexedPoints.RowReader(space, schema, named, null);
          ExampleIndex.Searcher searcher = f.index().searcher();
          float[] query = new float[reader.dimensions()];
          long[] position = {0};
          return Columns.eachRow(
              rows,
              r -> {
                reader.read(r, position[0]++, query, 0);
                TrainingRows.scale(query, f.divisors());
                searcher.find(query);
                int[] nearest = searcher.index();
                Object[] ids = new Object[nearest.length];
                Object[] labels = new Object[nearest.length];
                for (int j = 0; j < nearest.length; j++) {
                  ids[j] = f.ids()[nearest[j]];
                  labels[j] = f.labels()[nearest[j]];
                }
                double[] distances = searcher.distance().clone();
                if (!credible) {
                  return Columns.appended(r, ids, labels, distances);
                }
                Credibility.Verdict v = searcher.verdict();
                return Columns.appended(
                    r,
                    ids,
                    labels,
                    distances,
                    f.classes()[v.prediction()],
                    v.credibility(),
                    v.confidence());
              });
        };
    return Columns.withMetadata(table.mapPartitions(each, Encoders.row(out)), out);
  }

  @Override
  public NearestExamplesModel copy(ParamMap extra) {
    NearestExamplesModel copied = new NearestExamplesModel(uid);
    copyValues(copied, extra);
    copied.fitted = fitted;
    return copied.setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  @Override
  public void save(String path) throws java.io.IOException {
    write().save(path);
  }

  public static MLReader<NearestExamplesModel> read() {
    return new Reader();
  }

  public static NearestExamplesModel load(String path) {
    return read().load(path);
  }

  /** The Params as MLlib writes them, the indexed rows in {@code data}, the scores in another. */
  private static final class Writer extends MLWriter {
    private final NearestExamplesModel model;

    Writer(NearestExamplesModel model) {
      this.model = model;
    }

    @Override
    public void saveImpl(String path) {
      SparkSession spark = sparkSession();
      DefaultParamsWriter$.MODULE$.saveMetadata(model, path, spark);
      Fitted f = model.fitted();
      Points points = f.index().points();
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < f.ids().length; i++) {
        float[] v = new float[points.dimensions()];
        for (int j = 0; j < v.length; j++) {
          v[j] = points.get(i, j);
        }
        rows.add(
            RowFactory.create(i, String.valueOf(f.ids()[i]), String.valueOf(f.labels()[i]), v));
      }
      StructType data =
          new StructType()
              .add("index", DataTypes.IntegerType, false)
              .add("id", DataTypes.StringType, false)
              .add("label", DataTypes.StringType, false)
              .add("point", DataTypes.createArrayType(DataTypes.FloatType, false), false);
      spark.createDataFrame(rows, data).write().parquet(path + "/data");
      Credibility c = f.index().credibility();
      List<Row> scores = new ArrayList<>();
      if (c != null) {
        for (int s : c.scores()) {
          scores.add(RowFactory.create(s));
        }
      }
      spark
          .createDataFrame(scores, new StructType().add("score", DataTypes.IntegerType, false))
          .write()
          .parquet(path + "/calibration");
    }
  }

  private static final class Reader extends MLReader<NearestExamplesModel> {
    @Override
    public NearestExamplesModel load(String path) {
      SparkSession spark = sparkSession();
      DefaultParamsReader.Metadata meta =
          org.apache.spark.ml.util.DefaultParamsReader$.MODULE$.loadMetadata(
              path, spark, NearestExamplesModel.class.getName());
      NearestExamplesModel model = new NearestExamplesModel(meta.uid());
      meta.getAndSetParams(model, scala.Option.empty());
      boolean idNumber = (Boolean) model.$(model.numericId);
      boolean labelNumber = (Boolean) model.$(model.numericLabel);
      int d = (Integer) model.$(model.dimensions);
      List<Row> rows = spark.read().parquet(path + "/data").orderBy("index").collectAsList();
      float[] values = new float[rows.size() * d];
      Object[] ids = new Object[rows.size()];
      Object[] labels = new Object[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        Row r = rows.get(i);
        ids[i] = idNumber ? (Object) Long.parseLong(r.getString(1)) : r.getString(1);
        labels[i] = labelNumber ? (Object) Double.parseDouble(r.getString(2)) : r.getString(2);
        List<Float> v = r.getList(3);
        for (int j = 0; j < d; j++) {
          values[i * d + j] = v.get(j);
        }
      }
      Points points = new Points(values, d);
      String[] names = model.getClasses();
      Object[] classes = new Object[names.length];
      for (int c = 0; c < names.length; c++) {
        classes[c] = labelNumber ? (Object) Double.parseDouble(names[c]) : names[c];
      }
      int k = model.getK();
      var how =
          TrainingRows.search(
              JavaSparkContext.fromSparkContext(spark.sparkContext()),
              points,
              model.$(model.p.search),
              k,
              (Integer) model.$(model.p.trees),
              (Long) model.$(model.p.seed));
      ExampleIndex index;
      if (model.getCredibility()) {
        int[] classIndex = NearestExamples.classIndices(labels, classes);
        int[] scores =
            spark.read().parquet(path + "/calibration").collectAsList().stream()
                .mapToInt(r -> r.getInt(0))
                .toArray();
        index =
            ExampleIndex.withCredibility(
                points, how, k, classIndex, Credibility.calibrate(scores, classes.length));
      } else {
        index = ExampleIndex.of(points, how, k);
      }
      return model.setFitted(
          new Fitted(
              index,
              ids,
              labels,
              classes,
              idNumber,
              labelNumber,
              how.isExact() ? "exact" : "approximate",
              model.$(model.divisors)));
    }
  }
}
