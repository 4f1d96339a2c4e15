package io.trustlens.explain.sanity;

import io.trustlens.explain.occlusion.FeatureOcclusion;
import io.trustlens.explain.occlusion.Fill;
import io.trustlens.explain.occlusion.OcclusionBatches;
import io.trustlens.explain.occlusion.OcclusionMap;
import io.trustlens.explain.shap.Background;
import io.trustlens.explain.shap.Explainers;
import io.trustlens.explain.shap.RowExplainer;
import io.trustlens.explain.shap.ShapleyResult;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.BatchModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The data randomization check of Adebayo et al. 2018 (arXiv 1810.03292) for model-agnostic
 * explanations of any {@link BatchModel}: each method's per-row attributions under the trained
 * model and under the same estimator fitted on permuted labels, compared by Spearman's rank
 * correlation of their magnitudes. A method whose attributions stay alike explains the data, not
 * what the model learnt from its labels.
 *
 * <p>There is no cascading check here: an MLlib model has no stack of layers to re-initialise.
 *
 * <p>Invariants: every row explains the same output under both models (a fixed class, or the class
 * the trained model predicts for it), with the same background and the same (seed, row key) draws,
 * so the only difference between the two maps of a row is the model.
 */
public final class DataRandomization {
  /** The methods compared: the Shapley methods and feature occlusion. */
  public static final List<String> METHODS =
      List.of(
          "exact", "kernel", "permutation", "linear", "tree", "tree_interventional", "occlusion");

  private DataRandomization() {}

  /**
   * Compares every method's attributions of {@code xs} under {@code trained} and {@code permuted}.
   *
   * @param methods names from {@link #METHODS}
   * @param background the rows features are dropped to (Shapley) or whose mean fills them
   *     (occlusion)
   * @param xs the rows, {@code n × features}
   * @param keys the rows' keys (random draws of sampling methods)
   * @param targets per row the output explained, the same under both models
   * @param samples coalitions or orders of the sampling methods; 0 or less for their defaults
   * @return per method, the per-row Spearman correlations (variant: the data check)
   */
  public static List<SanityChecks.Result> run(
      BatchModel trained,
      BatchModel permuted,
      List<String> methods,
      FeatureSpace features,
      Background background,
      double[] xs,
      long[] keys,
      int[] targets,
      int samples,
      long seed) {
    SanityChecks.Variant data = new SanityChecks.Variant(SanityChecks.DATA, 0, "permuted labels");
    List<SanityChecks.Result> results = new ArrayList<>();
    for (String method : methods) {
      double[][] a =
          attributions(method, trained, features, background, xs, keys, targets, samples, seed);
      double[][] b =
          attributions(method, permuted, features, background, xs, keys, targets, samples, seed);
      int n = keys.length;
      double[] spearman = new double[n];
      double[] ssim = new double[n];
      for (int i = 0; i < n; i++) {
        spearman[i] = Similarity.spearman(abs(a[i]), abs(b[i]));
        ssim[i] = Double.NaN;
      }
      results.add(new SanityChecks.Result(data, method, spearman, ssim, abs(b[0])));
    }
    return results;
  }

  /** The attributions of each row by {@code method} of its target output: [row][player]. */
  static double[][] attributions(
      String method,
      BatchModel model,
      FeatureSpace features,
      Background background,
      double[] xs,
      long[] keys,
      int[] targets,
      int samples,
      long seed) {
    int n = keys.length;
    int d = features.size();
    double[][] maps = new double[n][];
    if (method.equals("occlusion")) {
      FeatureOcclusion occlusion =
          new FeatureOcclusion(features.groups(), Fill.values(background.mean()));
      // The batched core, once per output explained (a fixed one, or few predicted classes).
      for (int t : java.util.Arrays.stream(targets).distinct().toArray()) {
        int[] rows = java.util.stream.IntStream.range(0, n).filter(i -> targets[i] == t).toArray();
        double[] some = new double[rows.length * d];
        for (int r = 0; r < rows.length; r++) {
          System.arraycopy(xs, rows[r] * d, some, r * d, d);
        }
        OcclusionMap[] found = new OcclusionBatches(model, t).explain(occlusion, some, rows.length);
        for (int r = 0; r < rows.length; r++) {
          maps[rows[r]] = found[r].values();
        }
      }
      return maps;
    }
    RowExplainer explainer = Explainers.of(method, model, features, background, samples, seed);
    for (int i = 0; i < n; i++) {
      ShapleyResult[] r =
          explainer.explain(java.util.Arrays.copyOfRange(xs, i * d, (i + 1) * d), keys[i]);
      maps[i] = r[targets[i]].values();
    }
    return maps;
  }

  private static double[] abs(double[] v) {
    double[] a = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      a[i] = Math.abs(v[i]);
    }
    return a;
  }
}
