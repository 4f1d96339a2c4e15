package io.trustlens.uncertainty.calibration;

import io.trustlens.uncertainty.ExactSums;
import java.io.Serializable;

/**
 * The calibration rows a calibrator is fitted on: per row the class logits (log-probabilities when
 * the model gives probabilities) and the label. Fitting asks only for exact sums of per-row terms,
 * so the same fitter runs over an array in a test and over a cached Spark table.
 */
public interface LabelledScores {

  /** Classes per row. */
  int classes();

  /** Exact sums of {@code terms} over every row. */
  ExactSums sum(int size, Terms terms);

  /** What one row adds to the sums. */
  @FunctionalInterface
  interface Terms extends Serializable {
    void add(double[] logits, int label, ExactSums sums);
  }

  /** Rows held in memory. */
  static LabelledScores of(double[][] logits, int[] labels) {
    return new LabelledScores() {
      @Override
      public int classes() {
        return logits[0].length;
      }

      @Override
      public ExactSums sum(int size, Terms terms) {
        ExactSums sums = new ExactSums(size);
        for (int i = 0; i < labels.length; i++) {
          terms.add(logits[i], labels[i], sums);
        }
        return sums;
      }
    };
  }

  /** ln Σ exp(β z_c), computed without overflow. */
  static double logSumExp(double[] z, double beta) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, beta * v);
    }
    double sum = 0;
    for (double v : z) {
      sum += Math.exp(beta * v - max);
    }
    return max + Math.log(sum);
  }
}
