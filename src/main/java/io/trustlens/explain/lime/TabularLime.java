package io.trustlens.explain.lime;

import io.trustlens.feature.RowSeeds;
import io.trustlens.model.BatchModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.OutputKind;
import java.util.Arrays;

/**
 * LIME for tables (Ribeiro et al. 2016, arXiv 1602.04938): each row's neighbourhood drawn by a
 * {@link TabularSampler}, scored by the model in calls of its own batch size (the samples of many
 * rows together, never one Spark row per sample), weighted by the exponential kernel {@code
 * sqrt(exp(-d^2 / width^2))} on the Euclidean distance {@code d} of interpretable values from the
 * row's own (lime's kernel; default width {@code 0.75 sqrt(players)}), and fitted by a {@link
 * LocalSurrogate}. Classifiers are explained in probability, as lime explains {@code
 * predict_proba}; regressors in their output.
 *
 * <p>With {@link #shareSamples()} the samples after each row's first are drawn once from the seed
 * ({@link SharedSamples}) and scored once per instance; a row then costs its own model call and its
 * fit.
 *
 * <p>Invariant: a row's result depends on the row, its key (unless samples are shared), the seed
 * and the model alone.
 */
public final class TabularLime {
  /** Explain the predicted class (the largest output) of each row. */
  public static final int PREDICTED = -1;

  private final BatchModel model;
  private final TabularSampler sampler;
  private final LocalSurrogate surrogate;
  private final double width;
  private final int target;
  private final long seed;
  private long evaluations;
  private boolean shared;
  private SharedSamples sharedSamples;
  private double[] sharedOutputs;

  /** Per output explained: the shared samples' values of it (a softmax each, for logits). */
  private double[][] sharedValues;

  /** The key whose row stream ({@link RowSeeds#random}) the shared samples are drawn from. */
  static final long SHARED_KEY = Long.MIN_VALUE;

  /**
   * Explains output {@code target} (or {@link #PREDICTED}) of {@code model}.
   *
   * @param width the kernel width; 0 or less for lime's default {@code 0.75 sqrt(players)}
   */
  public TabularLime(
      BatchModel model,
      TabularSampler sampler,
      LocalSurrogate surrogate,
      double width,
      int target,
      long seed) {
    ModelInfo info = model.info();
    if (target < PREDICTED || target >= info.outputSize()) {
      throw new IllegalArgumentException(
          "output " + target + " is outside 0.." + (info.outputSize() - 1));
    }
    this.model = model;
    this.sampler = sampler;
    this.surrogate = surrogate;
    this.width = width > 0 ? width : defaultWidth(sampler.players());
    this.target = target;
    this.seed = seed;
  }

  /** lime's default kernel width for {@code players} interpretable features. */
  public static double defaultWidth(int players) {
    return 0.75 * Math.sqrt(players);
  }

  /** The kernel width in use. */
  public double width() {
    return width;
  }

  /**
   * Draws the samples after each row's first once, for every row ({@link SharedSamples}): each
   * row's neighbourhood keeps lime's law, and the rows' draws are the same.
   */
  public TabularLime shareSamples() {
    shared = true;
    return this;
  }

  /** Model evaluations (rows scored) so far. */
  public long evaluations() {
    return evaluations;
  }

  /**
   * One row's explanation: the surrogate's fit, the output explained and the model's value of it at
   * the row.
   */
  public record Result(LocalSurrogate.Fit fit, int target, double output) {}

  /**
   * Rows per call: about 16 of the model's batches of samples, at least one row (with shared
   * samples, one batch of the rows themselves).
   */
  public int rowsPerCall() {
    return Math.max(1, shared ? model.batchRows() : 16 * model.batchRows() / sampler.samples());
  }

  /**
   * Explains {@code n} rows ({@code xs}: {@code n × d}, row-major) keyed by {@code keys}, a model
   * batch of samples at a time: a few rows' samples are drawn, scored and fitted while they are in
   * cache, not all the rows' samples drawn first.
   */
  public Result[] explain(double[] xs, long[] keys, int n) {
    if (shared) {
      return explainShared(xs, n);
    }
    int d = model.info().inputSize();
    int w = model.info().outputSize();
    int s = sampler.samples();
    int group = Math.max(1, Math.min(n, model.batchRows() / s));
    double[] inputs = new double[group * s * d];
    Neighbourhood[] reps = new Neighbourhood[group];
    for (int i = 0; i < group; i++) {
      reps[i] = sampler.neighbourhood();
    }
    double[] kernel = reps[0].isIndicators() ? kernelByDistance(sampler.players()) : null;
    OutputKind kind = model.info().kind();
    double[] probabilities = new double[w];
    double[] y = new double[s];
    double[] weights = new double[s];
    double[] distances = new double[s];
    Result[] results = new Result[n];
    for (int first = 0; first < n; first += group) {
      int rows = Math.min(group, n - first);
      for (int i = 0; i < rows; i++) {
        long key = keys[first + i];
        sampler.sample(xs, (first + i) * d, RowSeeds.random(seed, key), inputs, i * s * d, reps[i]);
      }
      double[] outputs = scoreInChunks(inputs, rows * s, d, w);
      for (int i = 0; i < rows; i++) {
        int t = target(kind, outputs, i * s * w, w);
        for (int k = 0; k < s; k++) {
          y[k] = explained(kind, outputs, (i * s + k) * w, w, t, probabilities);
        }
        results[first + i] = fit(reps[i], y, t, kernel, distances, weights);
      }
    }
    return results;
  }

