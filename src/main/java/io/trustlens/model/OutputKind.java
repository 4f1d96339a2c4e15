package io.trustlens.model;

/**
 * What a model's outputs mean, which decides how a prediction and probabilities follow from them.
 */
public enum OutputKind {
  /** Class probabilities that sum to one. */
  PROBABILITY,
  /** Unnormalised class scores; probabilities are their softmax. */
  LOGIT,
  /** One real value per row. */
  REGRESSION;

  /** Whether the outputs are per-class scores. */
  public boolean isClassification() {
    return this != REGRESSION;
  }

  /** The predicted class index (first maximum) or value of one row's outputs. */
  public double predict(double[] outputs, int offset, int width) {
    if (this == REGRESSION) {
      return outputs[offset];
    }
    int best = 0;
    for (int k = 1; k < width; k++) {
      if (outputs[offset + k] > outputs[offset + best]) {
        best = k;
      }
    }
    return best;
  }

  /** Class probabilities of one row's outputs, written to {@code dest}. */
  public void probabilities(double[] outputs, int offset, int width, double[] dest) {
    if (this == PROBABILITY) {
      System.arraycopy(outputs, offset, dest, 0, width);
      return;
    }
    if (this != LOGIT) {
      throw new IllegalStateException("a regression model has no class probabilities");
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < width; k++) {
      max = Math.max(max, outputs[offset + k]);
    }
    double sum = 0;
    for (int k = 0; k < width; k++) {
      dest[k] = Math.exp(outputs[offset + k] - max);
      sum += dest[k];
    }
    for (int k = 0; k < width; k++) {
      dest[k] /= sum;
    }
  }
}
