package io.trustlens.job;

/** An audit spec or command line that cannot be run as written. */
public class SpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A problem described by {@code message}, which names the file, line or key. */
  public SpecException(String message) {
    super(message);
  }

  /**
   * " (did you mean 'x'?)" for the key, type or method of {@code known} a user most likely meant by
   * {@code given} ({@link io.trustlens.feature.ColumnNames#closest}), else "".
   */
  static String didYouMean(String given, String[] known) {
    String meant = given == null ? null : io.trustlens.feature.ColumnNames.closest(given, known);
    return meant == null ? "" : " (did you mean '" + meant + "'?)";
  }
}
