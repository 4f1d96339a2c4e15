package io.trustlens.uncertainty.bayes;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.OutputKind;
import io.trustlens.uncertainty.Draws;
import io.trustlens.uncertainty.FeatureParams;
import io.trustlens.uncertainty.SpreadColumns;
import io.trustlens.uncertainty.SpreadRows;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
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
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link BayesianNeuralNetwork}: each row scored under {@code samples} weight sets drawn
 * from the posterior with {@code seed} (the same sets for every row, so any partitioning gives the
 * same bits), their spread appended as the {@code uncertainty_*} columns. The posterior is made of
 * params, so the model saves, loads and copies like any MLlib model.
 */
public final class BayesianNeuralNetworkModel extends Model<BayesianNeuralNetworkModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final FeatureParams shared;
  private final IntArrayParam layerSizes;
  private final DoubleArrayParam mu;
  private final DoubleArrayParam sigma;
  private final DoubleArrayParam means;
  private final DoubleArrayParam scales;
  private final BooleanParam classifier;
  private final DoubleParam targetMean;
  private final DoubleParam targetScale;
  private final DoubleParam noise;
  private final IntParam samples;
  private final LongParam seed;
  private final LongParam trainingRows;

  public BayesianNeuralNetworkModel() {
    this(Identifiable$.MODULE$.randomUID("bayesianNeuralNetworkModel"));
  }

  public BayesianNeuralNetworkModel(String uid) {
    this.uid = uid; // first: the params below record their parent's uid
    shared = new FeatureParams(this);
    layerSizes = new IntArrayParam(this, "layerSizes", "layer sizes, input to output");
    mu = new DoubleArrayParam(this, "mu", "posterior means, per layer weights then biases");
    sigma = new DoubleArrayParam(this, "sigma", "posterior standard deviations, as mu");
    means = new DoubleArrayParam(this, "means", "the training rows' mean per feature");
    scales = new DoubleArrayParam(this, "scales", "the training rows' standard deviations");
    classifier = new BooleanParam(this, "classifier", "whether the outputs are class logits");
    targetMean = new DoubleParam(this, "targetMean", "a regression target's training mean");
    targetScale = new DoubleParam(this, "targetScale", "a regression target's training sd");
    noise = new DoubleParam(this, "noise", "a regression's learnt observation noise (sd)");
    samples =
        new IntParam(
            this, "samples", "weight draws per row at prediction", ParamValidators.gtEq(2));
    seed = new LongParam(this, "seed", "the seed of the weight draws");
    trainingRows = new LongParam(this, "trainingRows", "rows the network was trained on");
    shared.defaults(this);
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

  public IntArrayParam layerSizes() {
    return layerSizes;
  }

  public DoubleArrayParam mu() {
    return mu;
  }

  public DoubleArrayParam sigma() {
    return sigma;
  }

  public DoubleArrayParam means() {
    return means;
  }

  public DoubleArrayParam scales() {
    return scales;
  }

  public BooleanParam classifier() {
    return classifier;
  }

  public DoubleParam targetMean() {
    return targetMean;
  }

  public DoubleParam targetScale() {
    return targetScale;
  }

  public DoubleParam noise() {
    return noise;
  }

  public IntParam samples() {
    return samples;
  }

  public LongParam seed() {
    return seed;
  }

  public LongParam trainingRows() {
    return trainingRows;
  }

  public int getSamples() {
    return (Integer) $(samples);
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public long getTrainingRows() {
    return (Long) $(trainingRows);
  }

  public double getNoise() {
    return (Double) $(noise);
  }

  public BayesianNeuralNetworkModel setFeaturesCols(String... value) {
    set(shared.featuresCols, value);
    return this;
  }

  public BayesianNeuralNetworkModel setVectorCol(String value) {
    set(shared.vectorCol, value);
    return this;
  }

  public BayesianNeuralNetworkModel setIdCol(String value) {
    set(shared.idCol, value);
    return this;
  }

  public BayesianNeuralNetworkModel setOutputPrefix(String value) {
    set(shared.outputPrefix, value);
    return this;
  }

  public BayesianNeuralNetworkModel setOnInvalid(String value) {
    set(shared.onInvalid, value);
    return this;
  }

  public BayesianNeuralNetworkModel setSamples(int value) {
    set(samples, value);
    return this;
  }

  public BayesianNeuralNetworkModel setSeed(long value) {
    set(seed, value);
    return this;
  }

  public BayesianNeuralNetworkModel setTrainingRows(long value) {
    set(trainingRows, value);
    return this;
  }

  /** Sets the fitted posterior. */
  public BayesianNeuralNetworkModel setPosterior(WeightPosterior q) {
    set(layerSizes, q.sizes());
    set(mu, flat(q.mu()));
    set(sigma, flat(q.sigma()));
    set(means, q.means());
    set(scales, q.scales());
    set(classifier, q.classifier());
    set(targetMean, q.targetMean());
    set(targetScale, q.targetScale());
    set(noise, q.noise());
    return this;
  }

  /** The fitted posterior. */
  public WeightPosterior posterior() {
    int[] sizes = $(layerSizes);
    return new WeightPosterior(
        sizes,
        layers(sizes, $(mu)),
        layers(sizes, $(sigma)),
        $(means),
        $(scales),
        (Boolean) $(classifier),
        (Double) $(targetMean),
        (Double) $(targetScale),
        (Double) $(noise));
  }

  private static double[] flat(double[][] layers) {
    int total = 0;
    for (double[] l : layers) {
      total += l.length;
    }
    double[] out = new double[total];
    int at = 0;
    for (double[] l : layers) {
      System.arraycopy(l, 0, out, at, l.length);
      at += l.length;
    }
    return out;
  }

  private static double[][] layers(int[] sizes, double[] flat) {
    double[][] out = new double[sizes.length - 1][];
    int at = 0;
    for (int l = 0; l < out.length; l++) {
      int n = sizes[l] * sizes[l + 1] + sizes[l + 1];
      if (at + n > flat.length) {
        throw new IllegalStateException("the model's weights do not fill its layers");
      }
      out[l] = java.util.Arrays.copyOfRange(flat, at, at + n);
      at += n;
    }
    return out;
  }

  private List<String> classNames() {
    List<String> names = new ArrayList<>();
    int[] sizes = $(layerSizes);
    for (int c = 0; c < sizes[sizes.length - 1]; c++) {
      names.add("class_" + c);
    }
    return names;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    int d = $(layerSizes)[0];
    FeatureSpace space = shared.features(this, schema, d);
    if (space.size() != d) {
      throw new InvalidFeatureException(
          "the table gives " + space.size() + " features, but the network was trained on " + d);
    }
    return Columns.append(
        schema,
        SpreadColumns.fields(
            $(shared.outputPrefix), (Boolean) $(classifier), classNames(), "weight samples"));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    WeightPosterior q = posterior();
    SpreadRows rows =
        new SpreadRows(
            new PosteriorDraws(q, getSamples(), getSeed()),
            shared.features(this, in, $(layerSizes)[0]),
            in,
            1024,
            $(shared.onInvalid).equals("skip"),
            $(shared.idCol),
            q.classifier(),
            q.classifier() ? q.outputs() : 1);
    return Columns.withMetadata(dataset.toDF().mapPartitions(rows, Encoders.row(out)), out);
  }

  /** The K networks drawn from the posterior; a classifier's logits become probabilities. */
  private record PosteriorDraws(WeightPosterior q, int samples, long seed) implements Draws.Source {
    @Override
    public Draws open() {
      double[][][] sets = q.draw(samples, seed);
      int w = q.outputs();
      int d = q.sizes()[0];
      return new Draws() {
        @Override
        public int count() {
          return samples;
        }

        @Override
        public double[] draw(double[] xs, long[] keys, int n) {
          double[] out = new double[n * samples * w];
          double[] x = new double[d];
          double[] p = new double[w];
          for (int i = 0; i < n; i++) {
            System.arraycopy(xs, i * d, x, 0, d);
            double[] o = q.outputs(x, sets);
            if (q.classifier()) {
              for (int s = 0; s < samples; s++) {
                OutputKind.LOGIT.probabilities(o, s * w, w, p);
                System.arraycopy(p, 0, o, s * w, w);
              }
            }
            System.arraycopy(o, 0, out, i * samples * w, samples * w);
          }
          return out;
        }
      };
    }
  }

  @Override
  public BayesianNeuralNetworkModel copy(ParamMap extra) {
    return copyValues(new BayesianNeuralNetworkModel(uid), extra).setParent(parent());
  }

  public static MLReader<BayesianNeuralNetworkModel> read() {
    return new DefaultParamsReader<>();
  }

  public static BayesianNeuralNetworkModel load(String path) {
    return read().load(path);
  }
}
