package io.trustlens.model;

/**
 * The result of scoring a batch: outputs row-major and one prediction per row.
 *
 * @param outputs {@code rows × width} values, row-major
 * @param predictions one class index or regression value per row
 * @param width outputs per row
 */
public record Scores(double[] outputs, double[] predictions, int width) {

  /** The number of rows scored. */
  public int rows() {
    return predictions.length;
  }
}
