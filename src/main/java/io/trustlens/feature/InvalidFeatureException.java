package io.trustlens.feature;

/** A row or column whose features a model cannot read: null, NaN, wrong type or wrong size. */
public class InvalidFeatureException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A problem described by {@code message}. */
  public InvalidFeatureException(String message) {
    super(message);
  }
}
