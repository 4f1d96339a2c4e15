package io.trustlens.job;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The audit-spec keys of the {@code uncertainty} task, and their checks. */
final class UncertaintyKeys {
  /** The calibrators an uncertainty task fits. */
  static final List<String> CALIBRATORS = List.of("temperature", "platt", "isotonic", "none");

  /** The conformal scores, or none. */
  static final List<String> CONFORMAL = List.of("lac", "aps", "absolute", "none");

  /** The keys of per-row measures that need no label. */
  static final List<String> NO_LABEL =
      List.of(
          "mc_dropout",
          "autoencoder",
          "autoencoder_model",
          "bayesian_network",
          "explanation_spread",
          "reference",
          "novelty_percentile",
          "max_unfamiliar");

  private UncertaintyKeys() {}

  /** Whether the task fits a Bayesian network. */
  static boolean bayesian(UncertaintySpec t) {
    return Boolean.TRUE.equals(t.bayesianNetwork);
  }

  /** Whether the task scores rows by an autoencoder. */
  static boolean novelty(UncertaintySpec t) {
    return Boolean.TRUE.equals(t.autoencoder) || t.autoencoderModel != null;
  }

  /** The uncertainty keys set on {@code t}, by YAML name. */
  static Map<String, Object> set(UncertaintySpec t) {
    Map<String, Object> keys = new LinkedHashMap<>();
    keys.put("calibrator", t.calibrator);
    keys.put("bins", t.bins);
    keys.put("binning", t.binning);
    keys.put("calibration_fraction", t.calibrationFraction);
    keys.put("alpha", t.alpha);
    keys.put("conformal", t.conformal);
    keys.put("max_ece", t.maxEce);
    keys.put("min_coverage", t.minCoverage);
    keys.put("mc_dropout", t.mcDropout);
    keys.put("autoencoder", t.autoencoder);
    keys.put("bayesian_network", t.bayesianNetwork);
    keys.put("explanation_spread", t.explanationSpread);
    keys.put("autoencoder_model", t.autoencoderModel);
    keys.put("reference", t.reference);
    keys.put("novelty_percentile", t.noveltyPercentile);
    keys.put("max_unfamiliar", t.maxUnfamiliar);
    keys.values().removeIf(v -> v == null);
    return keys;
  }

  /** The keys that measure against a label: all but those of the per-row spread. */
  private static Map<String, Object> labelKeys(UncertaintySpec t) {
    Map<String, Object> keys = set(t);
    keys.keySet().removeAll(NO_LABEL);
    return keys;
  }

