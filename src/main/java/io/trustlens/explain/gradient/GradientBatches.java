package io.trustlens.explain.gradient;

import io.trustlens.model.DifferentiableModel;
import io.trustlens.model.ModelInfo;

/**
 * Runs a {@link GradientMethod} over many rows with few model calls: one forward pass for the rows'
 * own outputs (and their predicted classes), then one gradient call for every input of those rows,
 * which the model splits into its fixed chunks.
 *
 * <p>Invariant: a row's attribution depends on the row, its key, the method and the seed alone, not
 * on the other rows it is batched with (the model's chunks are of a fixed size).
 */
public final class GradientBatches {
  /** Explain the predicted class (the largest output) of each row. */
  public static final int PREDICTED = -1;

  /** Input values per gradient call at most (32 MB of doubles); a row's inputs always fit one. */
  static final int MAX_VALUES = 1 << 22;

  private final DifferentiableModel model;
  private final GradientMethod method;
  private final int target;

  /**
   * Explains output {@code target} of {@code model} (or {@link #PREDICTED}) with {@code method}.
   */
  public GradientBatches(DifferentiableModel model, GradientMethod method, int target) {
    ModelInfo info = model.info();
    if (target == PREDICTED && !info.kind().isClassification() && info.outputSize() > 1) {
      throw new IllegalArgumentException(
          "a regression model with "
              + info.outputSize()
              + " outputs has no predicted class; name the output to explain "
              + info.outputNames());
    }
    if (target < PREDICTED || target >= info.outputSize()) {
      throw new IllegalArgumentException(
          "output " + target + " is outside 0.." + (info.outputSize() - 1));
    }
    this.model = model;
    this.method = method;
    this.target = target;
  }

  /**
   * Rows per call: the count, up to about 32 of the model's chunks and within {@link #MAX_VALUES},
   * whose inputs fill the model's fixed-size chunks best (the last chunk of a call is padded, and
   * padding is work thrown away: 82 SmoothGrad rows of 50 copies would fill 4,100 of 5,120 rows;
   * 512 fill 25 chunks exactly). Among equally full counts the largest is taken.
   */
  public int rowsPerCall() {
    int perRow = method.inputsPerRow();
    int d = model.info().inputSize();
    int chunk = model.batchRows();
    int byMemory = MAX_VALUES / Math.max(1, perRow * d);
    int most = Math.max(1, Math.min(byMemory, (32 * chunk + perRow - 1) / perRow));
    int best = 1;
    double bestFill = 0;
    for (int r = 1; r <= most; r++) {
      long inputs = (long) r * perRow;
      double fill = (double) inputs / (((inputs + chunk - 1) / chunk) * chunk);
      if (fill >= bestFill - 1e-12) {
        best = r;
        bestFill = Math.max(bestFill, fill);
      }
    }
    return best;
  }

  /**
   * Explains {@code n} rows.
   *
   * @param xs the rows' inputs, {@code n × inputSize}, row-major
   * @param keys each row's key for its random draws
   */
  public Attribution[] explain(double[] xs, long[] keys, int n) {
    return explain(xs, keys, n, null);
  }

  /**
   * Explains {@code n} rows, each for its own output.
   *
   * @param targets the output explained per row, or null for this instance's target
   */
  public Attribution[] explain(double[] xs, long[] keys, int n, int[] targets) {
    ModelInfo info = model.info();
    int d = info.inputSize();
    int w = info.outputSize();
    int perRow = method.inputsPerRow();
    if (method.differentiatesTheRow()) {
      return explainInOnePass(xs, n, targets);
    }
    double[] outputs = model.outputs(xs, n);
    int[] rowTarget = new int[n];
    double[] inputs = new double[n * perRow * d];
    int[] inputTargets = new int[n * perRow];
    double[] x = new double[d];
    for (int i = 0; i < n; i++) {
      rowTarget[i] =
          targets != null
              ? targets[i]
              : target == PREDICTED ? predicted(outputs, i * w, w) : target;
      System.arraycopy(xs, i * d, x, 0, d);
      method.inputs(x, keys[i], inputs, i * perRow * d);
      java.util.Arrays.fill(inputTargets, i * perRow, (i + 1) * perRow, rowTarget[i]);
    }
    GradientBatch batch = method.differentiate(model, inputs, n * perRow, inputTargets);
    Attribution[] result = new Attribution[n];
    double[] output = new double[w];
    for (int i = 0; i < n; i++) {
      System.arraycopy(xs, i * d, x, 0, d);
      System.arraycopy(outputs, i * w, output, 0, w);
      result[i] = method.attribute(x, output, rowTarget[i], batch, i * perRow);
    }
    return result;
  }

  /**
   * The attribution of a method that differentiates the row itself, from one gradient pass whose
   * own outputs (the bits of a forward pass) are the rows' outputs and, for the predicted class,
   * choose each row's class: no forward pass first.
   */
  private Attribution[] explainInOnePass(double[] xs, int n, int[] targets) {
    ModelInfo info = model.info();
    int d = info.inputSize();
    int w = info.outputSize();
    int[] given = targets;
    if (given == null && target != PREDICTED) {
      given = new int[n];
      java.util.Arrays.fill(given, target);
    }
    DifferentiableModel.Gradients g =
        given == null ? model.gradientsOfLargest(xs, n) : model.gradients(xs, n, given);
    GradientBatch batch = new GradientBatch(g.outputs(), g.gradients(), g.outputWidth(), d);
    Attribution[] result = new Attribution[n];
    double[] x = new double[d];
    double[] output = new double[w];
    for (int i = 0; i < n; i++) {
      System.arraycopy(xs, i * d, x, 0, d);
      System.arraycopy(g.outputs(), i * w, output, 0, w);
      result[i] =
          method.attribute(x, output, given == null ? predicted(output, 0, w) : given[i], batch, i);
    }
    return result;
  }

  /** Each row's largest output (the first on ties), from {@code outputs} of {@code n} rows. */
  public static int[] predictedClasses(double[] outputs, int n, int w) {
    int[] classes = new int[n];
    for (int i = 0; i < n; i++) {
      classes[i] = predicted(outputs, i * w, w);
    }
    return classes;
  }

  /** The largest output (the first on ties); 0 for a single output. */
  private static int predicted(double[] outputs, int offset, int w) {
    return DifferentiableModel.largestOutput(outputs, offset, w);
  }
}
