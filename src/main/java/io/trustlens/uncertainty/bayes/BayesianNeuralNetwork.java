package io.trustlens.uncertainty.bayes;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.uncertainty.FeatureParams;
import io.trustlens.uncertainty.TrainingSample;
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
 * A Bayesian neural network fitted by Bayes by Backprop (Blundell et al. 2015, arXiv 1505.05424;
 * {@link BayesByBackprop}) as a Spark ML estimator: a classifier (label: class indices 0..C−1) or a
 * regression. Its model scores each row under {@code samples} weight draws and appends their spread
 * (the {@code uncertainty_*} columns).
 *
 * <p>Where it trains: on the driver, over a seeded sample of at most {@code maxRows} rows ({@link
 * TrainingSample}; the same for any partitioning), with {@code steps} minibatch steps of Adam in
 * the JVM ({@link NegativeElbo}).
 */
public final class BayesianNeuralNetwork extends Estimator<BayesianNeuralNetworkModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final FeatureParams shared;
  private final Param<String> labelCol;
  private final Param<String> kind;
  private final IntArrayParam hiddenSizes;
  private final IntParam steps;
  private final IntParam batchSize;
  private final DoubleParam learningRate;
  private final DoubleParam priorSigma;
  private final IntParam samples;
  private final IntParam maxRows;
  private final LongParam seed;

  public BayesianNeuralNetwork() {
    this(Identifiable$.MODULE$.randomUID("bayesianNeuralNetwork"));
  }

  public BayesianNeuralNetwork(String uid) {
    this.uid = uid; // first: the params below record their parent's uid
    shared = new FeatureParams(this);
    labelCol = new Param<>(this, "labelCol", "the label: a class index or a value");
    kind =
        new Param<>(
            this,
            "kind",
            "classification or regression",
            ParamValidators.inArray(new String[] {"classification", "regression"}));
    hiddenSizes = new IntArrayParam(this, "hiddenSizes", "hidden layer sizes");
    steps = new IntParam(this, "steps", "minibatch steps of Adam", ParamValidators.gtEq(1));
    batchSize = new IntParam(this, "batchSize", "rows per minibatch", ParamValidators.gtEq(1));
    learningRate =
        new DoubleParam(this, "learningRate", "Adam's learning rate", ParamValidators.gt(0));
    priorSigma =
        new DoubleParam(
            this,
            "priorSigma",
            "the standard deviation of the Gaussian prior on every weight",
            ParamValidators.gt(0));
    samples =
        new IntParam(
            this, "samples", "weight draws per row at prediction", ParamValidators.gtEq(2));
    maxRows =
        new IntParam(
            this,
            "maxRows",
            "most training rows (a seeded sample beyond)",
            ParamValidators.gtEq(2));
    seed = new LongParam(this, "seed", "the seed of the sample, the fit and the weight draws");
    shared.defaults(this);
    setDefault(labelCol, "label");
    setDefault(kind, "classification");
    setDefault(hiddenSizes, new int[] {32});
    setDefault(steps, 3000);
    setDefault(batchSize, 64);
    setDefault(learningRate, 3e-3);
    setDefault(priorSigma, 1.0);
    setDefault(samples, 30);
    setDefault(maxRows, 100_000);
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

  public Param<String> labelCol() {
    return labelCol;
  }

  public Param<String> kind() {
    return kind;
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

  public DoubleParam priorSigma() {
    return priorSigma;
  }

  public IntParam samples() {
    return samples;
  }

  public IntParam maxRows() {
    return maxRows;
  }

  public LongParam seed() {
    return seed;
  }

  public String getLabelCol() {
    return $(labelCol);
  }

  public String getKind() {
    return $(kind);
  }

  public int getSteps() {
    return (Integer) $(steps);
  }

  public int getSamples() {
    return (Integer) $(samples);
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public BayesianNeuralNetwork setFeaturesCols(String... value) {
    set(shared.featuresCols, value);
    return this;
  }

  public BayesianNeuralNetwork setVectorCol(String value) {
    set(shared.vectorCol, value);
    return this;
  }

  public BayesianNeuralNetwork setIdCol(String value) {
    set(shared.idCol, value);
    return this;
  }

  public BayesianNeuralNetwork setOutputPrefix(String value) {
    set(shared.outputPrefix, value);
    return this;
  }

  public BayesianNeuralNetwork setOnInvalid(String value) {
    set(shared.onInvalid, value);
    return this;
  }

  public BayesianNeuralNetwork setLabelCol(String value) {
    set(labelCol, value);
    return this;
  }

  public BayesianNeuralNetwork setKind(String value) {
    set(kind, value);
    return this;
  }

  public BayesianNeuralNetwork setHiddenSizes(int... value) {
    set(hiddenSizes, value);
    return this;
  }

  public BayesianNeuralNetwork setSteps(int value) {
    set(steps, value);
    return this;
  }

  public BayesianNeuralNetwork setBatchSize(int value) {
    set(batchSize, value);
    return this;
  }

  public BayesianNeuralNetwork setLearningRate(double value) {
    set(learningRate, value);
    return this;
  }

  public BayesianNeuralNetwork setPriorSigma(double value) {
    set(priorSigma, value);
    return this;
  }

  public BayesianNeuralNetwork setSamples(int value) {
    set(samples, value);
    return this;
  }

  public BayesianNeuralNetwork setMaxRows(int value) {
    set(maxRows, value);
    return this;
  }

  public BayesianNeuralNetwork setSeed(long value) {
    set(seed, value);
    return this;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    shared.features(this, schema, -1);
    if (schema.getFieldIndex($(labelCol)).isEmpty()) {
      throw new InvalidFeatureException("unknown label column '" + $(labelCol) + "'");
    }
    return schema;
  }

  @Override
  public BayesianNeuralNetworkModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    FeatureSpace space = shared.features(this, dataset.schema(), -1);
    TrainingSample sample =
        TrainingSample.of(
            dataset.toDF(),
            space,
            $(shared.idCol),
            $(labelCol),
            $(shared.onInvalid).equals("skip"),
            (Integer) $(maxRows),
            getSeed());
    if (sample.rows().length < 2) {
      throw new InvalidFeatureException(
          "a Bayesian network needs at least 2 training rows; the table gives "
              + sample.rows().length);
    }
    boolean classifier = getKind().equals("classification");
    int classes = 0;
    if (classifier) {
      for (double y : sample.labels()) {
        if (y != Math.rint(y) || y < 0 || y > 10_000) {
          throw new InvalidFeatureException(
              "label '" + $(labelCol) + "' has " + y + "; a classifier needs class indices 0..C-1");
        }
        classes = Math.max(classes, (int) y + 1);
      }
      classes = Math.max(classes, 2);
      if (classes > 100) {
        throw new InvalidFeatureException(
            "label '"
                + $(labelCol)
                + "' has values up to "
                + (classes - 1)
                + ": a classifier of "
                + classes
                + " classes; for a numeric target set kind regression");
      }
    }
    WeightPosterior q =
        BayesByBackprop.fit(
            sample.rows(),
            sample.labels(),
            classes,
            $(hiddenSizes),
            new BayesByBackprop.Options(
                getSteps(),
                (Integer) $(batchSize),
                (Double) $(learningRate),
                (Double) $(priorSigma),
                Double.NaN,
                getSeed()));
    BayesianNeuralNetworkModel model =
        new BayesianNeuralNetworkModel(uid)
            .setPosterior(q)
            .setSamples(getSamples())
            .setSeed(getSeed())
            .setTrainingRows(sample.rows().length)
            .setFeaturesCols($(shared.featuresCols))
            .setVectorCol($(shared.vectorCol))
            .setIdCol($(shared.idCol))
            .setOutputPrefix($(shared.outputPrefix))
            .setOnInvalid($(shared.onInvalid));
    return model.setParent(this);
  }

  @Override
  public BayesianNeuralNetwork copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<BayesianNeuralNetwork> read() {
    return new DefaultParamsReader<>();
  }

  public static BayesianNeuralNetwork load(String path) {
    return read().load(path);
  }
}
