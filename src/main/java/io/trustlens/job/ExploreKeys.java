package io.trustlens.job;

import io.trustlens.explore.mds.Metric;
import io.trustlens.explore.pca.Pca;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The audit-spec keys of the {@code explore} task: which apply to which method, and checks. */
final class ExploreKeys {
  /** The methods an explore task runs. */
  static final List<String> METHODS = List.of("pca", "mds", "tsne", "knn");

  private ExploreKeys() {}

  /** The explore keys set on {@code t}, by YAML name. */
  private static Map<String, Object> set(ExploreSpec t) {
    Map<String, Object> keys = new LinkedHashMap<>();
    keys.put("components", t.components);
    keys.put("scale", t.scale);
    keys.put("solver", t.solver);
    keys.put("perplexity", t.perplexity);
    keys.put("iterations", t.iterations);
    keys.put("pca_dims", t.pcaDims);
    keys.put("map_rows", t.mapRows);
    keys.put("neighbours", t.neighbours);
    keys.put("search", t.search);
    keys.put("landmarks", t.landmarks);
    keys.put("metric", t.metric);
    keys.put("colour", t.colour);
    keys.put("size", t.size);
    keys.put("shape", t.shape);
    keys.put("plot_sample", t.plotSample);
    keys.put("constant_columns", t.constantColumns);
    keys.values().removeIf(v -> v == null);
    return keys;
  }

  /** Checks an explore task's method and that each key set applies to it. */
  static void validate(ExploreSpec t, String where) {
    String method = t.method == null ? "pca" : t.method;
    TaskKeys.requireMethod(method, METHODS, where, "explore");
    Map<String, List<String>> applies =
        Map.of(
            "pca", List.of("components", "scale", "solver"),
            "mds", List.of("components", "landmarks", "metric"),
            "tsne", List.of("perplexity", "iterations", "pca_dims", "search", "map_rows"),
            "knn", List.of("neighbours", "search", "pca_dims"));
    List<String> common = List.of("colour", "size", "shape", "plot_sample", "constant_columns");
    for (String key : set(t).keySet()) {
      if (!common.contains(key) && !applies.get(method).contains(key)) {
        throw new SpecException(
            where
                + " (explore "
                + method
                + "): the key "
                + key
                + " does not apply; "
                + method
                + " takes "
                + applies.get(method)
                + " and "
                + common);
      }
    }
    check(where, "solver", t.solver, Pca.SOLVERS);
    check(where, "constant_columns", t.constantColumns, List.of("error", "ignore"));
    check(where, "metric", t.metric, Metric.NAMES);
    check(where, "search", t.search, List.of("auto", "exact", "approximate"));
    positive(where, "components", t.components);
    positive(where, "iterations", t.iterations);
    positive(where, "neighbours", t.neighbours);
    positive(where, "landmarks", t.landmarks);
    positive(where, "plot_sample", t.plotSample);
    positive(where, "map_rows", t.mapRows);
    if (t.perplexity != null && !(t.perplexity > 1)) {
      throw new SpecException(where + " (explore): perplexity must be above 1");
    }
    if (t.pcaDims != null && t.pcaDims < 0) {
      throw new SpecException(where + " (explore): pca_dims must be 0 (no reduction) or more");
    }
  }

  private static void check(String where, String key, String value, List<String> allowed) {
    if (value != null && !allowed.contains(value)) {
      throw new SpecException(
          where + " (explore): " + key + " is '" + value + "'; expected one of " + allowed);
    }
  }

  private static void positive(String where, String key, Integer value) {
    if (value != null && value <= 0) {
      throw new SpecException(where + " (explore): " + key + " must be positive");
    }
  }
}
