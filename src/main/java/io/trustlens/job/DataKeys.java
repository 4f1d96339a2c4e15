package io.trustlens.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The audit-spec keys of the {@code data} task (and {@code profile}): which apply, and checks. */
final class DataKeys {
  /** The methods a data task runs. */
  static final List<String> METHODS = List.of("profile", "missing", "fairness", "drift");

  private DataKeys() {}

  /** The data keys set on {@code t}, by YAML name. */
  private static Map<String, Object> set(DataSpec t) {
    Map<String, Object> keys = new LinkedHashMap<>();
    keys.put("sensitive", t.sensitive);
    keys.put("max_groups", t.maxGroups);
    keys.put("top", t.top);
    keys.put("positive", t.positive);
    keys.put("prediction", t.prediction);
    keys.put("explanations", t.explanations);
    keys.put("reference_explanations", t.referenceExplanations);
    keys.put("max_missing_fraction", t.maxMissingFraction);
    keys.put("max_duplicate_rows", t.maxDuplicateRows);
    keys.put("max_missing_gap", t.maxMissingGap);
    keys.put("max_parity_difference", t.maxParityDifference);
    keys.put("min_parity_ratio", t.minParityRatio);
    keys.put("max_equalized_odds_difference", t.maxEqualizedOddsDifference);
    keys.put("max_psi", t.maxPsi);
    keys.put("bins", t.bins);
    keys.put("reference", t.reference);
    keys.values().removeIf(v -> v == null);
    return keys;
  }

  /** The method a data or profile task runs. */
  static String method(DataSpec t) {
    return t.method == null ? "profile" : t.method;
  }

  /** Checks a data task's method, that each key set applies to it, and the values. */
  static void validate(DataSpec t, String where) {
    String method = method(t);
    TaskKeys.requireMethod(method, METHODS, where, "data");
    String w = where + " (data " + method + ")";
    Map<String, List<String>> applies =
        Map.of(
            "profile", List.of("bins", "top", "max_missing_fraction", "max_duplicate_rows"),
            "missing",
                List.of(
                    "sensitive", "max_groups", "top", "max_missing_fraction", "max_missing_gap"),
            "fairness",
                List.of(
                    "sensitive",
                    "max_groups",
                    "positive",
                    "prediction",
                    "explanations",
                    "max_parity_difference",
                    "min_parity_ratio",
                    "max_equalized_odds_difference"),
            "drift", List.of("reference", "explanations", "reference_explanations", "max_psi"));
    for (String key : set(t).keySet()) {
      if (!applies.get(method).contains(key)) {
        throw new SpecException(
            w
                + ": the key "
                + key
                + " does not apply; "
                + method
                + " takes "
                + applies.get(method));
      }
    }
    if (t.model != null && !List.of("fairness", "drift").contains(method)) {
      throw new SpecException(
          w + ": the key model does not apply; only fairness and drift read a model");
    }
    if (method.equals("fairness")) {
      if (t.sensitive == null || t.sensitive.isEmpty() || t.sensitive.size() > 2) {
        throw new SpecException(
            w + ": sensitive must name one or two columns (two: their intersection too)");
      }
      if (t.model != null && t.prediction != null) {
        throw new SpecException(w + ": give a model or a prediction column, not both");
      }
    }
    if (method.equals("drift")) {
      if (t.reference == null) {
        throw new SpecException(w + ": reference (the table to compare with) is required");
      }
      if ((t.explanations == null) != (t.referenceExplanations == null)) {
        throw new SpecException(
            w + ": explanations and reference_explanations go together (one ranking per table)");
      }
    }
    positive(w, "bins", t.bins);
    positive(w, "top", t.top);
    positive(w, "max_groups", t.maxGroups);
    share(w, "max_missing_fraction", t.maxMissingFraction);
    share(w, "max_duplicate_rows", t.maxDuplicateRows);
    share(w, "max_missing_gap", t.maxMissingGap);
    share(w, "max_parity_difference", t.maxParityDifference);
    share(w, "min_parity_ratio", t.minParityRatio);
    share(w, "max_equalized_odds_difference", t.maxEqualizedOddsDifference);
    if (t.maxPsi != null && !(t.maxPsi >= 0)) {
      throw new SpecException(w + ": max_psi is " + t.maxPsi + "; expected 0 or more");
    }
    if (t.positive != null) {
      try {
        Double.parseDouble(t.positive);
      } catch (NumberFormatException e) {
        throw new SpecException(
            w + ": positive is '" + t.positive + "'; expected the class as a number (0, 1, ...)");
      }
    }
  }

  private static void positive(String where, String key, Integer value) {
    if (value != null && value <= 0) {
      throw new SpecException(where + ": " + key + " must be positive");
    }
  }

  private static void share(String where, String key, Double value) {
    if (value != null && !(value >= 0 && value <= 1)) {
      throw new SpecException(where + ": " + key + " is " + value + "; expected 0 to 1");
    }
  }
}
