package io.trustlens.job;

import java.util.List;
import java.util.Map;

/** Checks shared by the key sets of task types ({@link ExplainKeys}, {@link ExploreKeys}). */
final class TaskKeys {
  private TaskKeys() {}

  /** Fails when a task of type {@code type} sets keys of the {@code family} task type. */
  static void requireAbsent(Map<String, Object> keys, String where, String type, String family) {
    if (!keys.isEmpty()) {
      throw new SpecException(
          where + " (" + type + "): " + keys.keySet() + " apply to " + family + " tasks only");
    }
  }

  /** Fails unless {@code method} is one of {@code methods}. */
  static void requireMethod(String method, List<String> methods, String where, String family) {
    if (!methods.contains(method)) {
      throw new SpecException(
          where + " (" + family + "): method is '" + method + "'; expected one of " + methods);
    }
  }
}
