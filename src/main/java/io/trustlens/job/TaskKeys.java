package io.trustlens.job;

import java.util.List;
import java.util.Map;

/**
 * Checks shared by the key sets of task types ({@link ExplainKeys}, {@link ExploreKeys}, {@link
 * DataKeys}).
 */
final class TaskKeys {
  private TaskKeys() {}

  /**
   * Keys two task types both take, by the pair: explain's nearest examples search neighbours as
   * explore's knn does, and hold out a calibration share as uncertainty does; data's profile has
   * histogram bins and its drift a reference table, as uncertainty has bins and a reference.
   */
  private static final Map<String, List<String>> SHARED =
      Map.of(
          "explain+explore", List.of("neighbours", "search", "scale"),
          "explain+uncertainty", List.of("calibration_fraction"),
          "data+uncertainty", List.of("bins", "reference"),
          "profile+uncertainty", List.of("bins"));

  /** Fails when a task of type {@code type} sets keys of the {@code family} task type. */
  static void requireAbsent(Map<String, Object> keys, String where, String type, String family) {
    keys = new java.util.LinkedHashMap<>(keys);
    for (var pair : SHARED.entrySet()) {
      if (pair.getKey().equals(type + "+" + family) || pair.getKey().equals(family + "+" + type)) {
        keys.keySet().removeAll(pair.getValue());
      }
    }
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
