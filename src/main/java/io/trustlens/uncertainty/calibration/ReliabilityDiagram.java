package io.trustlens.uncertainty.calibration;

/**
 * Predicted probability against observed frequency, bin by bin, for one curve: the top label
 * (confidence = the largest probability, outcome = the prediction is right) or one class against
 * the rest (confidence = that class's probability, outcome = the label is that class).
 *
 * <p>ECE = Σ_b (n_b / n) |frequency_b − confidence_b| (Naeini et al. 2015; Guo et al. 2017, arXiv
 * 1706.04599); MCE = the largest |frequency_b − confidence_b| over non-empty bins.
 *
 * @param curve "top label" or the class's name
 * @param lower each bin's lower edge (0 for the first)
 * @param upper each bin's upper edge (1 for the last)
 * @param counts rows per bin
 * @param confidence mean predicted probability per bin (NaN when empty)
 * @param frequency observed frequency of the outcome per bin (NaN when empty)
 */
public record ReliabilityDiagram(
    String curve,
    double[] lower,
    double[] upper,
    long[] counts,
    double[] confidence,
    double[] frequency) {

  /** A diagram from per-bin sums of confidences and outcomes. */
  static ReliabilityDiagram of(
      String curve, double[] edges, long[] counts, double[] confidenceSums, double[] outcomeSums) {
    int bins = counts.length;
    double[] lower = new double[bins];
    double[] upper = new double[bins];
    double[] confidence = new double[bins];
    double[] frequency = new double[bins];
    for (int b = 0; b < bins; b++) {
      lower[b] = b == 0 ? 0 : edges[b - 1];
      upper[b] = b == bins - 1 ? 1 : edges[b];
      confidence[b] = counts[b] == 0 ? Double.NaN : confidenceSums[b] / counts[b];
      frequency[b] = counts[b] == 0 ? Double.NaN : outcomeSums[b] / counts[b];
    }
    return new ReliabilityDiagram(curve, lower, upper, counts, confidence, frequency);
  }

  /** The rows in all bins. */
  public long rows() {
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    return n;
  }

  /** Expected calibration error: the count-weighted mean gap between frequency and confidence. */
  public double ece() {
    double n = rows();
    double e = 0;
    for (int b = 0; b < counts.length; b++) {
      if (counts[b] > 0) {
        e += counts[b] / n * Math.abs(frequency[b] - confidence[b]);
      }
    }
    return e;
  }

  /** Maximum calibration error: the largest gap of a non-empty bin. */
  public double mce() {
    double m = 0;
    for (int b = 0; b < counts.length; b++) {
      if (counts[b] > 0) {
        m = Math.max(m, Math.abs(frequency[b] - confidence[b]));
      }
    }
    return m;
  }
}
