package io.trustlens.model.training;

/**
 * The mean squared reconstruction error of a fully connected ReLU network over a minibatch and its
 * exact gradient by every weight and bias, in double precision in the JVM: per layer h ← h·W + b, a
 * ReLU after every layer but the last, loss = mean over rows and features of (h − x)². The backward
 * pass is the chain rule written out; a test checks it against central differences.
 *
 * <p>Invariant: the result depends on its arguments alone (no native code, no threads).
 */
public final class Reconstruction {
  private final int[] sizes;

  /** The loss of a network with layer {@code sizes}, the last equal to the first. */
  public Reconstruction(int[] sizes) {
    if (sizes[0] != sizes[sizes.length - 1]) {
      throw new IllegalArgumentException("a reconstruction needs as many outputs as inputs");
    }
    this.sizes = sizes;
  }

  /**
   * The loss at {@code params}, its gradient written to {@code gradients}.
   *
   * @param params per layer W ({@code in × out}, input-major) then b
   * @param x the minibatch, {@code batch × sizes[0]}, row-major
   */
  public double lossAndGradient(double[][] params, double[] x, int batch, double[][] gradients) {
    int layers = sizes.length - 1;
    double[][] act = new double[layers + 1][];
    act[0] = x;
    for (int l = 0; l < layers; l++) {
      int a = sizes[l];
      int b = sizes[l + 1];
      double[] w = params[2 * l];
      double[] bias = params[2 * l + 1];
      double[] h = act[l];
      double[] out = new double[batch * b];
      for (int r = 0; r < batch; r++) {
        System.arraycopy(bias, 0, out, r * b, b);
        for (int i = 0; i < a; i++) {
          double v = h[r * a + i];
          for (int j = 0; j < b; j++) {
            out[r * b + j] += v * w[i * b + j];
          }
        }
        if (l + 1 < layers) {
          for (int j = 0; j < b; j++) {
            out[r * b + j] = Math.max(0, out[r * b + j]);
          }
        }
      }
      act[l + 1] = out;
    }
    int d = sizes[0];
    double[] top = act[layers];
    double[] g = new double[batch * d];
    double sum = 0;
    double scale = 1.0 / ((double) batch * d);
    for (int k = 0; k < g.length; k++) {
      double e = top[k] - x[k];
      sum += e * e;
      g[k] = 2 * e * scale;
    }
    for (int l = layers - 1; l >= 0; l--) {
      int a = sizes[l];
      int b = sizes[l + 1];
      double[] w = params[2 * l];
      double[] h = act[l];
      double[] gw = gradients[2 * l];
      double[] gb = gradients[2 * l + 1];
      java.util.Arrays.fill(gw, 0);
      java.util.Arrays.fill(gb, 0);
      double[] below = l > 0 ? new double[batch * a] : null;
      for (int r = 0; r < batch; r++) {
        for (int j = 0; j < b; j++) {
          gb[j] += g[r * b + j];
        }
        for (int i = 0; i < a; i++) {
          double v = h[r * a + i];
          double back = 0;
          for (int j = 0; j < b; j++) {
            gw[i * b + j] += v * g[r * b + j];
            back += w[i * b + j] * g[r * b + j];
          }
          if (below != null) {
            below[r * a + i] = v > 0 ? back : 0; // the ReLU that made h
          }
        }
      }
      g = below;
    }
    return sum * scale;
  }
}