  /**
   * The output explained for the row scored at {@code offset}: the target, or its predicted class.
   */
  private int target(OutputKind kind, double[] outputs, int offset, int w) {
    if (!kind.isClassification()) {
      return target == PREDICTED ? 0 : target;
    }
    return target == PREDICTED ? (int) kind.predict(outputs, offset, w) : target;
  }

  /** The surrogate fitted to {@code y} on {@code rep}, weighted by the kernel of each distance. */
  private Result fit(
      Neighbourhood rep, double[] y, int t, double[] kernel, double[] distances, double[] weights) {
    rep.distances2(distances);
    for (int k = 0; k < y.length; k++) {
      double d2 = distances[k];
      weights[k] = kernel != null ? kernel[(int) d2] : kernel(d2);
    }
    return new Result(surrogate.fit(rep, y, weights), t, y[0]);
  }

  /**
   * Explains {@code n} rows against the shared samples: drawn and scored on the first call, then
   * each row's own output and interpretable values, and its fit.
   */
  private Result[] explainShared(double[] xs, int n) {
    int d = model.info().inputSize();
    int w = model.info().outputSize();
    int s = sampler.samples();
    if (sharedSamples == null) {
      sharedSamples = sampler.shared(RowSeeds.random(seed, SHARED_KEY));
      double[] inputs = sharedSamples.inputs();
      double[] scored = scoreInChunks(Arrays.copyOfRange(inputs, d, inputs.length), s - 1, d, w);
      sharedOutputs = new double[s * w];
      System.arraycopy(scored, 0, sharedOutputs, w, scored.length);
      sharedValues = new double[w][];
    }
    Neighbourhood rep = sampler.neighbourhood();
    double[] kernel = rep.isIndicators() ? kernelByDistance(sampler.players()) : null;
    OutputKind kind = model.info().kind();
    double[] probabilities = new double[w];
    double[] y = new double[s];
    double[] weights = new double[s];
    double[] distances = new double[s];
    double[] own = scoreInChunks(xs.length == n * d ? xs : Arrays.copyOf(xs, n * d), n, d, w);
    Result[] results = new Result[n];
    for (int i = 0; i < n; i++) {
      int t = target(kind, own, i * w, w);
      if (sharedValues[t] == null) {
        sharedValues[t] = new double[s];
        for (int k = 1; k < s; k++) {
          sharedValues[t][k] = explained(kind, sharedOutputs, k * w, w, t, probabilities);
        }
      }
      System.arraycopy(sharedValues[t], 1, y, 1, s - 1);
      y[0] = explained(kind, own, i * w, w, t, probabilities);
      sampler.neighbourhood(xs, i * d, sharedSamples, rep);
      results[i] = fit(rep, y, t, kernel, distances, weights);
    }
    return results;
  }

  /** The kernel of each whole squared distance 0..{@code players} (indicators differ by 0/1). */
  private double[] kernelByDistance(int players) {
    double[] k = new double[players + 1];
    for (int d2 = 0; d2 <= players; d2++) {
      k[d2] = kernel(d2);
    }
    return k;
  }

  private double[] scoreInChunks(double[] inputs, int rows, int d, int w) {
    int batch = model.batchRows();
    double[] outputs = new double[rows * w];
    for (int start = 0; start < rows; start += batch) {
      int count = Math.min(batch, rows - start);
      double[] part =
          count * d == inputs.length
              ? inputs
              : Arrays.copyOfRange(inputs, start * d, (start + count) * d);
      System.arraycopy(model.outputs(part, count), 0, outputs, start * w, count * w);
    }
    evaluations += rows;
    return outputs;
  }

  private static double explained(
      OutputKind kind, double[] outputs, int offset, int w, int t, double[] probabilities) {
    if (kind == OutputKind.LOGIT) {
      kind.probabilities(outputs, offset, w, probabilities);
      return probabilities[t];
    }
    return outputs[offset + t];
  }

  /** lime's kernel of a sample at squared distance {@code d2} from the row. */
  private double kernel(double d2) {
    return Math.sqrt(Math.exp(-d2 / (width * width)));
  }
}
