package io.trustlens.job;

import io.trustlens.explain.gradient.GradientExplainer;
import io.trustlens.explain.sanity.DataRandomization;
import io.trustlens.explain.shap.ShapExplainer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit-spec keys of the {@code explain} task: the methods (Shapley values and gradient
 * attributions), which key applies to which method, and the check that a key given is used.
 */
final class ExplainKeys {
  /**
   * Every method an explain task runs: Shapley methods, gradient methods, occlusion, the gradient
   * methods' sanity checks, then activation maximization.
   */
  static final List<String> METHODS = methods();

  private static final Map<String, List<String>> APPLIES =
      Map.ofEntries(
          Map.entry("exact", List.of("background", "target", "waterfall_rows")),
          Map.entry("kernel", List.of("samples", "background", "target", "waterfall_rows")),
          Map.entry("permutation", List.of("samples", "background", "target", "waterfall_rows")),
          Map.entry("linear", List.of("background", "target", "waterfall_rows")),
          Map.entry("tree", List.of("target", "waterfall_rows")),
          Map.entry("tree_interventional", List.of("background", "target", "waterfall_rows")),
          Map.entry("saliency", List.of("variant", "target")),
          Map.entry("smoothgrad", List.of("variant", "samples", "noise", "target")),
          Map.entry("integrated_gradients", List.of("steps", "rule", "baseline", "target")),
          Map.entry("guided_backprop", List.of("variant", "target")),
          Map.entry("grad_cam", List.of("layer", "target")),
          Map.entry("attention_rollout", List.of("target")),
          Map.entry("class_attention", List.of("target")),
          Map.entry(
              "occlusion", List.of("patch", "stride", "fill", "fill_value", "ngrams", "target")),
          Map.entry(
              "sanity_checks",
              List.of(
                  "compare",
                  "permuted_model",
                  "background",
                  "rows",
                  "samples",
                  "noise",
                  "steps",
                  "rule",
                  "baseline",
                  "layer",
                  "target")),
          Map.entry("linear_terms", List.of("background", "target")),
          Map.entry("tree_rules", List.of()),
          Map.entry(
              "lime",
              List.of(
                  "samples",
                  "background",
                  "target",
                  "discretize",
                  "neighbourhood",
                  "kernel_width",
                  "selection",
                  "keep",
                  "superpixels",
                  "fill",
                  "fill_value")),
          Map.entry(
              "nearest_examples",
              List.of(
                  "examples",
                  "neighbours",
                  "search",
                  "calibration_fraction",
                  "embedding",
                  "scale")),
          Map.entry(
              "prototype_attention", List.of("examples", "prototypes", "similarity", "embedding")),
          Map.entry(
              "activation_maximization",
              List.of("targets", "steps", "rate", "decay", "jitter", "blur_sigma")));

  private ExplainKeys() {}

  private static List<String> methods() {
    List<String> all = new ArrayList<>(ShapExplainer.METHODS);
    all.addAll(GradientExplainer.METHODS);
    all.add("occlusion");
    all.add("lime");
    all.add("linear_terms");
    all.add("tree_rules");
    all.add("nearest_examples");
    all.add("prototype_attention");
    all.add("sanity_checks");
    all.add("activation_maximization");
    return List.copyOf(all);
  }

  /** Whether {@code method} is a gradient method (else a Shapley method). */
  static boolean isGradient(String method) {
    return GradientExplainer.METHODS.contains(method);
  }

