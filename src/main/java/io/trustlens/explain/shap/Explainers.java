package io.trustlens.explain.shap;

import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.BatchModel;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.MllibModel;
import java.util.List;

/** The row explainer of each Shapley method for a model opened on an executor. */
public final class Explainers {
  private Explainers() {}

  /**
   * The explainer of {@code method} (exact, kernel, permutation, linear, tree or
   * tree_interventional) for {@code scorer}; one per task thread.
   *
   * @param samples coalitions (kernel) or orders (permutation); 0 or less for the default
   */
  public static RowExplainer of(
      String method,
      BatchModel scorer,
      FeatureSpace features,
      Background background,
      int samples,
      long seed) {
    List<FeatureGroup> groups = features.groups();
    switch (method) {
      case "tree":
        return new TreeShap(TreeEnsemble.of(mllib(scorer).model()), features.size(), groups);
      case "tree_interventional":
        return new InterventionalTreeShap(
            TreeEnsemble.of(mllib(scorer).model()), background, groups);
      case "linear":
        return LinearShap.of(mllib(scorer).model(), background, groups);
      default:
        InterventionalGame game = new InterventionalGame(scorer, background, groups);
        int m = groups.size();
        return switch (method) {
          case "exact" -> new ExactShapley(game);
          case "permutation" ->
              new PermutationShap(
                  game, samples > 0 ? samples : PermutationShap.defaultSamples(), seed);
          default ->
              new KernelShap(game, samples > 0 ? samples : KernelShap.defaultSamples(m), seed);
        };
    }
  }

  private static MllibModel mllib(BatchModel scorer) {
    if (scorer instanceof MllibModel m) {
      return m;
    }
    throw new InvalidModelException(
        "this method needs an MLlib model; " + scorer.info().type() + " is not one");
  }
}
