package io.trustlens.uncertainty;

/**
 * Scores or labels that cannot be measured or calibrated: probabilities outside [0, 1] or not
 * summing to one, a label the model does not know, too few rows, a column of the wrong type.
 */
public final class InvalidScoresException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidScoresException(String message) {
    super(message);
  }
}