  /** The explain keys set on {@code t}, by YAML name. */
  private static Map<String, Object> set(ExplainSpec t) {
    Map<String, Object> keys = new LinkedHashMap<>();
    keys.put("samples", t.samples);
    keys.put("background", t.background);
    keys.put("target", t.target);
    keys.put("waterfall_rows", t.waterfallRows);
    keys.put("variant", t.variant);
    keys.put("noise", t.noise);
    keys.put("steps", t.steps);
    keys.put("rule", t.rule);
    keys.put("baseline", t.baseline);
    keys.put("layer", t.layer);
    keys.put("patch", t.patch);
    keys.put("stride", t.stride);
    keys.put("fill", t.fill);
    keys.put("fill_value", t.fillValue);
    keys.put("ngrams", t.ngrams);
    keys.put("compare", t.compare);
    keys.put("permuted_model", t.permutedModel);
    keys.put("rows", t.rows);
    keys.put("targets", t.targets);
    keys.put("rate", t.rate);
    keys.put("decay", t.decay);
    keys.put("jitter", t.jitter);
    keys.put("blur_sigma", t.blurSigma);
    keys.put("discretize", t.discretize);
    keys.put("neighbourhood", t.neighbourhood);
    keys.put("kernel_width", t.kernelWidth);
    keys.put("selection", t.selection);
    keys.put("keep", t.keep);
    keys.put("superpixels", t.superpixels);
    keys.put("examples", t.examples);
    keys.put("neighbours", t.neighbours);
    keys.put("search", t.search);
    keys.put("calibration_fraction", t.calibrationFraction);
    keys.put("embedding", t.embedding);
    keys.put("prototypes", t.prototypes);
    keys.put("similarity", t.similarity);
    keys.put("scale", t.scale);
    keys.values().removeIf(v -> v == null);
    return keys;
  }

