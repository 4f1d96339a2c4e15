package io.trustlens.explain.shap;

import io.trustlens.feature.FeatureGroup;
import java.util.List;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.regression.GeneralizedLinearRegressionModel;
import org.apache.spark.ml.regression.LinearRegressionModel;

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
    double[] mean = background.mean();
    if (model instanceof LinearRegressionModel m) {
      return new LinearShap(
          new double[][] {m.coefficients().toArray()}, new double[] {m.intercept()}, mean, groups);
    }
    if (model instanceof LogisticRegressionModel m) {
      if (m.numClasses() == 2 && !m.getFamily().equals("multinomial")) {
        double[] b = m.coefficients().toArray();
        double[] negative = new double[b.length];
        for (int j = 0; j < b.length; j++) {
          negative[j] = -b[j];
        }
        return new LinearShap(
            new double[][] {negative, b},
            new double[] {-m.intercept(), m.intercept()},
            mean,
            groups);
      }
      Matrix c = m.coefficientMatrix();
      double[][] rows = new double[c.numRows()][c.numCols()];
      for (int k = 0; k < c.numRows(); k++) {
        for (int j = 0; j < c.numCols(); j++) {
          rows[k][j] = c.apply(k, j);
        }
      }
      return new LinearShap(rows, m.interceptVector().toArray(), mean, groups);
    }
    if (model instanceof GeneralizedLinearRegressionModel m) {
      if (m.isDefined(m.offsetCol()) && !m.getOffsetCol().isEmpty()) {
        throw new IllegalArgumentException(
            "LinearSHAP cannot explain a GeneralizedLinearRegression with an offset column ('"
                + m.getOffsetCol()
                + "'): the offset is not a feature; use method kernel or permutation");
      }
      // The linear predictor eta = b.x + intercept, the link scale (the prediction is the
      // inverse link of it): Shapley values of a linear function, exactly.
      return new LinearShap(
          new double[][] {m.coefficients().toArray()}, new double[] {m.intercept()}, mean, groups);
    }
    throw new IllegalArgumentException(
        "LinearSHAP explains MLlib LinearRegression, LogisticRegression and"
            + " GeneralizedLinearRegression models, not "
            + model.getClass().getSimpleName());
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
