package io.trustlens.model.training;

/**
 * Adam (Kingma and Ba 2014, arXiv 1412.6980) over parameters held in the JVM, in double precision:
 * m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², θ ← θ − lr · m̂ / (√v̂ + ε), with the bias
 * corrections m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t).
 */
public final class Adam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private final double rate;
  private final double[][] m;
  private final double[][] v;
  private int t;

  /** Adam with learning rate {@code rate} for parameters shaped like {@code params}. */
  public Adam(double rate, double[][] params) {
    this.rate = rate;
    m = new double[params.length][];
    v = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      m[i] = new double[params[i].length];
      v[i] = new double[params[i].length];
    }
  }

  /** One step down {@code gradients}. */
  public void step(double[][] params, double[][] gradients) {
    t++;
    double c1 = 1 - Math.pow(BETA1, t);
    double c2 = 1 - Math.pow(BETA2, t);
    for (int i = 0; i < params.length; i++) {
      for (int j = 0; j < params[i].length; j++) {
        double g = gradients[i][j];
        m[i][j] = BETA1 * m[i][j] + (1 - BETA1) * g;
        v[i][j] = BETA2 * v[i][j] + (1 - BETA2) * g * g;
        params[i][j] -= rate * (m[i][j] / c1) / (Math.sqrt(v[i][j] / c2) + EPSILON);
      }
    }
  }
}
