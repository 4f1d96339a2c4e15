package io.trustlens.explore.pca;

import io.trustlens.explore.Eigen;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.FeatureSpaceParam;
import io.trustlens.feature.InvalidFeatureException;
import java.util.List;
import org.apache.spark.ml.Estimator;
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
import org.apache.spark.sql.types.StructType;

/**
 * Principal components of a table's features, fitted in a few distributed passes. The {@code exact}
 * solver sums the covariance matrix ({@code d × d}, on the driver) and decomposes it; the {@code
 * randomized} solver (Halko, Martinsson and Tropp 2011, arXiv 0909.4061) never forms it: each pass
 * multiplies the covariance by a block of {@code k + oversample} vectors ({@code Zᵀ(Z Q)}, summed
 * over rows on the executors), with {@code powerIterations} passes of subspace iteration before the
 * Rayleigh-Ritz step. {@code auto} picks exact up to {@value #EXACT_LIMIT} columns. Every sum is
 * exact to about 100 bits, so the fit does not depend on the partitioning. A small table's first
 * pass keeps its rows ({@link Pass.Source}) and the later passes fold them on the driver, in the
 * executors' order: the same bits, without a Spark job each.
 *
 * <p>MLlib's {@code RowMatrix} PCA would serve the exact case, but its tree-aggregated sums change
 * in the last bits with the partitioning; this class keeps TrustLens' bit-for-bit rule.
 */
public final class Pca extends Estimator<PcaModel> implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** The solvers {@link #setSolver} accepts. */
  public static final List<String> SOLVERS = List.of("auto", "exact", "randomized");

  /** The most columns {@code auto} gives to the exact solver. */
  public static final int EXACT_LIMIT = 200;

  private final String uid;
  private final FeatureSpaceParam features;

  private final IntParam k;
  private final BooleanParam center;
  private final BooleanParam scale;
  private final Param<String> solver;
  private final IntParam oversample;
  private final IntParam powerIterations;
  private final BooleanParam ignoreConstant;
  private final LongParam seed;
  private final Param<String> idCol;
  private final Param<String> outputPrefix;

  /** A stage with a random uid; set its features before fitting. */
  public Pca() {
    this(Identifiable$.MODULE$.randomUID("pca"));
  }

  /** A stage with {@code uid} (how MLlib copies and loads stages). */
  public Pca(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    features = new FeatureSpaceParam(this, "features", "the columns analysed");
    k = new IntParam(this, "k", "components (default min(10, features))", ParamValidators.gt(0));
    center = new BooleanParam(this, "center", "subtract column means");
    scale = new BooleanParam(this, "scale", "divide by column std");
    solver =
        new Param<>(
            this,
            "solver",
            "auto, exact or randomized",
            ParamValidators.inArray(SOLVERS.toArray(new String[0])));
    oversample =
        new IntParam(this, "oversample", "extra randomized vectors", ParamValidators.gtEq(0));
    powerIterations =
        new IntParam(this, "powerIterations", "subspace iterations", ParamValidators.gtEq(0));
    ignoreConstant =
        new BooleanParam(this, "ignoreConstant", "let constant columns pass (they add nothing)");
    seed = new LongParam(this, "seed", "random seed");
    idCol = new Param<>(this, "idCol", "row key column, for errors");
    outputPrefix = new Param<>(this, "outputPrefix", "output columns are prefix1, prefix2, ...");
    setDefault(center, true);
    setDefault(scale, false);
    setDefault(solver, "auto");
    setDefault(oversample, 10);
    setDefault(powerIterations, 3);
    setDefault(seed, 42L);
    setDefault(ignoreConstant, false);
    setDefault(idCol, "");
    setDefault(outputPrefix, "pc");
  }

  /** PCA of {@code features} (the {@code features} Param set). */
  public Pca(FeatureSpace features) {
    this();
    setFeatures(features);
  }

  public FeatureSpaceParam features() {
    return features;
  }

  public FeatureSpace getFeatures() {
    if (!isDefined(features)) {
      throw new IllegalArgumentException("set features: the columns analysed");
    }
    return $(features);
  }

  public Pca setFeatures(FeatureSpace value) {
    set(features, value);
    return this;
  }

