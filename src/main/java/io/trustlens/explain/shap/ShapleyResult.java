package io.trustlens.explain.shap;

/**
 * One row's attributions for one output: {@code values[i]} per player, the base value (the expected
 * output over the background, or the tree's mean), and the output being explained.
 *
 * <p>Invariant: {@code output - base - sum(values)} is the additivity gap, zero up to rounding for
 * exact, Kernel (constrained), permutation, linear and TreeSHAP.
 *
 * @param values one attribution per player
 * @param base the value with no player present
 * @param output the value with every player present (the model's output for the row)
 */
public record ShapleyResult(double[] values, double base, double output) {

  /** {@code output - base - sum(values)}. */
  public double gap() {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return output - base - sum;
  }
}
