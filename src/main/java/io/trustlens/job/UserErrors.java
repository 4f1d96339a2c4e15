package io.trustlens.job;

import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.InvalidModelException;

/** Turns an exception, possibly wrapped by Spark's task failure, into a message for the user. */
final class UserErrors {
  private UserErrors() {}

  /** The most specific message in the cause chain. */
  static String message(Throwable error) {
    if (error instanceof TaskFailure) {
      return error.getMessage(); // the task's name, then its cause's most specific message
    }
    Throwable last = error;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof InvalidFeatureException
          || t instanceof InvalidModelException
          || t instanceof SpecException
          || t instanceof io.trustlens.uncertainty.InvalidScoresException) {
        return t.getMessage();
      }
      last = t;
    }
    String message = last.getMessage();
    return message == null ? last.toString() : message;
  }
}
