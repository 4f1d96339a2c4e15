package io.trustlens.explain.gradient;

/**
 * A row's gradient attribution.
 *
 * @param values one value per input entry, in input order
 * @param target the output explained
 * @param output the explained output at the row's input
 * @param baselineOutput the explained output at the baseline (Integrated Gradients), else NaN
 * @param gap {@code sum(values) - (output - baselineOutput)} (Integrated Gradients' completeness
 *     gap), else NaN
 */
public record Attribution(
    double[] values, int target, double output, double baselineOutput, double gap) {

  /** An attribution without a baseline. */
  static Attribution of(double[] values, int target, double output) {
    return new Attribution(values, target, output, Double.NaN, Double.NaN);
  }
}
