package io.trustlens.model;

/** A model that is missing, corrupt, of an unsupported kind, or unfit for the data. */
public class InvalidModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A problem described by {@code message}. */
  public InvalidModelException(String message) {
    super(message);
  }

  /** A problem described by {@code message}, caused by {@code cause}. */
  public InvalidModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
