package io.trustlens.explain.occlusion;

import io.trustlens.model.BatchModel;
import io.trustlens.model.ModelInfo;

/**
 * Scores rows and their occluded copies with few model calls: each row's input and its copies are
 * laid one after another in one input matrix and scored in one call, which the model splits into
 * its own chunks; never one Spark row per copy.
 *
 * <p>Invariant: a row's drops depend on the row, its copies, the model and the target alone (the
 * models score every row independently of the others in a call).
 */
public final class OcclusionBatches {
  /** Explain the predicted class (the largest output) of each row. */
  public static final int PREDICTED = -1;

  /** Input values per model call at most (32 MB of doubles); one row and its copies always fit. */
  static final int MAX_VALUES = 1 << 22;

  private final BatchModel model;
  private final int target;

  /** Explains output {@code target} of {@code model}, or {@link #PREDICTED}. */
  public OcclusionBatches(BatchModel model, int target) {
    ModelInfo info = model.info();
    if (target < PREDICTED || target >= info.outputSize()) {
      throw new IllegalArgumentException(
          "output " + target + " is outside 0.." + (info.outputSize() - 1));
    }
    this.model = model;
    this.target = target;
  }

  /**
   * Rows per call when each row has {@code copies} copies: about 32 of the model's chunks, within
   * {@link #MAX_VALUES}, at least one row.
   */
  public int rowsPerCall(int copies) {
    long perRow = (long) (1 + copies) * model.info().inputSize();
    long byMemory = MAX_VALUES / Math.max(1, perRow);
    long byChunks = (32L * model.batchRows() + copies) / (1 + copies);
    return (int) Math.max(1, Math.min(byMemory, byChunks));
  }

  /** The maps of {@code n} rows ({@code xs}: {@code n × inputSize}, row-major). */
  public OcclusionMap[] explain(Occluder occluder, double[] xs, int n) {
    int d = model.info().inputSize();
    int c = occluder.copies();
    double[] inputs = new double[n * (1 + c) * d];
    double[] x = new double[d];
    int[] copies = new int[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(xs, i * d, x, 0, d);
      int at = i * (1 + c) * d;
      System.arraycopy(x, 0, inputs, at, d);
      occluder.occlude(x, inputs, at + d);
      copies[i] = c;
    }
    OcclusionMap[] drops = drops(inputs, copies, n);
    for (int i = 0; i < n; i++) {
      OcclusionMap m = drops[i];
      drops[i] = new OcclusionMap(occluder.map(m.values()), m.target(), m.output());
    }
    return drops;
  }

  /**
   * The drops of {@code n} rows whose inputs lie in {@code inputs}: row {@code i}'s own input, then
   * its {@code copies[i]} copies. The values of each result are the drops {@code f(x) - f(copy)} of
   * the explained output, one per copy.
   */
  public OcclusionMap[] drops(double[] inputs, int[] copies, int n) {
    ModelInfo info = model.info();
    int w = info.outputSize();
    int total = 0;
    for (int i = 0; i < n; i++) {
      total += 1 + copies[i];
    }
    double[] outputs = model.outputs(inputs, total);
    OcclusionMap[] result = new OcclusionMap[n];
    int at = 0;
    for (int i = 0; i < n; i++) {
      int t = target == PREDICTED ? predicted(outputs, at * w, w) : target;
      double fx = outputs[at * w + t];
      double[] drop = new double[copies[i]];
      for (int k = 0; k < drop.length; k++) {
        drop[k] = fx - outputs[(at + 1 + k) * w + t];
      }
      result[i] = new OcclusionMap(drop, t, fx);
      at += 1 + copies[i];
    }
    return result;
  }

  /** The largest output (the first on ties); 0 for a single output. */
  private static int predicted(double[] outputs, int offset, int w) {
    int best = 0;
    for (int k = 1; k < w; k++) {
      if (outputs[offset + k] > outputs[offset + best]) {
        best = k;
      }
    }
    return best;
  }
}
