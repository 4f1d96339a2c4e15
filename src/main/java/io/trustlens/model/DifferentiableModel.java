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

  /**
   * This model computing in fixed calls of at most {@code rows} rows, for callers with few rows per
   * call; by default this model itself.
   */
  default DifferentiableModel withBatchRows(int rows) {
    return this;
  }

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
   * Outputs of {@code rows} rows and, for each row, the gradient of its largest output (the first
   * on ties) with respect to its input: saliency of the predicted class. By default an outputs call
   * and then {@link #gradients}; a model may choose the outputs within the gradient pass itself.
   */
  default Gradients gradientsOfLargest(double[] inputs, int rows) {
    double[] outputs = outputs(inputs, rows);
    int w = info().outputSize();
    int[] targets = new int[rows];
    for (int i = 0; i < rows; i++) {
      targets[i] = largestOutput(outputs, i * w, w);
    }
    return gradients(inputs, rows, targets);
  }

  /** The index of the largest of {@code w} outputs from {@code offset} (the first on ties). */
  static int largestOutput(double[] outputs, int offset, int w) {
    int best = 0;
    for (int k = 1; k < w; k++) {
      if (outputs[offset + k] > outputs[offset + best]) {
        best = k;
      }
    }
    return best;
  }

  /**
   * Outputs and, per row, the guided backpropagation map of its output {@code targets[i]}
   * (Springenberg et al. 2014, arXiv 1412.6806): the model must compute it itself, because its
   * ReLUs' backward rule changes.
   *
   * @throws InvalidModelException when the model does not export it
   */
  default Gradients guidedGradients(double[] inputs, int rows, int[] targets) {
    throw new InvalidModelException(
        info().location()
            + " exports no guided_backprop(x, weights) method (the guided map of"
            + " sum(weights * outputs) by x); see the README on what a module exports");
  }

  /**
   * Outputs, the activations of the layer {@code layer} and the gradient of each row's output
   * {@code targets[i]} by them (Grad-CAM's inputs).
   *
   * @throws InvalidModelException when the model does not export the layer
   */
  default LayerGradients layerGradients(String layer, double[] inputs, int rows, int[] targets) {
    throw new InvalidModelException(
        info().location()
            + " exports no "
            + layer
            + "_activations(x) and from_"
            + layer
            + "(a) methods; see the README on what a module exports");
  }

  /**
   * Per row the mean activation of channel {@code units[i]} of the exported layer {@code layer}
   * (over its spatial positions) and its gradient by the input: activation maximization's objective
   * for a unit. The outputs of the returned gradients are these objectives, one per row.
   *
   * @throws InvalidModelException when the model does not export the layer
   */
  default Gradients unitGradients(String layer, double[] inputs, int rows, int[] units) {
    throw new InvalidModelException(
        info().location()
            + " exports no "
            + layer
            + "_activations(x) method; see the README on what a module exports");
  }

  /**
   * Outputs and every layer's attention weights per row, from the module's exported {@code
   * attention(x)}: a Vision Transformer's softmax weights, class token first.
   *
   * @throws InvalidModelException when the model does not export it
   */
  default Attention attention(double[] inputs, int rows) {
    throw new InvalidModelException(
        info().location()
            + " exports no attention(x) method (every layer's attention weights, (N, layers,"
            + " heads, tokens, tokens)); see the README on what a module exports");
  }

  /**
   * Attention weights of a batch.
   *
   * @param outputs {@code rows × outputWidth}
   * @param weights {@code rows × layers × heads × tokens × tokens}, row-major
   * @param shape one row's {@code [layers, heads, tokens, tokens]}
   */
  record Attention(double[] outputs, double[] weights, int[] shape, int outputWidth) {}

  /**
   * A layer's activations and the gradients of the targets by them.
   *
   * @param outputs {@code rows × outputWidth}
   * @param activations {@code rows × size(shape)}, row-major
   * @param gradients same layout as {@code activations}
   * @param shape the shape of one row's activations, such as {@code [channels, height, width]}
   */
  record LayerGradients(
      double[] outputs, double[] activations, double[] gradients, int[] shape, int outputWidth) {}

  /**
   * Outputs and input gradients of a batch.
   *
   * @param outputs {@code rows × outputWidth}, row-major
   * @param gradients {@code rows × inputSize}, row-major: d output[target] / d input
   * @param outputWidth outputs per row
   */
  record Gradients(double[] outputs, double[] gradients, int outputWidth) {}
}
