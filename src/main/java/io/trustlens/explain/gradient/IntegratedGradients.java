package io.trustlens.explain.gradient;

import java.util.List;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegrator;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegratorFactory;

/**
 * Integrated Gradients (Sundararajan et al. 2017, arXiv 1703.01365): {@code IG_j = (x_j − x'_j) ∫₀¹
 * ∂f(x' + α(x − x'))/∂x_j dα} against a {@link Baseline} {@code x'}, the integral by the trapezoid
 * rule over {@code steps} equal intervals ({@code steps + 1} points, both ends included) or by
 * {@code steps}-point Gauss-Legendre quadrature (Captum's default).
 *
 * <p>Invariants: completeness, {@code Σ_j IG_j = f(x) − f(x')}, holds up to the quadrature error,
 * which every row reports as its gap {@code Σ_j IG_j − (f(x) − f(x'))}; the weights of the rule sum
 * to 1, so a model linear along the path has no gap but rounding.
 */
public final class IntegratedGradients implements GradientMethod {
  /** The quadrature rules, the default first. */
  public static final List<String> RULES = List.of("gauss_legendre", "trapezoid");

  /** Points on the path by default. */
  public static final int DEFAULT_STEPS = 50;

  private final Baseline baseline;
  private final double[] alphas;
  private final double[] weights;
  private final boolean trapezoid;

  /**
   * IG against {@code baseline} with {@code steps} points of {@code rule}, one of {@link #RULES}.
   */
  public IntegratedGradients(Baseline baseline, int steps, String rule) {
    if (steps < 1) {
      throw new IllegalArgumentException("integrated gradients needs steps >= 1; got " + steps);
    }
    this.baseline = baseline;
    switch (rule) {
      case "trapezoid" -> {
        trapezoid = true;
        alphas = new double[steps + 1];
        weights = new double[steps + 1];
        for (int k = 0; k <= steps; k++) {
          alphas[k] = (double) k / steps;
          weights[k] = (k == 0 || k == steps ? 0.5 : 1.0) / steps;
        }
      }
      case "gauss_legendre" -> {
        trapezoid = false;
        GaussIntegrator nodes = new GaussIntegratorFactory().legendre(steps, 0, 1);
        alphas = new double[steps];
        weights = new double[steps];
        for (int k = 0; k < steps; k++) {
          alphas[k] = nodes.getPoint(k);
          weights[k] = nodes.getWeight(k);
        }
      }
      default ->
          throw new IllegalArgumentException(
              "integrated gradients rule is '" + rule + "'; expected one of " + RULES);
    }
  }

  /**
   * The path points, then (Gauss-Legendre, whose nodes exclude the ends) the baseline itself, whose
   * output the gap needs; the trapezoid's first point is the baseline.
   */
  @Override
  public int inputsPerRow() {
    return trapezoid ? alphas.length : alphas.length + 1;
  }

  @Override
  public void inputs(double[] x, long key, double[] dest, int offset) {
    double[] x0 = baseline.of(x);
    int d = x.length;
    for (int k = 0; k < alphas.length; k++) {
      double a = alphas[k];
      for (int j = 0; j < d; j++) {
        dest[offset + k * d + j] = x0[j] + a * (x[j] - x0[j]);
      }
    }
    if (!trapezoid) {
      System.arraycopy(x0, 0, dest, offset + alphas.length * d, d);
    }
  }

  @Override
  public Attribution attribute(
      double[] x, double[] output, int target, GradientBatch batch, int first) {
    double[] x0 = baseline.of(x);
    int d = x.length;
    double[] ig = new double[d];
    for (int k = 0; k < alphas.length; k++) {
      for (int j = 0; j < d; j++) {
        ig[j] += weights[k] * batch.gradient(first + k, j);
      }
    }
    double sum = 0;
    for (int j = 0; j < d; j++) {
      ig[j] *= x[j] - x0[j];
      sum += ig[j];
    }
    double fx = output[target];
    double fx0 = batch.output(trapezoid ? first : first + alphas.length, target);
    return new Attribution(ig, target, fx, fx0, sum - (fx - fx0));
  }

  @Override
  public String toString() {
    return "integrated_gradients("
        + (trapezoid ? "trapezoid" : "gauss_legendre")
        + ", "
        + (trapezoid ? alphas.length - 1 : alphas.length)
        + " steps)";
  }
}
