package io.trustlens.explore.tsne;

import static org.apache.spark.sql.functions.col;

import io.trustlens.explore.IndexedPoints;
import io.trustlens.explore.RowOrder;
import io.trustlens.explore.knn.NeighbourGraph;
import io.trustlens.explore.knn.NeighbourSearch;
import io.trustlens.explore.knn.Points;
import io.trustlens.explore.pca.Pca;
import io.trustlens.explore.pca.PcaModel;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.FeatureSpaceParam;
import io.trustlens.feature.InvalidFeatureException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
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
 * A t-SNE map of every row (van der Maaten 2014, JMLR 15; openTSNE and FIt-SNE, arXiv 1712.09005,
 * as references), appended as {@code tsne_x} and {@code tsne_y}. The work is split where it runs
 * best: features are read (and reduced to {@code pcaDims} principal components) on the executors;
 * the neighbour graph ({@code 3 × perplexity} neighbours, exact up to {@value
 * NeighbourSearch#EXACT_LIMIT} rows, else a random projection forest and a refinement round) and
 * each row's perplexity calibration run on the executors too; the sparse symmetric affinities and
 * the optimisation (Barnes-Hut or FFT-interpolated repulsion) run on the driver, multi-threaded.
 * Rows are numbered in {@link RowOrder}, so the map does not depend on the partitioning.
 *
 * <p>The driver holds the reduced points ({@code n × pcaDims} floats), about {@code 2 × 3 ×
 * perplexity} affinities per row and the map: some 3 GB for a million rows at the defaults. A table
 * of more than {@code mapRows} rows is mapped through a seeded sample of about that many; the other
 * rows are placed among their nearest mapped rows on the executors ({@link Placement}).
 */
public final class Tsne extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** Rows mapped on the driver by default: a million fit in about 3 GB and map in ~25 minutes. */
  public static final int DEFAULT_MAP_ROWS = 1_000_000;

  /** Neighbour searches {@link #setSearch} accepts. */
  public static final List<String> SEARCHES = List.of("auto", "exact", "approximate");

  private final String uid;
  private final FeatureSpaceParam features;
  private transient TsneOptimizer.Progress progress;
  private transient TsneResult last;

  private final DoubleParam perplexity;
  private final IntParam earlyIterations;
  private final IntParam iterations;
  private final DoubleParam exaggeration;
  private final DoubleParam learningRate;
  private final DoubleParam theta;
  private final IntParam pcaDims;
  private final Param<String> search;
  private final Param<String> repulsion;
  private final IntParam trees;
  private final IntParam threads;
  private final IntParam mapRows;
  private final IntParam trustSample;
  private final BooleanParam ignoreConstant;
  private final BooleanParam scale;
  private final LongParam seed;
  private final Param<String> idCol;
  private final Param<String> outputPrefix;

  /** A t-SNE map with a random uid; set its features before use. */
  public Tsne() {
    this(Identifiable$.MODULE$.randomUID("tsne"));
  }

  /** A t-SNE map of {@code features}. */
  public Tsne(FeatureSpace features) {
    this();
    setFeatures(features);
  }

  /** A t-SNE map with {@code uid} (how MLlib copies and loads stages). */
  public Tsne(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    features = new FeatureSpaceParam(this, "features", "the columns mapped");
    perplexity = new DoubleParam(this, "perplexity", "effective neighbours", ParamValidators.gt(1));
    earlyIterations =
        new IntParam(this, "earlyIterations", "exaggerated iterations", ParamValidators.gtEq(0));
    iterations =
        new IntParam(this, "iterations", "iterations after those", ParamValidators.gtEq(0));
    exaggeration =
        new DoubleParam(this, "exaggeration", "early exaggeration", ParamValidators.gt(0));
    learningRate =
        new DoubleParam(this, "learningRate", "0: max(n / 12, 50)", ParamValidators.gtEq(0));
    theta = new DoubleParam(this, "theta", "Barnes-Hut opening angle", ParamValidators.gtEq(0));
    pcaDims =
        new IntParam(
            this, "pcaDims", "reduce to this many PCs first; 0: no", ParamValidators.gtEq(0));
    search =
        new Param<>(
            this,
            "search",
            "auto, exact or approximate",
            ParamValidators.inArray(SEARCHES.toArray(new String[0])));
    repulsion =
        new Param<>(
            this,
            "repulsion",
            "auto, barnes-hut or fft",
            ParamValidators.inArray(TsneOptimizer.REPULSIONS.toArray(new String[0])));
    trees = new IntParam(this, "trees", "random projection trees", ParamValidators.gt(0));
    threads =
        new IntParam(this, "threads", "driver threads; 0: every core", ParamValidators.gtEq(0));
    mapRows =
        new IntParam(
            this,
            "mapRows",
            "rows optimised on the driver; others are placed among their nearest mapped rows",
            ParamValidators.gt(0));
    trustSample =
        new IntParam(this, "trustSample", "rows for trustworthiness", ParamValidators.gtEq(0));
    ignoreConstant =
        new BooleanParam(this, "ignoreConstant", "let constant columns pass (they add nothing)");
    scale = new BooleanParam(this, "scale", "divide each column by its standard deviation first");
    seed = new LongParam(this, "seed", "random seed");
    idCol = new Param<>(this, "idCol", "row key column; empty: none");
    outputPrefix = new Param<>(this, "outputPrefix", "outputs are prefix_x and prefix_y");
    setDefault(perplexity, 30.0);
    setDefault(earlyIterations, 250);
    setDefault(iterations, 500);
    setDefault(exaggeration, 12.0);
    setDefault(learningRate, 0.0);
    setDefault(theta, 0.5);
    setDefault(pcaDims, 50);
    setDefault(search, "auto");
    setDefault(trees, NeighbourSearch.DEFAULT_TREES);
    setDefault(repulsion, "auto");
    setDefault(threads, 0);
    setDefault(trustSample, 1000);
    setDefault(mapRows, DEFAULT_MAP_ROWS);
    setDefault(seed, 42L);
    setDefault(ignoreConstant, false);
    setDefault(scale, false);
    setDefault(idCol, "");
    setDefault(outputPrefix, "tsne");
  }

  public FeatureSpaceParam features() {
    return features;
  }

  public FeatureSpace getFeatures() {
    if (!isDefined(features)) {
      throw new IllegalArgumentException("set features: the columns mapped");
    }
    return $(features);
  }

  public Tsne setFeatures(FeatureSpace value) {
    set(features, value);
    return this;
  }

  public double getPerplexity() {
    return (Double) $(perplexity);
  }

  public int getIterations() {
    return (Integer) $(iterations);
  }

  public int getEarlyIterations() {
    return (Integer) $(earlyIterations);
  }

  public int getPcaDims() {
    return (Integer) $(pcaDims);
  }

  public int getMapRows() {
    return (Integer) $(mapRows);
  }

  public String getSearch() {
    return $(search);
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public String getIdCol() {
    return $(idCol);
  }

  public String getOutputPrefix() {
    return $(outputPrefix);
  }

  public boolean getScale() {
    return (Boolean) $(scale);
  }

  public DoubleParam perplexity() {
    return perplexity;
  }

  public IntParam earlyIterations() {
    return earlyIterations;
  }

  public IntParam iterations() {
    return iterations;
  }

  public DoubleParam exaggeration() {
    return exaggeration;
  }

  public DoubleParam learningRate() {
    return learningRate;
  }

  public DoubleParam theta() {
    return theta;
  }

  public IntParam pcaDims() {
    return pcaDims;
  }

  public Param<String> search() {
    return search;
  }

  public Param<String> repulsion() {
    return repulsion;
  }

  public IntParam trees() {
    return trees;
  }

  public IntParam threads() {
    return threads;
  }

  public IntParam trustSample() {
    return trustSample;
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

  public Tsne setPerplexity(double value) {
    set(perplexity, value);
    return this;
  }

  public Tsne setIterations(int early, int late) {
    set(earlyIterations, early);
    set(iterations, late);
    return this;
  }

  public Tsne setExaggeration(double value) {
    set(exaggeration, value);
    return this;
  }

  public Tsne setLearningRate(double value) {
    set(learningRate, value);
    return this;
  }

  public Tsne setTheta(double value) {
    set(theta, value);
    return this;
  }

  public Tsne setPcaDims(int value) {
    set(pcaDims, value);
    return this;
  }

  public Tsne setSearch(String value) {
    set(search, value);
    return this;
  }

  /** barnes-hut, fft, or auto (per iteration, whichever is cheaper for the map's spread). */
  public Tsne setRepulsion(String value) {
    set(repulsion, value);
    return this;
  }

  public Tsne setTrees(int value) {
    set(trees, value);
    return this;
  }

  public Tsne setThreads(int value) {
    set(threads, value);
    return this;
  }

  public Tsne setTrustSample(int value) {
    set(trustSample, value);
    return this;
  }

  public IntParam mapRows() {
    return mapRows;
  }

  /**
   * The most rows the driver maps (default {@value #DEFAULT_MAP_ROWS}); from a larger table, a
   * seeded sample of about this many is mapped and every other row placed among its nearest mapped
   * rows ({@link Placement}).
   */
  public Tsne setMapRows(int value) {
    set(mapRows, value);
    return this;
  }

  /**
   * Divides each column by its standard deviation before distances are taken, so that a column of
   * large values (a weight around 10^5) does not decide them alone: the map is then made through a
   * PCA of the standardised columns keeping them all (a rotation, which keeps every distance) or
   * the first pcaDims of them.
   */
  public Tsne setScale(boolean value) {
    set(scale, value);
    return this;
  }

  public BooleanParam scale() {
    return scale;
  }

  /** Lets constant columns pass instead of refusing them (they add nothing to distances). */
  public Tsne setIgnoreConstant(boolean value) {
    set(ignoreConstant, value);
    return this;
  }

  public Tsne setSeed(long value) {
    set(seed, value);
    return this;
  }

  public Tsne setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  public Tsne setOutputPrefix(String value) {
    set(outputPrefix, value);
    return this;
  }

  /** Called after each optimisation iteration (on the driver). */
  public Tsne setProgress(TsneOptimizer.Progress value) {
    this.progress = value;
    return this;
  }

  /** The figures of the last {@link #transform} or {@link #run}. */
  public TsneResult lastResult() {
    return last;
  }

  private double perp() {
    return (Double) $(perplexity);
  }

  private int threadCount() {
    int t = (Integer) $(threads);
    return t > 0 ? t : Runtime.getRuntime().availableProcessors();
  }

  /** The neighbours per row: three times the perplexity. */
  public int neighbours() {
    return (int) Math.ceil(3 * perp());
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : getFeatures().columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException("unknown column '" + c + "'");
      }
    }
    Columns.requireId(schema, $(idCol));
    String p = $(outputPrefix);
    return Columns.append(
        schema,
        List.of(
            DataTypes.createStructField(p + "_x", DataTypes.DoubleType, false),
            DataTypes.createStructField(p + "_y", DataTypes.DoubleType, false)));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    return run(dataset.toDF()).table();
  }

  /**
   * Maps every row; the result holds the table with the map and the run's figures. The table reads
   * a cached copy of the input in canonical order: unpersist it once written ({@code trustlens}
   * commands release what a task cached when it ends); on failure the copy is released here.
   */
  public TsneResult run(Dataset<Row> table) {
    long t0 = System.nanoTime();
    StructType out = transformSchema(table.schema());
    Dataset<Row> indexed = RowOrder.indexed(table, $(idCol)).cache();
    try {
      return run(table, out, indexed, t0);
    } catch (RuntimeException | Error e) {
      indexed.unpersist(); // the result would have read it; without one nothing does
      throw e;
    }
  }

  private TsneResult run(Dataset<Row> table, StructType out, Dataset<Row> indexed, long t0) {
    FeatureSpace features = getFeatures();
    String id = $(idCol);
    long seedValue = (Long) $(seed);
    long rows = indexed.count();
    int k = neighbours();
    if (rows < k + 1) {
      throw new InvalidFeatureException(
          "t-SNE with perplexity "
              + perp()
              + " needs at least "
              + (k + 1)
              + " rows (3 × perplexity neighbours each); the table has "
              + rows
              + ". Lower the perplexity or map more rows");
    }
    PcaModel projection = null;
    int dims = (Integer) $(pcaDims);
    boolean reduce = dims > 0 && features.size() > dims;
    boolean scaled = (Boolean) $(scale);
    if (reduce || scaled) {
      projection =
          new Pca(features)
              .setK(reduce ? dims : features.size())
              .setScale(scaled)
              .setSeed(seedValue)
              .setIdCol(id)
              .setIgnoreConstant((Boolean) $(ignoreConstant))
              .fit(indexed);
    }
    long[] mapped = null;
    Points points;
    if (rows > (Integer) $(mapRows)) {
      double share = (Integer) $(mapRows) / (double) rows;
      mapped = Placement.chosenRows(rows, seedValue, share);
      int indexAt = indexed.schema().fieldIndex(RowOrder.INDEX);
      Dataset<Row> sample =
          indexed.filter(
              (FilterFunction<Row>) r -> Placement.chosen(r.getLong(indexAt), seedValue, share));
      points = IndexedPoints.collectSample(sample, features, id, projection, mapped);
      if (projection == null) {
        IndexedPoints.requireReadable(indexed, features, id); // the PCA fit did it otherwise
      }
    } else {
      points = IndexedPoints.collect(indexed, features, id, projection);
    }
    if (projection == null && !(Boolean) $(ignoreConstant)) {
      requireVarying(points);
    }
    long t1 = System.nanoTime();
    JavaSparkContext spark = JavaSparkContext.fromSparkContext(table.sparkSession().sparkContext());
    int n = points.size();
    if (n < k + 1) {
      throw new InvalidFeatureException(
          "t-SNE maps "
              + n
              + " sampled rows of "
              + rows
              + "; perplexity "
              + perp()
              + " needs at least "
              + (k + 1)
              + ". Raise mapRows");
    }
    String how =
        $(search).equals("auto")
            ? (n <= NeighbourSearch.EXACT_LIMIT ? "exact" : "approximate")
            : $(search);
    double perplexityValue = perp();
    NeighbourGraph.RowValues affinities = (d2, v) -> Perplexity.conditional(d2, perplexityValue, v);
    NeighbourGraph graph;
    NeighbourSearch forest = null;
    if (how.equals("exact")) {
      graph = NeighbourGraph.build(spark, points, NeighbourSearch.exact(), k, affinities);
    } else {
      int leaf = NeighbourSearch.defaultLeafSize(k);
      forest =
          NeighbourSearch.approximate(points, (Integer) $(trees), leaf, seedValue, threadCount());
      NeighbourGraph first =
          NeighbourGraph.build(spark, points, forest, k, NeighbourGraph.distances());
      graph = NeighbourGraph.build(spark, points, forest.refinedBy(first), k, affinities);
    }
    Affinities p = Affinities.symmetric(graph);
    long t2 = System.nanoTime();
    double[] y = Initialisation.pca(points);
    TsneOptimizer optimizer =
        new TsneOptimizer()
            .iterations((Integer) $(earlyIterations), (Integer) $(iterations))
            .exaggeration((Double) $(exaggeration))
            .learningRate((Double) $(learningRate))
            .theta((Double) $(theta))
            .threads(threadCount())
            .repulsion($(repulsion));
    double kl = optimizer.optimise(p, y, progress);
    long t3 = System.nanoTime();
    // Scaled: trustworthiness in the standardised space the distances were taken in.
    double trust =
        trustworthiness(indexed, points, mapped, scaled ? null : projection, y, seedValue);
    Dataset<Row> result;
    if (mapped == null) {
      result = withMap(indexed, spark.broadcast(y), out);
    } else {
      if (forest == null) {
        forest =
            NeighbourSearch.approximate(
                points,
                (Integer) $(trees),
                NeighbourSearch.defaultLeafSize(Placement.NEIGHBOURS),
                seedValue,
                threadCount());
      }
      Placement placement = new Placement(points, y, forest, graph);
      result =
          placed(indexed, spark.broadcast(placement), spark.broadcast(mapped), projection, out);
    }
    last =
        new TsneResult(
            result,
            rows,
            n,
            points.dimensions(),
            k,
            how,
            optimizer.repulsionUsed(),
            p.nonZeros(),
            kl,
            trust,
            seconds(t0, t1),
            seconds(t1, t2),
            seconds(t2, t3));
    return last;
  }

  /** The rows with their positions in the map {@code y} (every row mapped). */
  private static Dataset<Row> withMap(
      Dataset<Row> indexed, Broadcast<double[]> map, StructType out) {
    int indexCol = indexed.schema().fieldIndex(RowOrder.INDEX);
    return indexed
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>)
                it -> {
                  double[] coords = map.value();
                  return Columns.eachRow(
                      it,
                      r -> {
                        int i = (int) r.getLong(indexCol);
                        return Columns.appended(r, coords[2 * i], coords[2 * i + 1]);
                      });
                },
            ExpressionEncoder.apply(withIndex(out)))
        .drop(RowOrder.INDEX);
  }

  /** The rows with their positions: mapped rows from the map, the others placed among them. */
  private Dataset<Row> placed(
      Dataset<Row> indexed,
      Broadcast<Placement> placement,
      Broadcast<long[]> mapped,
      PcaModel projection,
      StructType out) {
    FeatureSpace features = getFeatures();
    StructType schema = indexed.schema();
    int indexCol = schema.fieldIndex(RowOrder.INDEX);
    FeatureSpace space = features;
    String id = $(idCol);
    return indexed
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>)
                it -> {
                  Placement.Placer placer = placement.value().placer();
                  double[] coords = placement.value().map();
                  long[] chosen = mapped.value();
                  IndexedPoints.RowReader reader =
                      new IndexedPoints.RowReader(space, schema, id, projection);
                  float[] q = new float[reader.dimensions()];
                  double[] at = new double[2];
                  long[] position = {0};
                  return Columns.eachRow(
                      it,
                      r -> {
                        int i = java.util.Arrays.binarySearch(chosen, r.getLong(indexCol));
                        if (i >= 0) {
                          return Columns.appended(r, coords[2 * i], coords[2 * i + 1]);
                        }
                        reader.read(r, position[0]++, q, 0);
                        placer.place(q, at);
                        return Columns.appended(r, at[0], at[1]);
                      });
                },
            ExpressionEncoder.apply(withIndex(out)))
        .drop(RowOrder.INDEX);
  }

  private static StructType withIndex(StructType out) {
    List<StructField> fields = new ArrayList<>(List.of(out.fields()));
    fields.add(
        fields.size() - 2, DataTypes.createStructField(RowOrder.INDEX, DataTypes.LongType, false));
    return DataTypes.createStructType(fields);
  }

  private void requireVarying(Points points) {
    FeatureSpace features = getFeatures();
    List<String> constant = new ArrayList<>();
    for (int j = 0; j < points.dimensions(); j++) {
      float first = points.get(0, j);
      boolean same = true;
      for (int i = 1; i < points.size() && same; i++) {
        same = points.get(i, j) == first;
      }
      if (same) {
        constant.add(features.names().get(j));
      }
    }
    if (!constant.isEmpty()) {
      throw new InvalidFeatureException(
          io.trustlens.explore.pca.ColumnMoments.constantColumnsError(constant, "distance"));
    }
  }

  /** Trustworthiness (k = 10) of the map on a seeded sample, in the features' own space. */
  private double trustworthiness(
      Dataset<Row> indexed,
      Points points,
      long[] mapped,
      PcaModel projection,
      double[] y,
      long seedValue) {
    FeatureSpace features = getFeatures();
    int n = points.size();
    int m = Math.min(n, (Integer) $(trustSample));
    if (m < 3 * 10 + 2) {
      return Double.NaN;
    }
    int[] pick = new SplittableRandom(seedValue).ints(0, n).distinct().limit(m).sorted().toArray();
    double[][] high;
    if (projection == null) {
      high = new double[m][points.dimensions()];
      for (int s = 0; s < m; s++) {
        for (int j = 0; j < points.dimensions(); j++) {
          high[s][j] = points.get(pick[s], j);
        }
      }
    } else {
      long[] rowsPicked = new long[m];
      Long[] wanted = new Long[m];
      for (int s = 0; s < m; s++) {
        rowsPicked[s] = mapped == null ? pick[s] : mapped[pick[s]];
        wanted[s] = rowsPicked[s];
      }
      Dataset<Row> sample = indexed.filter(col(RowOrder.INDEX).isin((Object[]) wanted));
      Points original = IndexedPoints.collectSample(sample, features, $(idCol), null, rowsPicked);
      high = new double[m][original.dimensions()];
      for (int s = 0; s < m; s++) {
        for (int j = 0; j < original.dimensions(); j++) {
          high[s][j] = original.get(s, j);
        }
      }
    }
    double[][] low = new double[m][2];
    for (int s = 0; s < m; s++) {
      low[s][0] = y[2 * pick[s]];
      low[s][1] = y[2 * pick[s] + 1];
    }
    return Trustworthiness.of(high, low, 10);
  }

  private static double seconds(long a, long b) {
    return Math.round((b - a) / 1e6) / 1e3;
  }

  @Override
  public Tsne copy(ParamMap extra) {
    Tsne copied = defaultCopy(extra);
    copied.progress = progress;
    return copied;
  }

  public static MLReader<Tsne> read() {
    return new DefaultParamsReader<>();
  }

  public static Tsne load(String path) {
    return read().load(path);
  }

  @Override
  public String uid() {
    return uid;
  }
}
