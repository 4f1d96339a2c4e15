package io.trustlens.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.classification.ClassificationModel;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.GeneralizedLinearRegressionModel;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressionModel;

/**
 * An MLlib {@link PredictionModel} on a vector, scored in the JVM without building DataFrames.
 *
 * <p>Outputs are what {@code transform} writes: class probabilities for a probabilistic classifier,
 * raw scores for other classifiers, the value for a regressor. Predictions follow MLlib's own rule
 * (thresholds when set, otherwise the raw prediction), so they equal {@code transform}'s {@code
 * prediction} column exactly.
 */
public final class MllibModel implements BatchModel, Serializable {
  private static final long serialVersionUID = 1L;

  private final PredictionModel<Vector, ?> model;
  private final ModelInfo info;

  /** Rows a tree model descends together: their inputs and the trees stay in cache. */
  private static final int BLOCK = 64;

  /** A tree model's flat arrays, built once per JVM on first use (after a broadcast, say). */
  private transient volatile CompiledTrees trees;

  private transient volatile boolean compiled;

  private MllibModel(PredictionModel<Vector, ?> model, ModelInfo info) {
    this.model = model;
    this.info = info;
  }

  /** Wraps a fitted MLlib model that reads a vector of {@code numFeatures} values. */
  @SuppressWarnings("unchecked")
  public static MllibModel of(PredictionModel<?, ?> model, String location) {
    int numFeatures = model.numFeatures();
    if (numFeatures <= 0) {
      throw new IllegalArgumentException(
          "MLlib model at " + location + " does not record how many features it reads");
    }
    List<String> names = new ArrayList<>();
    OutputKind kind;
    if (model instanceof ClassificationModel<?, ?> c) {
      kind =
          model instanceof ProbabilisticClassificationModel<?, ?>
              ? OutputKind.PROBABILITY
              : OutputKind.LOGIT;
      for (int k = 0; k < c.numClasses(); k++) {
        names.add("class_" + k);
      }
    } else {
      kind = OutputKind.REGRESSION;
      names.add("prediction");
    }
    ModelInfo info =
        new ModelInfo(
            location,
            model.getClass().getSimpleName(),
            new int[] {numFeatures},
            List.copyOf(names),
            kind,
            capabilities(model));
    return new MllibModel((PredictionModel<Vector, ?>) model, info);
  }

  private static Set<Capability> capabilities(PredictionModel<?, ?> model) {
    Set<Capability> caps = EnumSet.noneOf(Capability.class);
    if (model instanceof DecisionTreeClassificationModel
        || model instanceof DecisionTreeRegressionModel
        || model instanceof RandomForestClassificationModel
        || model instanceof RandomForestRegressionModel
        || model instanceof GBTClassificationModel
        || model instanceof GBTRegressionModel) {
      caps.add(Capability.TREE_ENSEMBLE);
    }
    if (model instanceof LogisticRegressionModel
        || model instanceof LinearRegressionModel
        || model instanceof GeneralizedLinearRegressionModel g
            && !(g.isDefined(g.offsetCol()) && !g.getOffsetCol().isEmpty())) {
      caps.add(Capability.LINEAR); // a GLR's offset is not a feature: not linear in them alone
    }
    return caps;
  }

