package io.trustlens.explain.shap;

import io.trustlens.feature.FeatureGroup;
import io.trustlens.model.LinearCoefficients;
import java.util.List;
import org.apache.spark.ml.PredictionModel;

/**
 * Interventional Shapley values of a linear model in closed form (Lundberg and Lee 2017, arXiv
 * 1705.07874, "Linear SHAP"): {@code phi_j = beta_j (x_j - mean_j)} against the background mean, in
 * margin space for logistic regression (outputs as MLlib's raw prediction: {@code [-m, m]} for
 * binary, one margin per class for multinomial).
 *
 * <p>Invariant: values add up to the margin minus the margin at the background mean, exactly.
 */
public final class LinearShap implements RowExplainer {
  private final double[][] coefficients;
  private final double[] intercepts;
  private final double[] mean;
  private final int[][] groups;
  private long evaluations;

  /** Linear SHAP with coefficients (one row per output), intercepts and a background mean. */
  public LinearShap(
      double[][] coefficients, double[] intercepts, double[] mean, List<FeatureGroup> groups) {
    this.coefficients = coefficients;
    this.intercepts = intercepts;
    this.mean = mean;
    this.groups = groups.stream().map(FeatureGroup::slots).toArray(int[][]::new);
  }

  /**
   * Linear SHAP for an MLlib linear or logistic regression model (margins for logistic), or a
   * generalized linear regression (its linear predictor, the link scale).
   */
  public static LinearShap of(
      PredictionModel<?, ?> model, Background background, List<FeatureGroup> groups) {
    LinearCoefficients c = LinearCoefficients.of(model, "LinearSHAP");
    return new LinearShap(c.coefficients(), c.intercepts(), background.mean(), groups);
  }

  @Override
  public ShapleyResult[] explain(double[] x, long key) {
    evaluations++;
    ShapleyResult[] results = new ShapleyResult[coefficients.length];
    for (int k = 0; k < coefficients.length; k++) {
      double[] b = coefficients[k];
      double base = intercepts[k];
      double output = intercepts[k];
      for (int j = 0; j < b.length; j++) {
        base += b[j] * mean[j];
        output += b[j] * x[j];
      }
      double[] values = new double[groups.length];
      for (int g = 0; g < groups.length; g++) {
        for (int slot : groups[g]) {
          values[g] += b[slot] * (x[slot] - mean[slot]);
        }
      }
      results[k] = new ShapleyResult(values, base, output);
    }
    return results;
  }

  @Override
  public long evaluations() {
    return evaluations;
  }
}
