package io.trustlens.testing;

import io.trustlens.model.Capability;
import io.trustlens.model.DifferentiableModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.OutputKind;
import java.util.List;
import java.util.Set;

/**
 * A differentiable model in plain Java with exact answers: output 0 is {@code Σ tanh(a_j x_j)},
 * output 1 is {@code Σ q_j x_j²}. Both are sums of one-feature terms, so Integrated Gradients is
 * {@code term_j(x_j) − term_j(x'_j)} exactly, and the expected gradient under zero-mean noise of
 * output 1 is its gradient at the row.
 */
public final class SeparableModel implements DifferentiableModel {
  private final double[] a;
  private final double[] q;
  private final ModelInfo info;

  public SeparableModel(double[] a, double[] q) {
    this.a = a.clone();
    this.q = q.clone();
    this.info =
        new ModelInfo(
            "separable",
            "SeparableModel",
            new int[] {a.length},
            List.of("tanh_sum", "square_sum"),
            OutputKind.REGRESSION,
            Set.of(Capability.DIFFERENTIABLE));
  }

  /** Output 0's term of feature {@code j}. */
  public double tanhTerm(int j, double x) {
    return Math.tanh(a[j] * x);
  }

  /** Output 1's term of feature {@code j}. */
  public double squareTerm(int j, double x) {
    return q[j] * x * x;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public int batchRows() {
    return 64;
  }

  @Override
  public double[] outputs(double[] inputs, int rows) {
    int d = a.length;
    double[] out = new double[rows * 2];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < d; j++) {
        double x = inputs[i * d + j];
        out[2 * i] += tanhTerm(j, x);
        out[2 * i + 1] += squareTerm(j, x);
      }
    }
    return out;
  }

  @Override
  public Gradients gradients(double[] inputs, int rows, int[] targets) {
    int d = a.length;
    double[] grad = new double[rows * d];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < d; j++) {
        double x = inputs[i * d + j];
        double t = Math.tanh(a[j] * x);
        grad[i * d + j] = targets[i] == 0 ? a[j] * (1 - t * t) : 2 * q[j] * x;
      }
    }
    return new Gradients(outputs(inputs, rows), grad, 2);
  }
}
