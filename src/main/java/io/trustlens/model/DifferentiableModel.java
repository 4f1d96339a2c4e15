package io.trustlens.model;

/**
 * A model that gives the gradient of one output per row with respect to that row's input, many rows
 * per call. Safe to call from several task threads at once; a row's result does not depend on the
 * other rows of its call.
 */
public interface DifferentiableModel {

  /** What the model is, reads and outputs. */
  ModelInfo info();

  /** Rows per call this model computes best; callers that batch fill whole calls. */
  int batchRows();

  /** The outputs alone of {@code rows} rows, row-major ({@code rows × outputs}). */
  double[] outputs(double[] inputs, int rows);

  /**
   * Outputs of {@code rows} rows and, for each row, the gradient of its output {@code targets[i]}
   * with respect to its input.
   *
   * @param inputs {@code rows × info().inputSize()} values, row-major
   * @param rows the number of rows
   * @param targets the output differentiated, per row
   */
  Gradients gradients(double[] inputs, int rows, int[] targets);

  /**
   * Outputs and input gradients of a batch.
   *
   * @param outputs {@code rows × outputWidth}, row-major
   * @param gradients {@code rows × inputSize}, row-major: d output[target] / d input
   * @param outputWidth outputs per row
   */
  record Gradients(double[] outputs, double[] gradients, int outputWidth) {}
}
