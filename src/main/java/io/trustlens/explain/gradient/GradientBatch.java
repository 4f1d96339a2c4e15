package io.trustlens.explain.gradient;

/**
 * Outputs and gradients of a batch of model inputs, row-major: by default gradients by the inputs;
 * for methods that differentiate by a layer (Grad-CAM), gradients by that layer's activations,
 * which the batch then also holds.
 *
 * @param outputs {@code inputs × outputWidth}
 * @param gradients {@code inputs × width}: the gradient of each input's target output
 * @param outputWidth outputs per input
 * @param width gradient values per input (the input size, or the layer's)
 * @param activations the layer's activations, same layout as {@code gradients}; null for input
 *     gradients
 * @param layerShape the shape of one input's activations; null for input gradients
 */
public record GradientBatch(
    double[] outputs,
    double[] gradients,
    int outputWidth,
    int width,
    double[] activations,
    int[] layerShape) {

  /** Input gradients: no activations. */
  public GradientBatch(double[] outputs, double[] gradients, int outputWidth, int width) {
    this(outputs, gradients, outputWidth, width, null, null);
  }

  /** Output {@code k} of input {@code i}. */
  public double output(int i, int k) {
    return outputs[i * outputWidth + k];
  }

  /** Entry {@code j} of input {@code i}'s gradient. */
  public double gradient(int i, int j) {
    return gradients[i * width + j];
  }

  /** Entry {@code j} of input {@code i}'s activations. */
  public double activation(int i, int j) {
    return activations[i * width + j];
  }
}
