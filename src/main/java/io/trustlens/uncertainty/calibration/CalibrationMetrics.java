package io.trustlens.uncertainty.calibration;

import java.util.List;

/**
 * How well a classifier's probabilities match the frequencies they predict, over a table.
 *
 * @param rows rows measured
 * @param brier mean over rows of Σ_c (p_c − [y = c])² (Brier 1950, summed over classes; for two
 *     classes twice scikit-learn's {@code brier_score_loss} of the positive class)
 * @param logLoss mean of −ln p_y, with p_y clipped below at 1e-15 (scikit-learn's {@code log_loss})
 * @param accuracy share of rows whose most probable class is the label
 * @param topLabel the top-label reliability diagram, whose ECE is the usual one
 * @param perClass one-vs-rest diagrams, one per class
 */
public record CalibrationMetrics(
    long rows,
    double brier,
    double logLoss,
    double accuracy,
    Binning binning,
    ReliabilityDiagram topLabel,
    List<ReliabilityDiagram> perClass) {

  /** The top-label expected calibration error. */
  public double ece() {
    return topLabel.ece();
  }

  /** The top-label maximum calibration error. */
  public double mce() {
    return topLabel.mce();
  }

  /** The mean of the classes' one-vs-rest ECEs (classwise ECE, Kull et al. 2019). */
  public double classwiseEce() {
    return perClass.stream().mapToDouble(ReliabilityDiagram::ece).average().orElse(Double.NaN);
  }
}
