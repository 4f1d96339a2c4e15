package io.trustlens.uncertainty;

/**
 * What K draws of one row's prediction say about how sure the model is: the K draws are the members
 * of an ensemble (Lakshminarayanan et al. 2017, arXiv 1612.01474) or K stochastic passes (MC
 * dropout, arXiv 1506.02142). Spark-free; one call per row.
 *
 * <p>For class probabilities {@code p_k} (k = 1..K) with mean {@code p̄}:
 *
 * <ul>
 *   <li>{@code entropy} = H[p̄] = −Σ_c p̄_c ln p̄_c, the predictive entropy (total uncertainty);
 *   <li>{@code expectedEntropy} = (1/K) Σ_k H[p_k] (the aleatoric part);
 *   <li>{@code mutualInformation} = H[p̄] − (1/K) Σ_k H[p_k] ≥ 0, BALD (Houlsby et al. 2011, arXiv
 *       1112.5745): the epistemic part, zero exactly when every draw agrees;
 *   <li>{@code std}: the population standard deviation over draws of the probability of the
 *       predicted class (argmax p̄);
 *   <li>{@code disagreement}: 1 − (votes of the most voted class) / K, the share of draws that do
 *       not vote with the majority (ties go to the lowest class index).
 * </ul>
 *
 * For a regression the draws are values: their mean and population standard deviation. Entropies
 * are in nats; 0 ln 0 is 0.
 */
public final class Spread {
  private Spread() {}

  /**
   * The statistics of one row of a classifier.
   *
   * @param mean p̄, one probability per class
   * @param prediction argmax p̄ (first maximum)
   */
  public record Classification(
      double[] mean,
      int prediction,
      double std,
      double entropy,
      double expectedEntropy,
      double mutualInformation,
      double disagreement) {}

  /** The statistics of one row of a regression. */
  public record Regression(double mean, double std) {}

  /**
   * The spread of {@code draws} probability vectors of one row.
   *
   * @param probabilities {@code draws × classes} values, row-major, each row summing to one
   */
  public static Classification ofProbabilities(double[] probabilities, int draws, int classes) {
    // Means as the first draw plus the mean difference from it: draws that all agree give exactly
    // that draw, so their mutual information, spread and disagreement are exactly zero.
    double[] mean = new double[classes];
    double[] shift = new double[classes];
    double firstEntropy = entropy(probabilities, 0, classes);
    double entropyShift = 0;
    int[] votes = new int[classes];
    for (int k = 0; k < draws; k++) {
      int off = k * classes;
      int vote = 0;
      for (int c = 0; c < classes; c++) {
        double p = probabilities[off + c];
        shift[c] += p - probabilities[c];
        if (p > probabilities[off + vote]) {
          vote = c;
        }
      }
      votes[vote]++;
      entropyShift += entropy(probabilities, off, classes) - firstEntropy;
    }
    for (int c = 0; c < classes; c++) {
      mean[c] = probabilities[c] + shift[c] / draws;
    }
    double expectedEntropy = firstEntropy + entropyShift / draws;
    int prediction = 0;
    int majority = 0;
    for (int c = 1; c < classes; c++) {
      if (mean[c] > mean[prediction]) {
        prediction = c;
      }
      if (votes[c] > votes[majority]) {
        majority = c;
      }
    }
    double variance = 0;
    for (int k = 0; k < draws; k++) {
      double d = probabilities[k * classes + prediction] - mean[prediction];
      variance += d * d;
    }
    double entropy = entropy(mean, 0, classes);
    // Never below zero: H is concave, so H[p̄] ≥ mean H[p_k] up to rounding.
    double information = Math.max(0, entropy - expectedEntropy);
    return new Classification(
        mean,
        prediction,
        Math.sqrt(variance / draws),
        entropy,
        expectedEntropy,
        information,
        1 - (double) votes[majority] / draws);
  }

  /** The mean and population standard deviation of {@code draws} values. */
  public static Regression ofValues(double[] values, int draws) {
    double shift = 0;
    for (int k = 0; k < draws; k++) {
      shift += values[k] - values[0];
    }
    double mean = values[0] + shift / draws;
    double variance = 0;
    for (int k = 0; k < draws; k++) {
      double d = values[k] - mean;
      variance += d * d;
    }
    return new Regression(mean, Math.sqrt(variance / draws));
  }

  /** −Σ p ln p over {@code classes} values from {@code offset}. */
  public static double entropy(double[] p, int offset, int classes) {
    double h = 0;
    for (int c = 0; c < classes; c++) {
      double v = p[offset + c];
      if (v > 0) {
        h -= v * Math.log(v);
      }
    }
    return h;
  }
}
