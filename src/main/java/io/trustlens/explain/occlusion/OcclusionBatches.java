package io.trustlens.explain.occlusion;

import io.trustlens.model.BatchModel;
import io.trustlens.model.ModelInfo;

/**
 * Scores rows and their occluded copies with few model calls, never one Spark row per copy: each
 * row's input and then its copies stream through a buffer of the model's own batch size, which is
 * scored whenever it is full, so memory holds one batch of copies and every call but the last of a
 * batch of rows is full.
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
   * Rows per call when each row has {@code copies} copies: about 32 of the model's batches of
   * inputs (so the last, partly empty batch costs little), within {@link #MAX_VALUES} of rows, at
   * least one row.
   */
  public int rowsPerCall(int copies) {
    long byMemory = MAX_VALUES / Math.max(1, model.info().inputSize());
    long byBatches = (32L * model.batchRows() + copies) / (1 + copies);
    return (int) Math.max(1, Math.min(byMemory, byBatches));
  }

  /** The maps of {@code n} rows ({@code xs}: {@code n × inputSize}, row-major). */
  public OcclusionMap[] explain(Occluder occluder, double[] xs, int n) {
    int d = model.info().inputSize();
    int w = model.info().outputSize();
    int c = occluder.copies();
    int batch = model.batchRows();
    double[] outputs = new double[n * (1 + c) * w];
    double[] buffer = new double[batch * d];
    double[] x = new double[d];
    int filled = 0;
    int scored = 0;
    for (int i = 0; i < n; i++) {
      System.arraycopy(xs, i * d, x, 0, d);
      double[] fill = occluder.fill(x);
      for (int k = -1; k < c; k++) {
        if (k < 0) {
          System.arraycopy(x, 0, buffer, filled * d, d);
        } else {
          occluder.occlude(x, fill, k, buffer, filled * d);
        }
        if (++filled == batch) {
          System.arraycopy(model.outputs(buffer, batch), 0, outputs, scored * w, batch * w);
          scored += batch;
          filled = 0;
        }
      }
    }
    if (filled > 0) {
      System.arraycopy(model.outputs(buffer, filled), 0, outputs, scored * w, filled * w);
    }
    int[] copies = new int[n];
    java.util.Arrays.fill(copies, c);
    OcclusionMap[] drops = fromOutputs(outputs, copies, n);
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
    int total = 0;
    for (int i = 0; i < n; i++) {
      total += 1 + copies[i];
    }
    return fromOutputs(model.outputs(inputs, total), copies, n);
  }

  /** Each row's drops from the outputs of its input and its copies, laid out row after row. */
  private OcclusionMap[] fromOutputs(double[] outputs, int[] copies, int n) {
    int w = model.info().outputSize();
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
