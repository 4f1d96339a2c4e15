package io.trustlens.job;

import java.util.List;

/**
 * Checks shared by the key sets of task types ({@link ExplainKeys}, {@link ExploreKeys}, {@link
 * DataKeys}). Which keys a task type takes at all is its class's ({@link AuditSpec.Task}).
 */
final class TaskKeys {
  private TaskKeys() {}

  /** Fails unless {@code method} is one of {@code methods}. */
  static void requireMethod(String method, List<String> methods, String where, String family) {
    if (!methods.contains(method)) {
      throw new SpecException(
          where
              + " ("
              + family
              + "): method is '"
              + method
              + "'"
              + SpecException.didYouMean(method, methods.toArray(String[]::new))
              + "; expected one of "
              + methods);
    }
  }
}