  public Pca setK(int value) {
    set(k, value);
    return this;
  }

  public Pca setCenter(boolean value) {
    set(center, value);
    return this;
  }

  public Pca setScale(boolean value) {
    set(scale, value);
    return this;
  }

  public Pca setSolver(String value) {
    set(solver, value);
    return this;
  }

  public Pca setOversample(int value) {
    set(oversample, value);
    return this;
  }

  public Pca setPowerIterations(int value) {
    set(powerIterations, value);
    return this;
  }

  /** Lets constant columns pass instead of refusing them (scaling leaves them as they are). */
  public Pca setIgnoreConstant(boolean value) {
    set(ignoreConstant, value);
    return this;
  }

  public Pca setSeed(long value) {
    set(seed, value);
    return this;
  }

  public Pca setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  public Pca setOutputPrefix(String value) {
    set(outputPrefix, value);
    return this;
  }

  public IntParam k() {
    return k;
  }

  public BooleanParam center() {
    return center;
  }

  public BooleanParam scale() {
    return scale;
  }

  public Param<String> solver() {
    return solver;
  }

  public IntParam oversample() {
    return oversample;
  }

  public IntParam powerIterations() {
    return powerIterations;
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

  /** The components asked: the one set, else min(10, features). */
  public int getK() {
    return isSet(k) ? (Integer) $(k) : Math.min(10, getFeatures().size());
  }

  public boolean getCenter() {
    return (Boolean) $(center);
  }

  public boolean getScale() {
    return (Boolean) $(scale);
  }

  /** The solver {@code auto} resolves to for this many columns. */
  public String resolvedSolver() {
    String s = $(solver);
    return s.equals("auto") ? (getFeatures().size() <= EXACT_LIMIT ? "exact" : "randomized") : s;
  }

  @Override
  public PcaModel fit(Dataset<?> dataset) {
    Dataset<Row> table = dataset.toDF();
    transformSchema(table.schema());
    int d = getFeatures().size();
    int components = getK();
    Pass.Source source = new Pass.Source(table, getFeatures(), $(idCol), ColumnMoments.KEPT_VALUES);
    ColumnMoments moments = ColumnMoments.of(source);
    long n = moments.rows();
    if (n < 2) {
      throw new InvalidFeatureException("PCA needs at least 2 rows; the table has " + n);
    }
    List<String> constant = moments.constantColumns(getFeatures().names());
    if (!constant.isEmpty() && !(Boolean) $(ignoreConstant)) {
      throw new InvalidFeatureException(
          io.trustlens.explore.pca.ColumnMoments.constantColumnsError(constant, "variance"));
    }
    double[] shift = getCenter() ? moments.mean() : new double[d];
    double[] std = new double[d];
    double[] variance = moments.variance();
    double[] second = moments.secondMoment();
    double total = 0;
    for (int j = 0; j < d; j++) {
      std[j] = getScale() && variance[j] > 0 ? Math.sqrt(variance[j]) : 1;
      double spread = getCenter() ? variance[j] : second[j] * n / (n - 1);
      total += spread / (std[j] * std[j]);
    }
    String used = resolvedSolver();
    Eigen.Pairs pairs =
        used.equals("exact")
            ? Eigen.full(Covariance.of(source, shift, std, n), d, components)
            : Eigen.subspace(
                Covariance.operator(source, shift, std, n),
                d,
                components,
                (Integer) $(oversample),
                (Integer) $(powerIterations),
                (Long) $(seed));
    return new PcaModel(
        uid,
        getFeatures(),
        shift,
        std,
        pairs.vectors(),
        pairs.values(),
        total,
        n,
        used,
        $(outputPrefix));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : getFeatures().columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException(io.trustlens.feature.ColumnNames.unknown(c, schema));
      }
    }
    if (getK() > getFeatures().size()) {
      throw new InvalidFeatureException(
          "PCA asks for "
              + getK()
              + " components but the features have "
              + getFeatures().size()
              + " columns; ask for at most "
              + getFeatures().size());
    }
    return schema;
  }

  @Override
  public Pca copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<Pca> read() {
    return new DefaultParamsReader<>();
  }

  public static Pca load(String path) {
    return read().load(path);
  }

  @Override
  public String uid() {
    return uid;
  }
}
