package io.trustlens.uncertainty.calibration;

import io.trustlens.uncertainty.ExactSums;

/**
 * Temperature scaling (Guo et al. 2017, arXiv 1706.04599): one T > 0 for every class, fitted by
 * minimising the negative log-likelihood of softmax(z / T) on the calibration rows.
 *
 * <p>In the inverse temperature β = 1/T the loss L(β) = mean[ln Σ_c exp(β z_c) − β z_y] is convex,
 * with L'(β) = mean[E_p z − z_y] and L''(β) = mean[Var_p z] where p = softmax(β z); Newton's method
 * from β = 1, halving any step that does not lower the loss, converges in a few passes. Each pass
 * is one exact sum over the rows, so T does not depend on the partitioning.
 */
public final class TemperatureFit {
  private static final int MAX_PASSES = 100;

  private TemperatureFit() {}

  /** The fitted temperature T. */
  public static double temperature(LabelledScores data) {
    double beta = 1;
    double[] at = evaluate(data, beta);
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      double gradient = at[1];
      double curvature = at[2];
      if (!(curvature > 0) || gradient == 0) {
        break;
      }
      double step = gradient / curvature;
      double next = Math.max(beta / 10, Math.min(beta * 10, beta - step));
      double[] there = evaluate(data, next);
      while (there[0] > at[0] && Math.abs(next - beta) > 1e-15 * beta) {
        next = (beta + next) / 2;
        there = evaluate(data, next);
      }
      boolean converged = Math.abs(next - beta) <= 1e-12 * beta;
      beta = next;
      at = there;
      if (converged) {
        break;
      }
    }
    if (!(beta > 0) || Double.isInfinite(beta)) {
      throw new IllegalStateException("temperature scaling did not converge (beta " + beta + ")");
    }
    return 1 / beta;
  }

  /** The loss, its derivative and its second derivative at β, means over the rows. */
  static double[] evaluate(LabelledScores data, double beta) {
    ExactSums s =
        data.sum(
            4,
            (z, y, sums) -> {
              double lse = LabelledScores.logSumExp(z, beta);
              double mean = 0;
              double square = 0;
              for (double v : z) {
                double p = Math.exp(beta * v - lse);
                mean += p * v;
                square += p * v * v;
              }
              sums.add(0, lse - beta * z[y]);
              sums.add(1, mean - z[y]);
              sums.add(2, Math.max(0, square - mean * mean));
              sums.add(3, 1);
            });
    double n = s.value(3);
    return new double[] {s.value(0) / n, s.value(1) / n, s.value(2) / n};
  }
}
