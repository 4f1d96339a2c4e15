package io.trustlens.explore.mds;

import io.trustlens.explore.RowOrder;
import io.trustlens.explore.pca.ColumnMoments;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.FeatureSpaceParam;
import io.trustlens.feature.InvalidFeatureException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Multidimensional scaling of every row, appended as {@code mds1 .. mdsk}. A table of at most
 * {@code landmarks} rows gets classical MDS of all its rows; a larger one gets landmark MDS (de
 * Silva and Tenenbaum 2004): classical MDS of {@code landmarks} seeded rows on the driver, then
 * every row placed on the executors from its distances to them. Stress is measured on a seeded
 * sample of rows.
 */
public final class Mds extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** The most landmarks (their distance matrix lives on the driver). */
  public static final int MAX_LANDMARKS = 5000;

  private final String uid;
  private final FeatureSpaceParam features;
  private transient MdsResult last;

  private final IntParam k;
  private final IntParam landmarks;
  private final Param<String> metric;
  private final IntParam stressSample;
  private final IntParam threads;
  private final BooleanParam ignoreConstant;
  private final LongParam seed;
  private final Param<String> idCol;
  private final Param<String> outputPrefix;

  /** A stage with a random uid; set its features before use. */
  public Mds() {
    this(Identifiable$.MODULE$.randomUID("mds"));
  }

  /** A stage with {@code uid} (how MLlib copies and loads stages). */
  public Mds(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    features = new FeatureSpaceParam(this, "features", "the features rows are compared on");
    k = new IntParam(this, "k", "dimensions", ParamValidators.gt(0));
    landmarks =
        new IntParam(this, "landmarks", "landmark rows", ParamValidators.inRange(2, MAX_LANDMARKS));
    metric =
        new Param<>(
            this,
            "metric",
            "euclidean, manhattan or cosine",
            ParamValidators.inArray(Metric.NAMES.toArray(new String[0])));
    stressSample =
        new IntParam(this, "stressSample", "rows for the stress", ParamValidators.gtEq(2));
    threads =
        new IntParam(this, "threads", "driver threads; 0: every core", ParamValidators.gtEq(0));
    ignoreConstant =
        new BooleanParam(this, "ignoreConstant", "let constant columns pass (they add nothing)");
    seed = new LongParam(this, "seed", "random seed");
    idCol = new Param<>(this, "idCol", "row key column; empty: none");
    outputPrefix = new Param<>(this, "outputPrefix", "outputs are prefix1, prefix2, ...");
    setDefault(k, 2);
    setDefault(landmarks, 2000);
    setDefault(metric, "euclidean");
    setDefault(stressSample, 1000);
    setDefault(threads, 0);
    setDefault(seed, 42L);
    setDefault(ignoreConstant, false);
    setDefault(idCol, "");
    setDefault(outputPrefix, "mds");
  }

  /** A stage over {@code features} (the {@code features} Param set). */
  public Mds(FeatureSpace features) {
    this();
    setFeatures(features);
  }

  public FeatureSpaceParam features() {
    return features;
  }

  public FeatureSpace getFeatures() {
    if (!isDefined(features)) {
      throw new IllegalArgumentException("set features: the columns rows are compared on");
    }
    return $(features);
  }

  public Mds setFeatures(FeatureSpace value) {
    set(features, value);
    return this;
  }

  public IntParam k() {
    return k;
  }

  public IntParam landmarks() {
    return landmarks;
  }

  public Param<String> metric() {
    return metric;
  }

  public IntParam stressSample() {
    return stressSample;
  }

  public IntParam threads() {
    return threads;
  }

  public BooleanParam ignoreConstant() {
    return ignoreConstant;
  }

  public LongParam seed() {
    return seed;
  }

  public Param<String> idCol() {
    return idCol;
  }

  public Param<String> outputPrefix() {
    return outputPrefix;
  }

  public Mds setK(int value) {
    set(k, value);
    return this;
  }

  public Mds setLandmarks(int value) {
    set(landmarks, value);
    return this;
  }

  public Mds setMetric(String value) {
    set(metric, value.toLowerCase(java.util.Locale.ROOT));
    return this;
  }

  public Mds setStressSample(int value) {
    set(stressSample, value);
    return this;
  }

  public Mds setThreads(int value) {
    set(threads, value);
    return this;
  }

  /** Lets constant columns pass instead of refusing them (they add nothing to distances). */
  public Mds setIgnoreConstant(boolean value) {
    set(ignoreConstant, value);
    return this;
  }

  public Mds setSeed(long value) {
    set(seed, value);
    return this;
  }

  public Mds setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  public Mds setOutputPrefix(String value) {
    set(outputPrefix, value);
    return this;
  }

  /** The figures of the last {@link #transform} or {@link #run}. */
  public MdsResult lastResult() {
    return last;
  }

  private int dims() {
    return (Integer) $(k);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : getFeatures().columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException("unknown column '" + c + "'");
      }
    }
    Columns.requireId(schema, $(idCol));
    if (dims() > getFeatures().size()) {
      throw new InvalidFeatureException(
          "MDS asks for "
              + dims()
              + " dimensions but the features have "
              + getFeatures().size()
              + " columns; ask for at most "
              + getFeatures().size());
    }
    List<StructField> added = new ArrayList<>();
    for (int j = 1; j <= dims(); j++) {
      added.add(DataTypes.createStructField($(outputPrefix) + j, DataTypes.DoubleType, false));
    }
    return Columns.append(schema, added);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return run(dataset.toDF()).table();
  }

  /** Maps every row; the result holds the table with the map and the run's figures. */
  public MdsResult run(Dataset<Row> table) {
    StructType out = transformSchema(table.schema());
    String id = $(idCol);
    long seedValue = (Long) $(seed);
    ColumnMoments moments = ColumnMoments.of(table, getFeatures(), id);
    List<String> constant = moments.constantColumns(getFeatures().names());
    if (!constant.isEmpty() && !(Boolean) $(ignoreConstant)) {
      throw new InvalidFeatureException(
          io.trustlens.explore.pca.ColumnMoments.constantColumnsError(constant, "distance"));
    }
    long rows = moments.rows();
    if (rows < dims() + 1) {
      throw new InvalidFeatureException(
          "MDS in "
              + dims()
              + " dimensions needs at least "
              + (dims() + 1)
              + " rows; the table has "
              + rows);
    }
    int d = getFeatures().size();
    int wanted = (Integer) $(landmarks);
    boolean classical = rows <= wanted;
    double[] marks = read(RowOrder.sample(table, id, wanted, seedValue), id);
    int count = marks.length / d;
    int threadCount =
        (Integer) $(threads) > 0
            ? (Integer) $(threads)
            : Runtime.getRuntime().availableProcessors();
    LandmarkMds mds;
    try {
      mds =
          LandmarkMds.fit(marks, count, d, dims(), Metric.parse($(metric)), seedValue, threadCount);
    } catch (IllegalArgumentException e) {
      throw new InvalidFeatureException(e.getMessage());
    }
    double[] sample =
        classical && rows <= (Integer) $(stressSample)
            ? marks
            : read(RowOrder.sample(table, id, (Integer) $(stressSample), seedValue + 1), id);
    int m = sample.length / d;
    double[] placed = new double[m * dims()];
    double[] row = new double[d];
    double[] coords = new double[dims()];
    for (int i = 0; i < m; i++) {
      System.arraycopy(sample, i * d, row, 0, d);
      mds.place(row, coords);
      System.arraycopy(coords, 0, placed, i * dims(), dims());
    }
    double stress = LandmarkMds.stress(sample, placed, m, d, dims(), mds.metric());
    StructType schema = table.schema();
    FeatureSpace space = getFeatures();
    Dataset<Row> result =
        table.mapPartitions(
            (MapPartitionsFunction<Row, Row>) it -> place(it, mds, space, schema),
            ExpressionEncoder.apply(out));
    last = new MdsResult(result, rows, count, classical, m, stress, mds.eigenvalues());
    return last;
  }

  private double[] read(Dataset<Row> rows, String id) {
    StructType schema = rows.schema();
    FeatureSpace.Reader reader = getFeatures().reader(schema);
    int idIndex = id.isEmpty() ? -1 : schema.fieldIndex(id);
    List<Row> list = rows.collectAsList();
    int d = getFeatures().size();
    double[] values = new double[list.size() * d];
    for (int i = 0; i < list.size(); i++) {
      try {
        reader.read(list.get(i), values, i * d);
      } catch (InvalidFeatureException e) {
        throw new InvalidFeatureException(
            Columns.describe(list.get(i), id, idIndex, i) + ": " + e.getMessage());
      }
    }
    return values;
  }

  private static Iterator<Row> place(
      Iterator<Row> rows, LandmarkMds mds, FeatureSpace features, StructType schema) {
    FeatureSpace.Reader reader = features.reader(schema);
    double[] x = new double[features.size()];
    return Columns.eachRow(
        rows,
        row -> {
          reader.read(row, x, 0);
          double[] y = new double[mds.dimensions()];
          mds.place(x, y);
          Object[] added = new Object[y.length];
          for (int j = 0; j < y.length; j++) {
            added[j] = y[j];
          }
          return Columns.appended(row, added);
        });
  }

  @Override
  public Mds copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<Mds> read() {
    return new DefaultParamsReader<>();
  }

  public static Mds load(String path) {
    return read().load(path);
  }

  @Override
  public String uid() {
    return uid;
  }
}