  /** The wrapped MLlib model. */
  public PredictionModel<Vector, ?> model() {
    return model;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  /** The compiled trees of a tree model, else null; built by the first caller in this JVM. */
  CompiledTrees trees() {
    if (!compiled) {
      synchronized (this) {
        if (!compiled) {
          trees = CompiledTrees.of(model);
          compiled = true;
        }
      }
    }
    return trees;
  }

  /** A tree model's split thresholds per feature ({@link CompiledTrees#splitThresholds}). */
  @Override
  public double[][] splitThresholds() {
    CompiledTrees compiledTrees = trees();
    return compiledTrees == null ? null : compiledTrees.splitThresholds(info.inputSize());
  }

  @Override
  public Scores score(double[] inputs, int rows) {
    CompiledTrees compiledTrees = trees();
    if (compiledTrees != null) {
      return scoreTrees(compiledTrees, inputs, rows, true);
    }
    int d = info.inputSize();
    int w = info.outputSize();
    double[] outputs = new double[rows * w];
    double[] predictions = new double[rows];
    boolean thresholds =
        model.hasParam("thresholds") && model.isDefined(model.getParam("thresholds"));
    // One vector reused for every row: MLlib's predict methods read it and keep nothing, and
    // scoring millions of perturbations should not allocate millions of arrays.
    double[] row = new double[d];
    Vector v = Vectors.dense(row);
    for (int i = 0; i < rows; i++) {
      System.arraycopy(inputs, i * d, row, 0, d);
      if (model instanceof ProbabilisticClassificationModel<Vector, ?> p) {
        Vector raw = p.predictRaw(v);
        Vector probability = p.raw2probability(raw);
        copy(probability, outputs, i * w);
        predictions[i] = thresholds ? p.probability2prediction(probability) : p.raw2prediction(raw);
      } else if (model instanceof ClassificationModel<Vector, ?> c) {
        Vector raw = c.predictRaw(v);
        copy(raw, outputs, i * w);
        predictions[i] = c.raw2prediction(raw);
      } else {
        predictions[i] = model.predict(v);
        outputs[i] = predictions[i];
      }
    }
    return new Scores(outputs, predictions, w);
  }

  /**
   * The outputs alone, as {@link #score} gives them: a tree model's rows then need no prediction
   * (what explainers score by the million), and a GBT classifier's probabilities are computed in
   * place of MLlib's per-row vectors.
   */
  @Override
  public double[] outputs(double[] inputs, int rows) {
    CompiledTrees compiledTrees = trees();
    return compiledTrees != null
        ? scoreTrees(compiledTrees, inputs, rows, false).outputs()
        : score(inputs, rows).outputs();
  }

  /**
   * Scores a tree model from its flat arrays: the raw output equals MLlib's bit for bit, and
   * MLlib's own methods turn it into probabilities and predictions (predictions only when {@code
   * predict}), except a GBT classifier's probabilities, computed here as MLlib's {@code
   * raw2probabilityInPlace} computes them: {@code p0 = 1 / (1 + exp(-2 raw0))} (its logistic loss's
   * {@code computeProbability} of {@code raw0 = -margin}) and {@code p1 = 1 - p0}, the same
   * operations on the same values, so the same bits.
   */
  private Scores scoreTrees(
      CompiledTrees compiledTrees, double[] inputs, int rows, boolean predict) {
    int d = info.inputSize();
    int w = info.outputSize();
    int r = compiledTrees.outputs();
    double[] outputs = new double[rows * w];
    double[] predictions = new double[rows];
    double[] raw = new double[BLOCK * r];
    CompiledTrees.Workspace space = compiledTrees.workspace(Math.min(BLOCK, rows));
    double[] one = new double[r];
    Vector rawVector = Vectors.dense(one); // wraps one: refilled for every row
    boolean thresholds =
        model.hasParam("thresholds") && model.isDefined(model.getParam("thresholds"));
    ProbabilisticClassificationModel<Vector, ?> p =
        model instanceof ProbabilisticClassificationModel<Vector, ?> c ? c : null;
    boolean gbt = model instanceof GBTClassificationModel;
    for (int start = 0; start < rows; start += BLOCK) {
      int n = Math.min(BLOCK, rows - start);
      compiledTrees.rawBlock(inputs, start * d, n, d, raw, space);
      for (int i = 0; i < n; i++) {
        int row = start + i;
        if (p != null) {
          System.arraycopy(raw, i * r, one, 0, r);
          if (gbt) {
            double p0 = 1.0 / (1.0 + Math.exp(-2.0 * one[0]));
            outputs[2 * row] = p0;
            outputs[2 * row + 1] = 1.0 - p0;
          } else {
            copy(p.raw2probability(rawVector), outputs, row * w);
          }
          if (predict) {
            predictions[row] =
                thresholds
                    ? p.probability2prediction(
                        Vectors.dense(Arrays.copyOfRange(outputs, row * w, (row + 1) * w)))
                    : p.raw2prediction(rawVector);
          }
        } else {
          predictions[row] = raw[i];
          outputs[row] = raw[i];
        }
      }
    }
    return new Scores(outputs, predictions, w);
  }

  private static void copy(Vector v, double[] dest, int offset) {
    for (int k = 0; k < v.size(); k++) {
      dest[offset + k] = v.apply(k);
    }
  }
}
