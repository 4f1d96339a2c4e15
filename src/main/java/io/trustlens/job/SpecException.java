package io.trustlens.job;

/** An audit spec or command line that cannot be run as written. */
public class SpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A problem described by {@code message}, which names the file, line or key. */
  public SpecException(String message) {
    super(message);
  }
}
