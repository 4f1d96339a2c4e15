package io.trustlens.uncertainty.dropout;

import io.trustlens.model.InvalidModelException;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.ModelSource;
import io.trustlens.model.OutputKind;
import io.trustlens.uncertainty.Draws;
import io.trustlens.uncertainty.SpreadStage;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.SparkSession;

/**
 * Monte Carlo dropout per row (Gal and Ghahramani 2016, arXiv 1506.02142) as a Spark ML stage: T
 * passes of a TorchScript model that exports {@code forward_mc(x, noise)} ({@link
 * io.trustlens.model.MonteCarloModel}), batched inside {@code mapPartitions} on the executor's one
 * copy of the model; the T predictions become the {@code uncertainty_*} columns of {@link
 * SpreadStage}. A row's passes depend on (seed, row key) alone ({@link McDropout}), so any
 * partitioning and any number of concurrent tasks give the same bits.
 */
public final class McDropoutUncertainty extends SpreadStage<McDropoutUncertainty> {
  private static final long serialVersionUID = 1L;

  private final Param<String> modelPath;
  private final IntParam passes;
  private final LongParam seed;
  private transient LoadedModel loaded;

  public McDropoutUncertainty() {
    this(Identifiable$.MODULE$.randomUID("mcDropoutUncertainty"));
  }

  public McDropoutUncertainty(String uid) {
    super(uid);
    modelPath =
        new Param<>(this, "modelPath", "a TorchScript file that exports forward_mc(x, noise)");
    passes =
        new IntParam(
            this, "passes", "stochastic passes per row, T (>= 2)", ParamValidators.gtEq(2));
    seed = new LongParam(this, "seed", "the seed of the dropout noise");
    setDefault(modelPath, "");
    setDefault(passes, 30);
    setDefault(seed, 42L);
  }

  public Param<String> modelPath() {
    return modelPath;
  }

  public IntParam passes() {
    return passes;
  }

  public LongParam seed() {
    return seed;
  }

  public String getModelPath() {
    return $(modelPath);
  }

  public int getPasses() {
    return (Integer) $(passes);
  }

  public long getSeed() {
    return (Long) $(seed);
  }

  public McDropoutUncertainty setModelPath(String value) {
    set(modelPath, value);
    return this;
  }

  public McDropoutUncertainty setPasses(int value) {
    set(passes, value);
    return this;
  }

  public McDropoutUncertainty setSeed(long value) {
    set(seed, value);
    return this;
  }

  /** The model, loaded on the driver once per stage and checked for Monte Carlo dropout. */
  @Override
  public LoadedModel model() {
    String path = $(modelPath);
    if (path.isEmpty()) {
      throw new InvalidModelException("Monte Carlo dropout needs a model: set modelPath");
    }
    if (loaded == null || !loaded.info().location().equals(path)) {
      LoadedModel m = new ModelLoader(SparkSession.active()).load(path, -1, OutputKind.LOGIT);
      m.source().checkMonteCarlo();
      loaded = m;
    }
    return loaded;
  }

  @Override
  protected Draws.Source draws() {
    return new PassDraws(model().source(), getPasses(), getSeed());
  }

  @Override
  protected String drawName() {
    return "passes";
  }

  @Override
  public McDropoutUncertainty copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<McDropoutUncertainty> read() {
    return new DefaultParamsReader<>();
  }

  public static McDropoutUncertainty load(String path) {
    return read().load(path);
  }

  /** Each pass of a row is one draw; a classifier's outputs become probabilities per pass. */
  private record PassDraws(ModelSource source, int passes, long seed) implements Draws.Source {
    @Override
    public Draws open() {
      McDropout dropout = new McDropout(source.openMonteCarlo(), passes, seed);
      OutputKind kind = dropout.info().kind();
      int w = dropout.info().outputSize();
      return new Draws() {
        @Override
        public int count() {
          return passes;
        }

        @Override
        public double[] draw(double[] xs, long[] keys, int n) {
          double[] out = dropout.outputs(xs, keys, n);
          if (!kind.isClassification()) {
            return out;
          }
          double[] p = new double[w];
          for (int r = 0; r < n * passes; r++) {
            kind.probabilities(out, r * w, w, p);
            System.arraycopy(p, 0, out, r * w, w);
          }
          return out;
        }
      };
    }
  }
}
