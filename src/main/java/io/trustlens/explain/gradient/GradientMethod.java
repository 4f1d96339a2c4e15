package io.trustlens.explain.gradient;

import io.trustlens.model.DifferentiableModel;

/**
 * One gradient attribution method, Spark-free: the inputs whose gradients it needs for a row, and
 * how those gradients become the row's map. The model is called by {@link GradientBatches}, many
 * rows at once.
 */
public interface GradientMethod extends java.io.Serializable {

  /** How many inputs are differentiated per row. */
  int inputsPerRow();

  /**
   * Writes the row's {@link #inputsPerRow()} inputs, row-major, into {@code dest} from {@code
   * offset}.
   *
   * @param x the row's input
   * @param key the row's key: random draws depend on it and the seed alone
   */
  void inputs(double[] x, long key, double[] dest, int offset);

  /**
   * What the model computes for the inputs of many rows: by default their outputs and input
   * gradients. {@code targets} holds each input's output to differentiate.
   */
  default GradientBatch differentiate(
      DifferentiableModel model, double[] inputs, int count, int[] targets) {
    DifferentiableModel.Gradients g = model.gradients(inputs, count, targets);
    return new GradientBatch(g.outputs(), g.gradients(), g.outputWidth(), model.info().inputSize());
  }

  /**
   * Whether the method's one input per row is the row itself, differentiated through {@link
   * DifferentiableModel#gradients} (saliency): then the predicted class can be chosen within the
   * gradient pass ({@link DifferentiableModel#gradientsOfLargest}), with no forward pass before it.
   */
  default boolean differentiatesTheRow() {
    return false;
  }

  /** Channels of a row's map over an image of {@code image}'s shape: by default the input's. */
  default int mapChannels(io.trustlens.feature.ImageShape image) {
    return image.channels();
  }

  /**
   * The row's attribution.
   *
   * @param x the row's input
   * @param output the row's outputs at {@code x}
   * @param target the output explained
   * @param batch outputs and gradients of the inputs {@link #inputs} wrote
   * @param first the index of the row's first input in {@code batch}
   */
  Attribution attribute(double[] x, double[] output, int target, GradientBatch batch, int first);
}
