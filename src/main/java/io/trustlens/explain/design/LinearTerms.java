package io.trustlens.explain.design;

import io.trustlens.feature.FeatureGroup;
import io.trustlens.model.LinearCoefficients;
import java.io.Serializable;
import java.util.List;

/**
 * A linear model's prediction read as its terms (the model is its own explanation): for the output
 * explained, per feature (a one-hot group sums its slots) the term {@code b_j x_j} and the term
 * against the reference mean {@code b_j (x_j - mean_j)} (Linear SHAP's values, Lundberg and Lee
 * 2017, arXiv 1705.07874), the intercept and the margin; for logistic regression each centred
 * term's odds ratio {@code exp(b_j (x_j - mean_j))}, the factor by which the feature multiplies the
 * odds against a row at the mean.
 *
 * <p>Invariants: {@code intercept + sum(terms) = margin}; {@code sum(centred) = margin -
 * margin(mean)}; the product of the odds ratios is {@code exp(sum(centred))}.
 */
public final class LinearTerms implements Serializable {
  private static final long serialVersionUID = 1L;

  private final LinearCoefficients model;
  private final double[] mean;
  private final int[][] groups;

  /** Terms of {@code model} against the reference {@code mean}, summed per group. */
  public LinearTerms(LinearCoefficients model, double[] mean, List<FeatureGroup> groups) {
    int d = model.coefficients()[0].length;
    if (mean.length != d) {
      throw new IllegalArgumentException(
          "the reference mean has " + mean.length + " values; the model reads " + d);
    }
    this.model = model;
    this.mean = mean.clone();
    this.groups = groups.stream().map(FeatureGroup::slots).toArray(int[][]::new);
  }

  /**
   * One row's reading of output {@code k}.
   *
   * @param terms per group, {@code sum b_j x_j}
   * @param centred per group, {@code sum b_j (x_j - mean_j)}
   * @param intercept the output's intercept
   * @param margin the output's margin (log-odds for a binary logistic regression's class 1)
   * @param output the output explained
   */
  public record Reading(
      double[] terms, double[] centred, double intercept, double margin, int output) {

    /** Each centred term's odds ratio, {@code exp(centred)}. */
    public double[] oddsRatios() {
      double[] r = new double[centred.length];
      for (int g = 0; g < r.length; g++) {
        r[g] = Math.exp(centred[g]);
      }
      return r;
    }
  }

  /** The number of outputs. */
  public int outputs() {
    return model.outputs();
  }

  /** Whether the margins are log-odds. */
  public boolean logistic() {
    return model.logistic();
  }

  /** The reading of row {@code x}'s output {@code k}, or its largest margin's when k is -1. */
  public Reading read(double[] x, int k) {
    int out = k >= 0 ? k : largest(x);
    double[] b = model.coefficients()[out];
    double[] terms = new double[groups.length];
    double[] centred = new double[groups.length];
    for (int g = 0; g < groups.length; g++) {
      for (int slot : groups[g]) {
        terms[g] += b[slot] * x[slot];
        centred[g] += b[slot] * (x[slot] - mean[slot]);
      }
    }
    return new Reading(terms, centred, model.intercepts()[out], model.margin(out, x), out);
  }

  private int largest(double[] x) {
    int best = 0;
    for (int k = 1; k < model.outputs(); k++) {
      if (model.margin(k, x) > model.margin(best, x)) {
        best = k;
      }
    }
    return best;
  }
}
