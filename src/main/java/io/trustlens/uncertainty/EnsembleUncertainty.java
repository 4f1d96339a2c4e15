package io.trustlens.uncertainty;

import io.trustlens.model.BatchModel;
import io.trustlens.model.EnsembleModel;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.ModelSource;
import io.trustlens.model.OutputKind;
import io.trustlens.model.Scores;
import java.util.List;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.SparkSession;

/**
 * Ensemble disagreement per row (deep ensembles, Lakshminarayanan et al. 2017, arXiv 1612.01474): K
 * models (MLlib and TorchScript, mixed allowed) score every row in one pass, batched inside {@code
 * mapPartitions}, each member opened once per executor; {@link Spread} turns the K predictions into
 * the {@code uncertainty_*} columns of {@link SpreadStage}. Every input is a param, so the stage
 * copies, saves and loads like any MLlib stage.
 */
public final class EnsembleUncertainty extends SpreadStage<EnsembleUncertainty> {
  private static final long serialVersionUID = 1L;

  private final StringArrayParam modelPaths;
  private transient LoadedModel loaded;

  public EnsembleUncertainty() {
    this(Identifiable$.MODULE$.randomUID("ensembleUncertainty"));
  }

  public EnsembleUncertainty(String uid) {
    super(uid);
    modelPaths =
        new StringArrayParam(
            this, "modelPaths", "the members: saved MLlib models or TorchScript files (>= 2)");
    setDefault(modelPaths, new String[0]);
  }

  public StringArrayParam modelPaths() {
    return modelPaths;
  }

  public String[] getModelPaths() {
    return $(modelPaths);
  }

  public EnsembleUncertainty setModelPaths(String... value) {
    set(modelPaths, value);
    return this;
  }

  /** The members, loaded on the driver once per stage. */
  @Override
  public LoadedModel model() {
    loaded = members($(modelPaths), loaded, "ensemble disagreement");
    return loaded;
  }

  /**
   * The ensemble of {@code paths}: {@code loaded} when it holds them, else loaded anew.
   *
   * @param what what needs the members, for the error when there are fewer than two
   */
  static LoadedModel members(String[] paths, LoadedModel loaded, String what) {
    if (paths.length < 2) {
      throw new InvalidModelException(
          what + " needs at least two models; modelPaths has " + paths.length);
    }
    if (loaded != null && loaded.info().location().equals(String.join(",", paths))) {
      return loaded;
    }
    return new ModelLoader(SparkSession.active()).loadAll(List.of(paths), -1, OutputKind.LOGIT);
  }

  @Override
  protected Draws.Source draws() {
    return new MemberDraws(model().source());
  }

  @Override
  protected String drawName() {
    return "members";
  }

  @Override
  public EnsembleUncertainty copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<EnsembleUncertainty> read() {
    return new DefaultParamsReader<>();
  }

  public static EnsembleUncertainty load(String path) {
    return read().load(path);
  }

  /** Each member's prediction of a row is one draw. */
  private record MemberDraws(ModelSource ensemble) implements Draws.Source {
    @Override
    public Draws open() {
      EnsembleModel model = (EnsembleModel) ensemble.open();
      List<BatchModel> members = model.members();
      boolean classifier = model.info().kind().isClassification();
      int width = classifier ? model.info().outputSize() : 1;
      int k = members.size();
      return new Draws() {
        @Override
        public int count() {
          return k;
        }

        @Override
        public double[] draw(double[] xs, long[] keys, int n) {
          List<Scores> scores = model.scoreMembers(xs, n);
          double[] draws = new double[n * k * width];
          double[] p = new double[width];
          for (int m = 0; m < k; m++) {
            OutputKind kind = members.get(m).info().kind();
            double[] out = scores.get(m).outputs();
            for (int i = 0; i < n; i++) {
              int at = (i * k + m) * width;
              if (classifier) {
                kind.probabilities(out, i * width, width, p);
                System.arraycopy(p, 0, draws, at, width);
              } else {
                draws[at] = out[i];
              }
            }
          }
          return draws;
        }
      };
    }
  }
}
