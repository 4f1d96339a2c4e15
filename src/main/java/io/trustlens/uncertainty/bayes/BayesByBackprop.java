package io.trustlens.uncertainty.bayes;

import io.trustlens.model.training.Adam;
import io.trustlens.model.training.Dense;
import java.util.SplittableRandom;

/**
 * Bayes by Backprop (Blundell et al. 2015, arXiv 1505.05424): fits a factorised Gaussian posterior
 * q(w) = Π N(μ, σ²), σ = softplus(ρ), to a fully connected ReLU network by minimising the negative
 * evidence lower bound per training row, KL(q ‖ p) / N + E_q[−log p(y | x, w)], with a Gaussian
 * prior p = N(0, σ_p²) on every weight and bias (the KL in closed form). The expectation is
 * estimated on each minibatch by the local reparameterization trick (Kingma et al. 2015, arXiv
 * 1506.02557): each unit's pre-activation is drawn from N(x·μ + μ_b, x²·σ² + σ_b²), which has lower
 * variance than one weight draw per minibatch and the same expectation. Spark-free; the loss and
 * its gradient by {@link NegativeElbo} in double precision in the JVM, steps by {@link Adam}; every
 * draw from the seed.
 *
 * <p>Invariants: a fit depends on its rows, in order, and the seed alone, bit for bit (no native
 * code: an earlier version through libtorch's float autograd gave NaN fits now and then on a loaded
 * machine); a loss that stops being finite fails the fit, naming the step; for a model without
 * hidden layers on a regression with known noise, the optimum's means are the exact posterior means
 * and its variances 1 / (the diagonal of the posterior precision) (mean-field on a Gaussian
 * posterior).
 */
public final class BayesByBackprop {
  private BayesByBackprop() {}

  /**
   * How a fit runs.
   *
   * @param noise a regression's observation noise in target units, or NaN to learn it
   */
  public record Options(
      int steps, int batchSize, double learningRate, double priorSigma, double noise, long seed) {
    public Options {
      if (steps < 1 || batchSize < 1 || !(learningRate > 0) || !(priorSigma > 0)) {
        throw new IllegalArgumentException(
            "steps and batchSize must be >= 1, learningRate and priorSigma > 0");
      }
    }
  }

  /** Initial ρ: σ = softplus(−5) ≈ 0.0067, so the fit starts near a point estimate. */
  static final double INITIAL_RHO = -5;

  /**
   * Fits the posterior of a network with {@code hidden} layers.
   *
   * @param rows feature rows
   * @param targets class indices 0..classes−1, or values for a regression
   * @param classes the number of classes, or 0 for a regression
   */
  public static WeightPosterior fit(
      double[][] rows, double[] targets, int classes, int[] hidden, Options options) {
    int n = rows.length;
    if (n < 2) {
      throw new IllegalArgumentException("Bayes by Backprop needs at least 2 rows; got " + n);
    }
    int d = rows[0].length;
    boolean classifier = classes > 0;
    int out = classifier ? classes : 1;
    int[] sizes = new int[hidden.length + 2];
    sizes[0] = d;
    System.arraycopy(hidden, 0, sizes, 1, hidden.length);
    sizes[sizes.length - 1] = out;
    double[] means = new double[d];
    double[] scales = new double[d];
    Dense.standardisation(rows, means, scales);
    double targetMean = 0;
    double targetScale = 1;
    if (!classifier) {
      double[][] column = new double[n][1];
      for (int i = 0; i < n; i++) {
        column[i][0] = targets[i];
      }
      double[] m = new double[1];
      double[] s = new double[1];
      Dense.standardisation(column, m, s);
      targetMean = m[0];
      targetScale = s[0];
    }
    double[] x = new double[n * d];
    double[] y = new double[n * out];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (rows[i][j] - means[j]) / scales[j];
      }
      if (classifier) {
        int c = (int) targets[i];
        if (c != targets[i] || c < 0 || c >= classes) {
          throw new IllegalArgumentException(
              "row " + i + " has class " + targets[i] + "; expected 0.." + (classes - 1));
        }
        y[i * out + c] = 1;
      } else {
        y[i] = (targets[i] - targetMean) / targetScale;
      }
    }
    boolean learnNoise = !classifier && Double.isNaN(options.noise());
    int layers = sizes.length - 1;
    SplittableRandom random = new SplittableRandom(options.seed());
    // params: per layer μ_W, ρ_W, μ_b, ρ_b; then log noise (regression, learnt)
    double[][] params = new double[4 * layers + (learnNoise ? 1 : 0)][];
    for (int l = 0; l < layers; l++) {
      int a = sizes[l];
      int b = sizes[l + 1];
      double limit = Math.sqrt(6.0 / (a + b));
      params[4 * l] = new double[a * b];
      for (int k = 0; k < a * b; k++) {
        params[4 * l][k] = (2 * random.nextDouble() - 1) * limit;
      }
      params[4 * l + 1] = filled(a * b, INITIAL_RHO);
      params[4 * l + 2] = new double[b];
      params[4 * l + 3] = filled(b, INITIAL_RHO);
    }
    if (learnNoise) {
      params[4 * layers] = new double[] {Math.log(0.5)};
    }
    double fixedNoise = classifier || learnNoise ? 1 : options.noise() / targetScale;
    NegativeElbo elbo =
        new NegativeElbo(sizes, n, classifier, learnNoise, fixedNoise, options.priorSigma());
    double[][] gradients = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      gradients[i] = new double[params[i].length];
    }
    Adam adam = new Adam(options.learningRate(), params);
    int batch = Math.min(options.batchSize(), n);
    Dense.Order order = new Dense.Order(n, random);
    double[] bx = new double[batch * d];
    double[] by = new double[batch * out];
    double[][] eps = new double[layers][];
    for (int l = 0; l < layers; l++) {
      eps[l] = new double[batch * sizes[l + 1]];
    }
    for (int step = 0; step < options.steps(); step++) {
      for (int r = 0; r < batch; r++) {
        int i = order.next();
        System.arraycopy(x, i * d, bx, r * d, d);
        System.arraycopy(y, i * out, by, r * out, out);
      }
      for (int l = 0; l < layers; l++) {
        for (int k = 0; k < eps[l].length; k++) {
          eps[l][k] = WeightPosterior.gaussian(random);
        }
      }
      double loss = elbo.lossAndGradient(params, bx, by, eps, batch, gradients);
      Dense.requireFinite("Bayes by Backprop", loss, step, options.steps(), options.learningRate());
      adam.step(params, gradients);
    }
    double[][] mu = new double[layers][];
    double[][] sigma = new double[layers][];
    for (int l = 0; l < layers; l++) {
      mu[l] = concat(params[4 * l], params[4 * l + 2]);
      sigma[l] = softplus(concat(params[4 * l + 1], params[4 * l + 3]));
    }
    double noise =
        classifier
            ? 0
            : learnNoise ? Math.exp(params[4 * layers][0]) * targetScale : options.noise();
    return new WeightPosterior(
        sizes, mu, sigma, means, scales, classifier, targetMean, targetScale, noise);
  }

  static double softplus(double r) {
    return r > 30 ? r : Math.log1p(Math.exp(r));
  }

  private static double[] softplus(double[] r) {
    double[] s = new double[r.length];
    for (int i = 0; i < r.length; i++) {
      s[i] = softplus(r[i]);
    }
    return s;
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  private static double[] concat(double[] a, double[] b) {
    double[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