  /** Checks the values of an uncertainty task's keys. */
  static void validate(UncertaintySpec t, String where) {
    String w = where + " (uncertainty)";
    if (t.calibrator != null && !CALIBRATORS.contains(t.calibrator)) {
      throw new SpecException(
          w + ": calibrator is '" + t.calibrator + "'; expected one of " + CALIBRATORS);
    }
    if (t.conformal != null && !CONFORMAL.contains(t.conformal)) {
      throw new SpecException(
          w + ": conformal is '" + t.conformal + "'; expected one of " + CONFORMAL);
    }
    if (t.binning != null && !List.of("equal_width", "equal_mass").contains(t.binning)) {
      throw new SpecException(
          w + ": binning is '" + t.binning + "'; expected equal_width or equal_mass");
    }
    if (t.bins != null && t.bins < 2) {
      throw new SpecException(w + ": bins is " + t.bins + "; a reliability diagram needs >= 2");
    }
    open(w, "calibration_fraction", t.calibrationFraction);
    open(w, "alpha", t.alpha);
    if (t.maxEce != null && !(t.maxEce >= 0 && t.maxEce <= 1)) {
      throw new SpecException(w + ": max_ece is " + t.maxEce + "; expected 0 to 1");
    }
    open(w, "min_coverage", t.minCoverage);
    if (Boolean.FALSE.equals(t.autoencoder)
        || (t.autoencoder != null && t.autoencoderModel != null)) {
      throw new SpecException(
          w
              + ": give autoencoder: true to fit an autoencoder, or autoencoder_model to score"
              + " with a saved one, not both (and not autoencoder: false)");
    }
    if (t.explanationSpread != null
        && !List.of("tree", "kernel", "permutation").contains(t.explanationSpread)) {
      throw new SpecException(
          w
              + ": explanation_spread is '"
              + t.explanationSpread
              + "'; expected tree, kernel or permutation");
    }
    if (Boolean.FALSE.equals(t.bayesianNetwork)) {
      throw new SpecException(w + ": bayesian_network: false; remove the key instead");
    }
    if (!novelty(t) && (t.noveltyPercentile != null || t.maxUnfamiliar != null)) {
      throw new SpecException(
          w
              + ": novelty_percentile and max_unfamiliar belong to the autoencoder; add"
              + " autoencoder: true or remove them");
    }
    if (t.reference != null && !bayesian(t) && !Boolean.TRUE.equals(t.autoencoder)) {
      throw new SpecException(
          w
              + ": reference is the table the autoencoder or the Bayesian network learns; add"
              + " autoencoder: true or bayesian_network: true, or remove it");
    }
    if (t.autoencoderModel != null && t.noveltyPercentile != null) {
      throw new SpecException(
          w
              + ": autoencoder_model is already fitted, so novelty_percentile would go unused;"
              + " remove it");
    }
    if (t.noveltyPercentile != null && !(t.noveltyPercentile > 0 && t.noveltyPercentile < 100)) {
      throw new SpecException(
          w + ": novelty_percentile is " + t.noveltyPercentile + "; expected 0 < p < 100");
    }
    if (t.maxUnfamiliar != null && !(t.maxUnfamiliar >= 0 && t.maxUnfamiliar <= 1)) {
      throw new SpecException(w + ": max_unfamiliar is " + t.maxUnfamiliar + "; expected 0 to 1");
    }
    if (t.mcDropout != null && t.mcDropout < 2) {
      throw new SpecException(
          w + ": mc_dropout is " + t.mcDropout + "; Monte Carlo dropout needs >= 2 passes per row");
    }
    if ("none".equals(t.conformal) && (t.alpha != null || t.minCoverage != null)) {
      throw new SpecException(
          w + ": conformal is none, so alpha and min_coverage would go unused; remove them");
    }
  }

  /**
   * Fails when the task has nothing to measure: one model and no label, or keys that need a label
   * (calibration, conformal sets) without one.
   */
  static void requireLabelOrMembers(UncertaintySpec t, String where, String label, String models) {
    if (t.explanationSpread != null && (models == null || !models.contains(","))) {
      throw new SpecException(
          where
              + " (uncertainty): explanation_spread compares the explanations of an ensemble's"
              + " members; give several models (--model, repeated)");
    }
    if (t.mcDropout != null && models != null && models.contains(",")) {
      throw new SpecException(
          where
              + " (uncertainty): mc_dropout makes passes of one model, and the task names the"
              + " ensemble "
              + models
              + "; measure an ensemble's disagreement without mc_dropout, or give one model");
    }
    if (label != null) {
      return;
    }
    Map<String, Object> keys = labelKeys(t);
    if (!keys.isEmpty()) {
      throw new SpecException(
          where
              + " (uncertainty): "
              + keys.keySet()
              + " calibrate or cover against a label, and the input names none (--label)");
    }
    if (bayesian(t)) {
      throw new SpecException(
          where
              + " (uncertainty): bayesian_network learns the label, and the input names none"
              + " (--label)");
    }
    if (models != null && !models.contains(",") && t.mcDropout == null && !novelty(t)) {
      throw new SpecException(
          where
              + " (uncertainty): with one model the task measures calibration and conformal sets,"
              + " which need the input's label (--label); give several models (--model, repeated)"
              + " to measure their disagreement, --mc-dropout T for a model's Monte Carlo"
              + " dropout passes, or --autoencoder for novelty, without a label");
    }
  }

  private static void open(String where, String key, Double v) {
    if (v != null && !(v > 0 && v < 1)) {
      throw new SpecException(where + ": " + key + " is " + v + "; expected 0 < " + key + " < 1");
    }
  }
}
