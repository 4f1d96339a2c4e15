package io.trustlens.explore.knn;

import io.trustlens.explore.IndexedPoints;
import io.trustlens.explore.RowOrder;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.FeatureSpaceParam;
import io.trustlens.feature.InvalidFeatureException;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
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
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The neighbour graph as columns: each row's {@code k} nearest other rows ({@code neighbours}:
 * their ids, or their {@code row_index} in the canonical {@link RowOrder} without an id column) and
 * Euclidean distances ({@code neighbour_distances}), nearest first. Exact up to {@value
 * NeighbourSearch#EXACT_LIMIT} rows, else a random projection forest and one refinement round;
 * optionally among the rows' first {@code pcaDims} principal components.
 */
public final class Knn extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final FeatureSpaceParam features;
  private transient String lastSearch;

  private final IntParam k;
  private final Param<String> search;
  private final IntParam trees;
  private final IntParam threads;
  private final IntParam pcaDims;
  private final LongParam seed;
  private final Param<String> idCol;

  /** A stage with a random uid; set its features before use. */
  public Knn() {
    this(Identifiable$.MODULE$.randomUID("knn"));
  }

  /** A stage with {@code uid} (how MLlib copies and loads stages). */
  public Knn(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    features = new FeatureSpaceParam(this, "features", "the features rows are compared on");
    k = new IntParam(this, "k", "neighbours per row", ParamValidators.gt(0));
    search =
        new Param<>(
            this,
            "search",
            "auto, exact or approximate",
            ParamValidators.inArray(new String[] {"auto", "exact", "approximate"}));
    trees = new IntParam(this, "trees", "random projection trees", ParamValidators.gt(0));
    threads =
        new IntParam(this, "threads", "driver threads; 0: every core", ParamValidators.gtEq(0));
    pcaDims =
        new IntParam(
            this, "pcaDims", "search in this many PCs; 0: the features", ParamValidators.gtEq(0));
    seed = new LongParam(this, "seed", "random seed");
    idCol = new Param<>(this, "idCol", "row key column; empty: none");
    setDefault(k, 10);
    setDefault(search, "auto");
    setDefault(trees, NeighbourSearch.DEFAULT_TREES);
    setDefault(threads, 0);
    setDefault(seed, 42L);
    setDefault(pcaDims, 0);
    setDefault(idCol, "");
  }

  /** A stage over {@code features} (the {@code features} Param set). */
  public Knn(FeatureSpace features) {
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

  public Knn setFeatures(FeatureSpace value) {
    set(features, value);
    return this;
  }

  public IntParam k() {
    return k;
  }

  public Param<String> search() {
    return search;
  }

  public IntParam trees() {
    return trees;
  }

  public IntParam threads() {
    return threads;
  }

  public IntParam pcaDims() {
    return pcaDims;
  }

  public LongParam seed() {
    return seed;
  }

  public Param<String> idCol() {
    return idCol;
  }

  public Knn setK(int value) {
    set(k, value);
    return this;
  }

  public Knn setSearch(String value) {
    set(search, value);
    return this;
  }

  public Knn setTrees(int value) {
    set(trees, value);
    return this;
  }

  public Knn setThreads(int value) {
    set(threads, value);
    return this;
  }

  /**
   * Finds neighbours among the rows' first {@code value} principal components (0: the features).
   */
  public Knn setPcaDims(int value) {
    set(pcaDims, value);
    return this;
  }

  public Knn setSeed(long value) {
    set(seed, value);
    return this;
  }

  public Knn setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  /** exact or approximate: what the last transform used. */
  public String lastSearch() {
    return lastSearch;
  }

  private DataType neighbourType(StructType schema) {
    String id = $(idCol);
    if (id.isEmpty()) {
      return DataTypes.LongType;
    }
    DataType t = schema.apply(id).dataType();
    return t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType)
        ? DataTypes.LongType
        : DataTypes.StringType;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : getFeatures().columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException(io.trustlens.feature.ColumnNames.unknown(c, schema));
      }
    }
    Columns.requireId(schema, $(idCol));
    StructType out =
        Columns.append(
            schema,
            List.of(
                DataTypes.createStructField(
                    "neighbours", DataTypes.createArrayType(neighbourType(schema), false), false),
                DataTypes.createStructField(
                    "neighbour_distances",
                    DataTypes.createArrayType(DataTypes.DoubleType, false),
                    false)));
    return $(idCol).isEmpty()
        ? Columns.append(
            out, List.of(DataTypes.createStructField("row_index", DataTypes.LongType, false)))
        : out;
  }

  /**
   * The table with each row's neighbours. It reads a cached copy of the input in canonical order:
   * unpersist it once written ({@code trustlens} commands release what a task cached when it ends);
   * on failure the copy is released here.
   */
  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> table = dataset.toDF();
    StructType out = transformSchema(table.schema());
    Dataset<Row> indexed = RowOrder.indexed(table, $(idCol)).cache();
    try {
      return neighbours(table, out, indexed);
    } catch (RuntimeException | Error e) {
      indexed.unpersist(); // the result would have read it; without one nothing does
      throw e;
    }
  }

  /**
   * Bytes the driver holds a row, on the high side: the point ({@code dims} floats), two neighbour
   * graphs ({@code k} ints and floats each: the forest's first and its refinement), the forest's
   * point lists ({@code trees} ints), the id and the row it is collected from.
   */
  static long driverBytesPerRow(int dims, int k, int trees) {
    return 4L * dims + 16L * k + 4L * trees + 150;
  }

  /**
   * Refuses, before any work, a table whose rows would not fit in half of the driver's heap {@code
   * maxHeap} (or beyond an array's reach), naming the rows, the memory needed and what to change.
   */
  static void checkDriverMemory(long rows, int dims, int k, int trees, long maxHeap) {
    long need = rows * driverBytesPerRow(dims, k, trees);
    if (rows < Integer.MAX_VALUE - 8 && need <= maxHeap / 2) {
      return;
    }
    long mb = 1 << 20;
    throw new InvalidFeatureException(
        String.format(
            Locale.ROOT,
            "explore knn holds every row on the driver: %,d rows of %d dimensions with %d"
                + " neighbours need about %,d MB, more than half of the driver's %,d MB heap; give"
                + " the driver %dg or more (--driver-memory), lower --pca-dims, or explore a sample"
                + " of the table",
            rows,
            dims,
            k,
            need / mb,
            maxHeap / mb,
            2 * need / (1L << 30) + 1));
  }

  private Dataset<Row> neighbours(Dataset<Row> table, StructType out, Dataset<Row> indexed) {
    String id = $(idCol);
    int kValue = (Integer) $(k);
    long rows = indexed.count();
    if (rows <= kValue) {
      throw new InvalidFeatureException(
          kValue
              + " neighbours asked of a table of "
              + rows
              + " rows; ask for at most "
              + (rows - 1));
    }
    int dims = (Integer) $(pcaDims);
    FeatureSpace space = getFeatures();
    checkDriverMemory(
        rows,
        dims > 0 ? Math.min(dims, space.size()) : space.size(),
        kValue,
        (Integer) $(trees),
        Runtime.getRuntime().maxMemory());
    io.trustlens.explore.pca.PcaModel projection =
        dims > 0 && space.size() > dims
            ? new io.trustlens.explore.pca.Pca(space)
                .setK(dims)
                .setSeed((Long) $(seed))
                .setIdCol(id)
                .fit(indexed)
            : null;
    Points points = IndexedPoints.collect(indexed, space, id, projection);
    JavaSparkContext spark = JavaSparkContext.fromSparkContext(table.sparkSession().sparkContext());
    String how =
        $(search).equals("auto")
            ? (rows <= NeighbourSearch.EXACT_LIMIT ? "exact" : "approximate")
            : $(search);
    NeighbourGraph graph;
    if (how.equals("exact")) {
      graph =
          NeighbourGraph.build(
              spark, points, NeighbourSearch.exact(), kValue, NeighbourGraph.distances());
    } else {
      int t = (Integer) $(threads);
      NeighbourSearch forest =
          NeighbourSearch.approximate(
              points,
              (Integer) $(trees),
              NeighbourSearch.defaultLeafSize(kValue),
              (Long) $(seed),
              t > 0 ? t : Runtime.getRuntime().availableProcessors());
      NeighbourGraph first =
          NeighbourGraph.build(spark, points, forest, kValue, NeighbourGraph.distances());
      graph =
          NeighbourGraph.build(
              spark, points, forest.refinedBy(first), kValue, NeighbourGraph.distances());
    }
    lastSearch = how;
    Object[] ids = new Object[(int) rows];
    if (!id.isEmpty()) {
      boolean numeric = neighbourType(table.schema()).equals(DataTypes.LongType);
      for (Row r : indexed.select(RowOrder.INDEX, id).collectAsList()) {
        Object v = r.get(1);
        ids[(int) r.getLong(0)] = numeric ? ((Number) v).longValue() : String.valueOf(v);
      }
    }
    Broadcast<NeighbourGraph> shared = spark.broadcast(graph);
    Broadcast<Object[]> sharedIds = spark.broadcast(ids);
    StructType schema = indexed.schema();
    int indexCol = schema.fieldIndex(RowOrder.INDEX);
    boolean byId = !id.isEmpty();
    int width = table.schema().size();
    Dataset<Row> result =
        indexed.mapPartitions(
            (MapPartitionsFunction<Row, Row>)
                it -> {
                  NeighbourGraph g = shared.value();
                  Object[] names = sharedIds.value();
                  return Columns.eachRow(
                      it,
                      r -> {
                        int i = (int) r.getLong(indexCol);
                        Object[] nb = new Object[g.k()];
                        double[] dist = new double[g.k()];
                        for (int j = 0; j < g.k(); j++) {
                          int m = g.neighbour(i, j);
                          nb[j] = byId ? names[m] : (Object) (long) m;
                          dist[j] = g.value(i, j);
                        }
                        Object[] v = new Object[width + (byId ? 2 : 3)];
                        for (int c = 0; c < width; c++) {
                          v[c] = r.get(c);
                        }
                        v[width] = nb;
                        v[width + 1] = dist;
                        if (!byId) {
                          v[width + 2] = (long) i;
                        }
                        return RowFactory.create(v);
                      });
                },
            ExpressionEncoder.apply(out));
    return result;
  }

  @Override
  public Knn copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  @Override
  public String uid() {
    return uid;
  }

  public static MLReader<Knn> read() {
    return new DefaultParamsReader<>();
  }

  public static Knn load(String path) {
    return read().load(path);
  }
}
