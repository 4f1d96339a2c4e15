package io.trustlens.explain.gradient;

/**
 * Outputs and input gradients of a batch of model inputs, row-major.
 *
 * @param outputs {@code inputs × outputWidth}
 * @param gradients {@code inputs × inputSize}: the gradient of each input's target output
 * @param outputWidth outputs per input
 * @param inputSize values per input
 */
public record GradientBatch(double[] outputs, double[] gradients, int outputWidth, int inputSize) {

  /** Output {@code k} of input {@code i}. */
  public double output(int i, int k) {
    return outputs[i * outputWidth + k];
  }

  /** Entry {@code j} of input {@code i}'s gradient. */
  public double gradient(int i, int j) {
    return gradients[i * inputSize + j];
  }
}
