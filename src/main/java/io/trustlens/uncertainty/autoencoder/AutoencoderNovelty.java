package io.trustlens.uncertainty.autoencoder;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.uncertainty.FeatureParams;
import io.trustlens.uncertainty.TrainingSample;
import java.util.Arrays;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

/**
 * Fits an {@link Autoencoder} to a table's rows and returns the model that scores any table's rows
 * by reconstruction error, flagging as unfamiliar those beyond a percentile of the training rows'
 * errors.
 *
 * <p>Where it trains: on the driver, over a seeded sample of at most {@code maxRows} rows (default
 * 100,000; rows chosen by a hash of (seed, row key), then sorted by key, so the sample and the fit
 * do not depend on the partitioning), with {@code steps} minibatch steps of Adam through DJL's
 * autograd on one thread. A bounded sample keeps the driver's memory and the fit's time bounded
 * whatever the table's size: {@code maxRows × features × 8} bytes (80 MB at 100,000 rows of 100
 * features).
 */
public final class AutoencoderNovelty extends Estimator<AutoencoderNoveltyModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final FeatureParams shared;
  private final IntArrayParam hiddenSizes;
  private final IntParam steps;
  private final IntParam batchSize;
  private final DoubleParam learningRate;
  private final IntParam maxRows;
  private final DoubleParam percentile;
  private final LongParam seed;

  public AutoencoderNovelty() {
    this(Identifiable$.MODULE$.randomUID("autoencoderNovelty"));
  }

  public AutoencoderNovelty(String uid) {
    this.uid = uid; // first: the params below record their parent's uid
    shared = new FeatureParams(this);
    hiddenSizes =
        new IntArrayParam(
            this, "hiddenSizes", "hidden layer sizes; empty: d/2, d/4, d/2 (at most 64, 16, 64)");
    steps = new IntParam(this, "steps", "minibatch steps of Adam", ParamValidators.gtEq(1));
    batchSize = new IntParam(this, "batchSize", "rows per minibatch", ParamValidators.gtEq(1));
    learningRate =
        new DoubleParam(this, "learningRate", "Adam's learning rate", ParamValidators.gt(0));
    maxRows =
        new IntParam(
            this,
            "maxRows",
            "most training rows (a seeded sample beyond)",
            ParamValidators.gtEq(1));
    percentile =
        new DoubleParam(
            this,
            "percentile",
            "rows whose error exceeds this percentile of the training errors are unfamiliar",
            ParamValidators.inRange(0, 100));
    seed = new LongParam(this, "seed", "the seed of the sample, initial weights and minibatches");
    shared.defaults(this);
    setDefault(hiddenSizes, new int[0]);
    setDefault(steps, 2000);
    setDefault(batchSize, 64);
    setDefault(learningRate, 3e-3);
    setDefault(maxRows, 100_000);
    setDefault(percentile, 99.0);
    setDefault(seed, 42L);
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

  public Param<String> idCol() {
    return shared.idCol;
  }

  public Param<String> outputPrefix() {
    return shared.outputPrefix;
  }

  public Param<String> onInvalid() {
    return shared.onInvalid;
  }

  public IntArrayParam hiddenSizes() {
    return hiddenSizes;
  }

  public IntParam steps() {
    return steps;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public DoubleParam learningRate() {
    return learningRate;
  }

  public IntParam maxRows() {
    return maxRows;
  }

  public DoubleParam percentile() {
    return percentile;
  }

  public LongParam seed() {
    return seed;
  }

  public int[] getHiddenSizes() {
    return $(hiddenSizes);
  }

  public int getSteps() {
    return (Integer) $(steps);
  }

  public int getMaxRows() {
    return (Integer) $(maxRows);
  }

  public double getPercentile() {
    return (Double) $(percentile);
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public AutoencoderNovelty setFeaturesCols(String... value) {
    set(shared.featuresCols, value);
    return this;
  }

  public AutoencoderNovelty setVectorCol(String value) {
    set(shared.vectorCol, value);
    return this;
  }

  public AutoencoderNovelty setIdCol(String value) {
    set(shared.idCol, value);
    return this;
  }

  public AutoencoderNovelty setOutputPrefix(String value) {
    set(shared.outputPrefix, value);
    return this;
  }

  public AutoencoderNovelty setOnInvalid(String value) {
    set(shared.onInvalid, value);
    return this;
  }

  public AutoencoderNovelty setHiddenSizes(int... value) {
    set(hiddenSizes, value);
    return this;
  }

  public AutoencoderNovelty setSteps(int value) {
    set(steps, value);
    return this;
  }

  public AutoencoderNovelty setBatchSize(int value) {
    set(batchSize, value);
    return this;
  }

  public AutoencoderNovelty setLearningRate(double value) {
    set(learningRate, value);
    return this;
  }

  public AutoencoderNovelty setMaxRows(int value) {
    set(maxRows, value);
    return this;
  }

  public AutoencoderNovelty setPercentile(double value) {
    set(percentile, value);
    return this;
  }

  public AutoencoderNovelty setSeed(long value) {
    set(seed, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    shared.features(this, schema, -1);
    return AutoencoderNoveltyModel.outputSchema(schema, $(shared.outputPrefix));
  }

  @Override
  public AutoencoderNoveltyModel fit(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    FeatureSpace space = shared.features(this, schema, -1);
    double[][] rows =
        TrainingSample.of(
                dataset.toDF(),
                space,
                $(shared.idCol),
                "",
                $(shared.onInvalid).equals("skip"),
                getMaxRows(),
                getSeed())
            .rows();
    if (rows.length < 2) {
      throw new InvalidFeatureException(
          "the autoencoder needs at least 2 training rows; the table gives " + rows.length);
    }
    int d = space.size();
    int[] hidden = $(hiddenSizes).length > 0 ? $(hiddenSizes) : Autoencoder.defaultHidden(d);
    Autoencoder ae =
        Autoencoder.fit(
            rows,
            hidden,
            new Autoencoder.Options(
                getSteps(), (Integer) $(batchSize), (Double) $(learningRate), getSeed()));
    double[] errors = Arrays.stream(rows).mapToDouble(ae::error).toArray();
    AutoencoderNoveltyModel model =
        new AutoencoderNoveltyModel(uid)
            .setAutoencoder(ae)
            .setThreshold(Autoencoder.percentile(errors, getPercentile()))
            .setPercentile(getPercentile())
            .setTrainingRows(rows.length)
            .setTrainingError(Arrays.stream(errors).sum() / rows.length)
            .setFeaturesCols($(shared.featuresCols))
            .setVectorCol($(shared.vectorCol))
            .setIdCol($(shared.idCol))
            .setOutputPrefix($(shared.outputPrefix))
            .setOnInvalid($(shared.onInvalid));
    return model.setParent(this);
  }

  @Override
  public AutoencoderNovelty copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<AutoencoderNovelty> read() {
    return new DefaultParamsReader<>();
  }

  public static AutoencoderNovelty load(String path) {
    return read().load(path);
  }
}
