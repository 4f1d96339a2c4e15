package io.trustlens.job;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps for {@code summary.json} whose keys keep the order written: {@code Map.of} iterates in an
 * order that changes from one JVM to the next, so the same run would write its keys differently.
 */
final class Ordered {
  private Ordered() {}

  /** A map of {@code keysAndValues} (key, value, key, value, ...) in that order. */
  static Map<String, Object> map(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("keys and values come in pairs");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
