package io.trustlens.explain.example;

import io.trustlens.explore.knn.NeighbourSearch;
import io.trustlens.explore.knn.Points;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
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
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Nearest training examples with Deep k-Nearest Neighbors' credibility (Papernot and McDaniel 2018,
 * arXiv 1803.04765). Fitting gathers the training rows (their points in the compared space, ids and
 * labels) on the driver; a share {@code calibration} of them, chosen by a hash of seed and id, is
 * held out of the index and calibrates {@link Credibility}. The fitted {@link NearestExamplesModel}
 * appends per row its {@code k} nearest indexed training rows ({@code examples}: ids, {@code
 * examples_labels}, {@code examples_distances}, nearest first) and, with {@code credibility} on,
 * the neighbours' verdict ({@code examples_prediction}, {@code examples_credibility}, {@code
 * examples_confidence}). The search is exact up to {@value NeighbourSearch#EXACT_LIMIT} indexed
 * rows under {@code auto}, else a random projection forest with one round of neighbour descent.
 */
public final class NearestExamples extends Estimator<NearestExamplesModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** Most distinct labels credibility accepts. */
  public static final int MAX_CLASSES = 1000;

  private final String uid;
  final ExampleParams shared;
  final IntParam k;
  final DoubleParam calibration;
  final BooleanParam credibility;
  final Param<String> search;
  final IntParam trees;
  final LongParam seed;
  final BooleanParam standardize;

  public NearestExamples() {
    this(Identifiable$.MODULE$.randomUID("nearestExamples"));
  }

  public NearestExamples(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    NearestParams p = new NearestParams(this);
    shared = p.shared;
    k = p.k;
    calibration = p.calibration;
    credibility = p.credibility;
    search = p.search;
    trees = p.trees;
    seed = p.seed;
    standardize = p.standardize;
  }

  @Override
  public String uid() {
    return uid;
  }

  public StringArrayParam featuresCols() {
    return shared.featuresCols;
  }

  public Param<String> vectorCol() {
    return shared.vectorCol;
  }

  public Param<String> labelCol() {
    return shared.labelCol;
  }

  public Param<String> idCol() {
    return shared.idCol;
  }

  public Param<String> outputCol() {
    return shared.outputCol;
  }

  public IntParam k() {
    return k;
  }

  public DoubleParam calibration() {
    return calibration;
  }

  public BooleanParam credibility() {
    return credibility;
  }

  public Param<String> search() {
    return search;
  }

  public IntParam trees() {
    return trees;
  }

  public LongParam seed() {
    return seed;
  }

  public BooleanParam standardize() {
    return standardize;
  }

  public boolean getStandardize() {
    return (Boolean) $(standardize);
  }

  /**
   * Compares rows in units of each value's standard deviation over the training rows (default
   * false: as given), so that no feature weighs more for its unit alone.
   */
  public NearestExamples setStandardize(boolean value) {
    set(standardize, value);
    return this;
  }

  public String[] getFeaturesCols() {
    return $(shared.featuresCols);
  }

  public String getVectorCol() {
    return $(shared.vectorCol);
  }

  public String getLabelCol() {
    return $(shared.labelCol);
  }

  public String getIdCol() {
    return $(shared.idCol);
  }

  public String getOutputCol() {
    return $(shared.outputCol);
  }

  public int getK() {
    return (Integer) $(k);
  }

  public double getCalibration() {
    return (Double) $(calibration);
  }

  public boolean getCredibility() {
    return (Boolean) $(credibility);
  }

  public String getSearch() {
    return $(search);
  }

  public int getTrees() {
    return (Integer) $(trees);
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public NearestExamples setFeaturesCols(String... value) {
    set(shared.featuresCols, value);
    return this;
  }

  public NearestExamples setVectorCol(String value) {
    set(shared.vectorCol, value);
    return this;
  }

  public NearestExamples setLabelCol(String value) {
    set(shared.labelCol, value);
    return this;
  }

  public NearestExamples setIdCol(String value) {
    set(shared.idCol, value);
    return this;
  }

  public NearestExamples setOutputCol(String value) {
    set(shared.outputCol, value);
    return this;
  }

  public NearestExamples setK(int value) {
    set(k, value);
    return this;
  }

  public NearestExamples setCalibration(double value) {
    set(calibration, value);
    return this;
  }

  public NearestExamples setCredibility(boolean value) {
    set(credibility, value);
    return this;
  }

  public NearestExamples setSearch(String value) {
    set(search, value);
    return this;
  }

  public NearestExamples setTrees(int value) {
    set(trees, value);
    return this;
  }

  public NearestExamples setSeed(long value) {
    set(seed, value);
    return this;
  }

  /** Checks the training table: the compared columns, the label and the id. */
  @Override
  public StructType transformSchema(StructType schema) {
    shared.requireTraining(this, schema);
    shared.requireSpace(this, schema);
    return schema;
  }

  @Override
  public NearestExamplesModel fit(Dataset<?> dataset) {
    Dataset<Row> table = dataset.toDF();
    StructType schema = table.schema();
    boolean numericLabel = shared.requireTraining(this, schema);
    FeatureSpace space = shared.space(this, schema, shared.vectorSize(this, table));
    boolean credible = getCredibility();
    TrainingRows gathered =
        TrainingRows.gather(
            table,
            space,
            getIdCol(),
            getLabelCol(),
            numericLabel,
            credible
                ? TrainingRows.heldOut(getIdCol(), getSeed(), "calibration", getCalibration())
                : null);
    TrainingRows rows = gathered;
    double[] divisors = getStandardize() ? rows.deviations() : new double[0];
    if (divisors.length > 0) {
      rows = rows.standardized(new double[divisors.length], divisors); // divided, not centred
    }
    int[] kept = rows.rows(false);
    int[] held = rows.rows(true);
    if (kept.length < getK()) {
      throw new InvalidFeatureException(
          getK()
              + " examples asked of "
              + kept.length
              + " indexed training rows"
              + (credible ? " (" + held.length + " held out to calibrate credibility)" : ""));
    }
    Points points = rows.points(kept);
    JavaSparkContext spark = JavaSparkContext.fromSparkContext(table.sparkSession().sparkContext());
    NeighbourSearch how =
        TrainingRows.search(spark, points, getSearch(), getK(), getTrees(), getSeed());
    Object[] classes = new Object[0];
    ExampleIndex index;
    if (credible) {
      classes = rows.classes();
      for (Object c : classes) {
        if (c instanceof Double v && v != Math.rint(v)) {
          throw new InvalidFeatureException(
              "label '"
                  + getLabelCol()
                  + "' holds "
                  + v
                  + ", not a class: credibility needs class labels (whole numbers or text);"
                  + " set credibility false for a regression label");
        }
      }
      if (classes.length > MAX_CLASSES || classes.length < 2) {
        throw new InvalidFeatureException(
            "label '"
                + getLabelCol()
                + "' has "
                + classes.length
                + " distinct values: credibility needs 2 to "
                + MAX_CLASSES
                + " classes (set credibility false for a regression label)");
      }
      if (held.length == 0) {
        throw new InvalidFeatureException(
            "no training row was held out to calibrate credibility: raise calibration ("
                + getCalibration()
                + ") or give more rows");
      }
      index =
          ExampleIndex.calibrated(
              points,
              how,
              getK(),
              classIndices(TrainingRows.pick(rows.labels(), kept), classes),
              classes.length,
              rows.points(held),
              classIndices(TrainingRows.pick(rows.labels(), held), classes),
              Runtime.getRuntime().availableProcessors());
    } else {
      index = ExampleIndex.of(points, how, getK());
    }
    NearestExamplesModel model = new NearestExamplesModel(uid);
    copyValues(model, extractParamMap());
    return model
        .setFitted(
            new NearestExamplesModel.Fitted(
                index,
                TrainingRows.pick(rows.ids(), kept),
                TrainingRows.pick(rows.labels(), kept),
                classes,
                ExampleParams.numericId(schema, getIdCol()),
                numericLabel,
                how.isExact() ? "exact" : "approximate",
                divisors))
        .setParent(this);
  }

  /** Each label's place among {@code classes} (every label is one of them). */
  static int[] classIndices(Object[] labels, Object[] classes) {
    Map<Object, Integer> classOf = new HashMap<>();
    for (int c = 0; c < classes.length; c++) {
      classOf.put(classes[c], c);
    }
    int[] out = new int[labels.length];
    for (int a = 0; a < labels.length; a++) {
      out[a] = classOf.get(labels[a]);
    }
    return out;
  }

  @Override
  public NearestExamples copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<NearestExamples> read() {
    return new DefaultParamsReader<>();
  }

  public static NearestExamples load(String path) {
    return read().load(path);
  }
}
