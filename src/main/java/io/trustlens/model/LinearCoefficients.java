package io.trustlens.model;

import java.io.Serializable;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.regression.GeneralizedLinearRegressionModel;
import org.apache.spark.ml.regression.LinearRegressionModel;

/**
 * The coefficients of an MLlib linear model, one row per output as MLlib's raw prediction lays them
 * out: a linear regression's prediction; a binary logistic regression's margins {@code [-m, m]}
 * (log-odds of class 1 is {@code m}); a multinomial one's per-class margins; a generalized linear
 * regression's linear predictor (the link scale).
 *
 * @param coefficients per output, per feature slot
 * @param intercepts per output
 * @param logistic whether the margins are log-odds (a logistic regression)
 */
public record LinearCoefficients(double[][] coefficients, double[] intercepts, boolean logistic)
    implements Serializable {

  /** The coefficients of {@code model}, or an error naming what it is instead. */
  public static LinearCoefficients of(PredictionModel<?, ?> model, String method) {
    if (model instanceof LinearRegressionModel m) {
      return new LinearCoefficients(
          new double[][] {m.coefficients().toArray()}, new double[] {m.intercept()}, false);
    }
    if (model instanceof LogisticRegressionModel m) {
      if (m.numClasses() == 2 && !m.getFamily().equals("multinomial")) {
        double[] b = m.coefficients().toArray();
        double[] negative = new double[b.length];
        for (int j = 0; j < b.length; j++) {
          negative[j] = -b[j];
        }
        return new LinearCoefficients(
            new double[][] {negative, b}, new double[] {-m.intercept(), m.intercept()}, true);
      }
      Matrix c = m.coefficientMatrix();
      double[][] rows = new double[c.numRows()][c.numCols()];
      for (int k = 0; k < c.numRows(); k++) {
        for (int j = 0; j < c.numCols(); j++) {
          rows[k][j] = c.apply(k, j);
        }
      }
      return new LinearCoefficients(rows, m.interceptVector().toArray(), true);
    }
    if (model instanceof GeneralizedLinearRegressionModel m) {
      if (m.isDefined(m.offsetCol()) && !m.getOffsetCol().isEmpty()) {
        throw new IllegalArgumentException(
            method
                + " cannot explain a GeneralizedLinearRegression with an offset column ('"
                + m.getOffsetCol()
                + "'): the offset is not a feature; use method kernel or permutation");
      }
      return new LinearCoefficients(
          new double[][] {m.coefficients().toArray()}, new double[] {m.intercept()}, false);
    }
    throw new IllegalArgumentException(
        method
            + " explains MLlib LinearRegression, LogisticRegression and"
            + " GeneralizedLinearRegression models, not "
            + model.getClass().getSimpleName());
  }

  /** The number of outputs. */
  public int outputs() {
    return intercepts.length;
  }

  /** Output {@code k}'s margin at {@code x}. */
  public double margin(int k, double[] x) {
    double m = intercepts[k];
    double[] b = coefficients[k];
    for (int j = 0; j < b.length; j++) {
      m += b[j] * x[j];
    }
    return m;
  }
}
