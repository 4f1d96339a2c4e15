package io.trustlens.model;

/**
 * A model that scores many feature rows at once inside the executor's JVM.
 *
 * <p>Rows are passed row-major in one flat array so that explainers can build one large input
 * matrix of perturbations and score it in a single call. Implementations are safe to call from
 * several task threads at once.
 */
public interface BatchModel {

  /** What the model is, reads and outputs. */
  ModelInfo info();

  /**
   * Scores {@code rows} rows.
   *
   * @param inputs {@code rows × info().inputSize()} values, row-major
   * @param rows the number of rows
   */
  Scores score(double[] inputs, int rows);

  /**
   * Rows per call this model scores best: callers that build large batches (explainers) fill whole
   * calls of this many rows. 4,096 by default (a megabyte of 30-feature rows, still in cache).
   */
  default int batchRows() {
    return 4096;
  }

  /**
   * Per input, the thresholds {@code t} (ascending, distinct) of a model that reads the input only
   * through {@code x <= t}, as tree models do: every value of an interval {@code (t[i-1], t[i]]}
   * (and below the first, and above the last) then gives the same outputs, whatever the other
   * inputs. Empty for an input the model does not read; null for an input read otherwise; null
   * altogether (the default) for a model not known to read its inputs so.
   */
  default double[][] splitThresholds() {
    return null;
  }

  /** Scores and returns only the outputs, row-major. */
  default double[] outputs(double[] inputs, int rows) {
    return score(inputs, rows).outputs();
  }
}