  /** Checks an explain task's method and that each key set applies to it. */
  static void validate(ExplainSpec t, String where) {
    String method = t.method == null ? "kernel" : t.method;
    TaskKeys.requireMethod(method, METHODS, where, "explain");
    List<String> applies = APPLIES.get(method);
    for (String key : set(t).keySet()) {
      if (!applies.contains(key)) {
        throw new SpecException(
            where
                + " (explain): "
                + key
                + " does not apply to method "
                + method
                + "; it takes "
                + applies);
      }
    }
    for (var count :
        Ordered.map(
                "samples", t.samples == null ? 1 : t.samples,
                "steps", t.steps == null ? 1 : t.steps,
                "patch", t.patch == null ? 1 : t.patch,
                "stride", t.stride == null ? 1 : t.stride,
                "ngrams", t.ngrams == null ? 1 : t.ngrams,
                "keep", t.keep == null ? 1 : t.keep,
                "neighbours", t.neighbours == null ? 1 : t.neighbours)
            .entrySet()) {
      if ((Integer) count.getValue() < 1) {
        throw new SpecException(
            where
                + " (explain): "
                + count.getKey()
                + " is "
                + count.getValue()
                + "; it must be at least 1");
      }
    }
    if ((method.equals("nearest_examples") || method.equals("prototype_attention"))
        && t.examples == null) {
      throw new SpecException(
          where
              + " (explain): "
              + method
              + " needs examples: the training table (a path) its examples come from");
    }
    if (t.superpixels != null) {
      try {
        io.trustlens.explain.lime.Superpixels.parse(t.superpixels);
      } catch (IllegalArgumentException e) {
        throw new SpecException(where + " (explain): " + e.getMessage());
      }
    }
    if (t.search != null && !List.of("auto", "exact", "approximate").contains(t.search)) {
      throw new SpecException(
          where + " (explain): search is '" + t.search + "'; expected auto, exact or approximate");
    }
    if (t.calibrationFraction != null
        && !(t.calibrationFraction > 0 && t.calibrationFraction < 1)) {
      throw new SpecException(
          where
              + " (explain): calibration_fraction is "
              + t.calibrationFraction
              + "; it must be in (0, 1)");
    }
    if (t.prototypes != null
        && !io.trustlens.explain.example.PrototypeAttention.isSpec(t.prototypes)) {
      throw new SpecException(
          where
              + " (explain): prototypes is '"
              + t.prototypes
              + "'; expected kmeans:K, rows:N (N at most "
              + io.trustlens.explain.example.PrototypeAttention.MAX_ROWS
              + ") or class_means");
    }
    if (t.similarity != null && !List.of("dot", "neg_squared_distance").contains(t.similarity)) {
      throw new SpecException(
          where
              + " (explain): similarity is '"
              + t.similarity
              + "'; expected dot or neg_squared_distance");
    }
    if (t.rate != null && !(t.rate > 0 && t.rate < Double.POSITIVE_INFINITY)) {
      throw new SpecException(where + " (explain): rate is " + t.rate + "; it must be > 0");
    }
    if (t.decay != null && !(t.decay >= 0 && t.decay < 1)) {
      throw new SpecException(where + " (explain): decay is " + t.decay + "; it must be in [0, 1)");
    }
    if (t.jitter != null && t.jitter < 0) {
      throw new SpecException(where + " (explain): jitter is " + t.jitter + "; it must be >= 0");
    }
    if (t.blurSigma != null && !(t.blurSigma >= 0 && t.blurSigma < Double.POSITIVE_INFINITY)) {
      throw new SpecException(
          where + " (explain): blur_sigma is " + t.blurSigma + "; it must be >= 0");
    }
    if (t.targets != null && t.targets.isEmpty()) {
      throw new SpecException(where + " (explain): targets lists nothing");
    }
    if (t.rows != null && t.rows < 2) {
      throw new SpecException(
          where + " (explain): rows is " + t.rows + "; sanity checks compare at least 2 rows");
    }
    if (t.compare != null) {
      if (t.compare.isEmpty()) {
        throw new SpecException(where + " (explain): compare lists no method");
      }
      for (String m : t.compare) {
        if (!isGradient(m) && !DataRandomization.METHODS.contains(m)) {
          throw new SpecException(
              where
                  + " (explain): compare names '"
                  + m
                  + "'; sanity checks compare gradient methods "
                  + GradientExplainer.METHODS
                  + " (TorchScript models) or model-agnostic ones "
                  + DataRandomization.METHODS
                  + " (MLlib models)");
        }
      }
    }
    if (t.noise != null && !(t.noise >= 0 && t.noise < Double.POSITIVE_INFINITY)) {
      throw new SpecException(
          where + " (explain): noise is " + t.noise + "; it must be finite and >= 0");
    }
    if (t.fill != null && !List.of("zero", "constant", "mean", "blur").contains(t.fill)) {
      throw new SpecException(
          where + " (explain): fill is '" + t.fill + "'; expected zero, constant, mean or blur");
    }
    if (t.fillValue != null && !"constant".equals(t.fill)) {
      throw new SpecException(where + " (explain): fill_value applies to fill constant only");
    }
    if (t.fillValue != null && !Double.isFinite(t.fillValue)) {
      throw new SpecException(
          where + " (explain): fill_value is " + t.fillValue + "; it must be finite");
    }
    if ("lime".equals(t.method) && t.samples != null && t.samples < 2) {
      throw new SpecException(
          where + " (explain): samples is " + t.samples + "; lime needs at least 2 per row");
    }
    if (t.discretize != null && !List.of("quartile", "none").contains(t.discretize)) {
      throw new SpecException(
          where + " (explain): discretize is '" + t.discretize + "'; expected quartile or none");
    }
    if (t.neighbourhood != null
        && !io.trustlens.explain.lime.LimeExplainer.NEIGHBOURHOODS.contains(t.neighbourhood)) {
      throw new SpecException(
          where
              + " (explain): neighbourhood is '"
              + t.neighbourhood
              + "'; expected per_row or shared");
    }
    if (t.kernelWidth != null && !(t.kernelWidth > 0 && t.kernelWidth < Double.POSITIVE_INFINITY)) {
      throw new SpecException(
          where + " (explain): kernel_width is " + t.kernelWidth + "; it must be > 0");
    }
    if (t.selection != null
        && !io.trustlens.explain.lime.LocalSurrogate.SELECTIONS.contains(t.selection)) {
      throw new SpecException(
          where
              + " (explain): selection is '"
              + t.selection
              + "'; expected one of "
              + io.trustlens.explain.lime.LocalSurrogate.SELECTIONS);
    }
    if (t.keep != null && (t.selection == null || t.selection.equals("none"))) {
      throw new SpecException(
          where
              + " (explain): keep applies to selection highest_weights or lasso; selection none"
              + " keeps every feature");
    }
    if (t.baseline != null && !List.of("zero", "mean", "blur").contains(t.baseline)) {
      throw new SpecException(
          where + " (explain): baseline is '" + t.baseline + "'; expected zero, mean or blur");
    }
  }
}
