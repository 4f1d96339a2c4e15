package io.trustlens.uncertainty.bayes;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.trustlens.model.training.Adam;
import io.trustlens.model.training.Autograd;
import io.trustlens.model.training.Dense;
import java.util.SplittableRandom;

/**
 * Bayes by Backprop (Blundell et al. 2015, arXiv 1505.05424): fits a factorised Gaussian posterior
 * q(w) = Π N(μ, σ²), σ = softplus(ρ), to a fully connected ReLU network by minimising the negative
 * evidence lower bound per training row, KL(q ‖ p) / N + E_q[−log p(y | x, w)], with a Gaussian
 * prior p = N(0, σ_p²) on every weight and bias (the KL in closed form). The expectation is
 * estimated on each minibatch by the local reparameterization trick (Kingma et al. 2015, arXiv
 * 1506.02557): each unit's pre-activation is drawn from N(x·μ + μ_b, x²·σ² + σ_b²), which has lower
 * variance than one weight draw per minibatch and the same expectation. Spark-free; gradients
 * through DJL's autograd ({@link Autograd}), steps by {@link Adam}; every draw from the seed.
 *
 * <p>Invariants: a fit depends on its rows, in order, and the seed alone; for a model without
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
    float[] x = new float[n * d];
    float[] y = new float[n * out];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) ((rows[i][j] - means[j]) / scales[j]);
      }
      if (classifier) {
        int c = (int) targets[i];
        if (c != targets[i] || c < 0 || c >= classes) {
          throw new IllegalArgumentException(
              "row " + i + " has class " + targets[i] + "; expected 0.." + (classes - 1));
        }
        y[i * out + c] = 1;
      } else {
        y[i] = (float) ((targets[i] - targetMean) / targetScale);
      }
    }
    boolean learnNoise = !classifier && Double.isNaN(options.noise());
    int layers = sizes.length - 1;
    SplittableRandom random = new SplittableRandom(options.seed());
    // params: per layer μ_W, ρ_W, μ_b, ρ_b; then log noise (regression, learnt)
    double[][] params = new double[4 * layers + (learnNoise ? 1 : 0)][];
    long[][] shapes = new long[params.length][];
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
      shapes[4 * l] = new long[] {a, b};
      shapes[4 * l + 1] = new long[] {a, b};
      shapes[4 * l + 2] = new long[] {b};
      shapes[4 * l + 3] = new long[] {b};
    }
    if (learnNoise) {
      params[4 * layers] = new double[] {Math.log(0.5)};
      shapes[4 * layers] = new long[] {1};
    }
    double fixedNoise = classifier || learnNoise ? 1 : options.noise() / targetScale;
    double prior = options.priorSigma();
    Autograd.Loss loss =
        (manager, p, data) -> {
          NDArray h = data.get(0);
          NDArray kl = null;
          for (int l = 0; l < layers; l++) {
            NDArray sw = Activation.softPlus(p.get(4 * l + 1));
            NDArray sb = Activation.softPlus(p.get(4 * l + 3));
            NDArray mean = h.matMul(p.get(4 * l)).add(p.get(4 * l + 2));
            NDArray variance = h.square().matMul(sw.square()).add(sb.square());
            h = mean.add(variance.sqrt().mul(data.get(2 + l)));
            if (l + 1 < layers) {
              h = Activation.relu(h);
            }
            NDArray layerKl = kl(p.get(4 * l), sw, prior).add(kl(p.get(4 * l + 2), sb, prior));
            kl = kl == null ? layerKl : kl.add(layerKl);
          }
          NDArray nll;
          if (classifier) {
            nll = h.logSoftmax(1).mul(data.get(1)).sum(new int[] {1}).neg().mean();
          } else {
            NDArray target = data.get(1);
            if (learnNoise) {
              NDArray logS = p.get(4 * layers);
              nll = h.sub(target).div(logS.exp()).square().mul(0.5).add(logS).mean();
            } else {
              nll = h.sub(target).div(fixedNoise).square().mul(0.5).mean();
            }
          }
          return nll.add(kl.div(n));
        };
    double[][] gradients = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      gradients[i] = new double[params[i].length];
    }
    Adam adam = new Adam(options.learningRate(), params);
    int batch = Math.min(options.batchSize(), n);
    Dense.Order order = new Dense.Order(n, random);
    float[] bx = new float[batch * d];
    float[] by = new float[batch * out];
    float[][] eps = new float[layers][];
    for (int l = 0; l < layers; l++) {
      eps[l] = new float[batch * sizes[l + 1]];
    }
    Autograd.Tensor[] data = new Autograd.Tensor[2 + layers];
    for (int step = 0; step < options.steps(); step++) {
      for (int r = 0; r < batch; r++) {
        int i = order.next();
        System.arraycopy(x, i * d, bx, r * d, d);
        System.arraycopy(y, i * out, by, r * out, out);
      }
      data[0] = new Autograd.Tensor(bx, batch, d);
      data[1] = new Autograd.Tensor(by, batch, out);
      for (int l = 0; l < layers; l++) {
        for (int k = 0; k < eps[l].length; k++) {
          eps[l][k] = (float) WeightPosterior.gaussian(random);
        }
        data[2 + l] = new Autograd.Tensor(eps[l], batch, sizes[l + 1]);
      }
      Autograd.gradients(params, shapes, data, loss, gradients);
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

  /** KL(N(μ, σ²) ‖ N(0, p²)) summed: log(p/σ) + (σ² + μ²) / (2p²) − 1/2. */
  private static NDArray kl(NDArray mu, NDArray sigma, double prior) {
    return sigma
        .log()
        .neg()
        .add(Math.log(prior))
        .add(sigma.square().add(mu.square()).div(2 * prior * prior))
        .sub(0.5)
        .sum();
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
