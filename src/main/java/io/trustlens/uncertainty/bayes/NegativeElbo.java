package io.trustlens.uncertainty.bayes;

/**
 * The minibatch estimate of Bayes by Backprop's loss (Blundell et al. 2015, arXiv 1505.05424) and
 * its exact gradient, in double precision in the JVM: KL(q ‖ p) / N + the mean over the minibatch
 * of −log p(y | x, w), the network's pre-activations drawn by the local reparameterization trick
 * (Kingma et al. 2015, arXiv 1506.02557) from the noise {@code eps} the caller draws.
 *
 * <p>Per layer with input h: m = h·μ_W + μ_b, v = h²·σ_W² + σ_b², z = m + √v ⊙ ε, σ = softplus(ρ),
 * and a ReLU after every layer but the last. The backward pass is the chain rule through these
 * lines, written out; a test checks it against central differences.
 *
 * <p>Invariants: the result depends on its arguments alone (no native code, no threads), so a fit
 * is the same bit for bit on every machine; v ≥ σ_b² > 0, so √v is differentiable.
 */
final class NegativeElbo {
  private final int[] sizes;
  private final int rows;
  private final boolean classifier;
  private final boolean learnNoise;
  private final double fixedNoise;
  private final double prior;

  /**
   * The loss of a network with layer {@code sizes}, trained on {@code rows} rows.
   *
   * @param learnNoise whether the last parameter is a regression's log noise
   * @param fixedNoise a regression's noise in standardised units when it is not learnt
   * @param prior the prior's standard deviation
   */
  NegativeElbo(
      int[] sizes,
      int rows,
      boolean classifier,
      boolean learnNoise,
      double fixedNoise,
      double prior) {
    this.sizes = sizes;
    this.rows = rows;
    this.classifier = classifier;
    this.learnNoise = learnNoise;
    this.fixedNoise = fixedNoise;
    this.prior = prior;
  }

  /**
   * The loss at {@code params}, its gradient written to {@code gradients}.
   *
   * @param params per layer μ_W ({@code in × out}, input-major), ρ_W, μ_b, ρ_b; then a learnt log
   *     noise
   * @param x the minibatch's inputs, {@code batch × sizes[0]}
   * @param y one-hot classes ({@code batch × classes}) or standardised targets ({@code batch})
   * @param eps per layer {@code batch × out} standard normal draws
   */
  double lossAndGradient(
      double[][] params, double[] x, double[] y, double[][] eps, int batch, double[][] gradients) {
    int layers = sizes.length - 1;
    double[][] in = new double[layers + 1][];
    double[][] z = new double[layers][];
    double[][] sd = new double[layers][];
    double[][] sigmaW = new double[layers][];
    double[][] sigmaB = new double[layers][];
    in[0] = x;
    for (int l = 0; l < layers; l++) {
      int a = sizes[l];
      int b = sizes[l + 1];
      double[] muW = params[4 * l];
      double[] rhoW = params[4 * l + 1];
      double[] muB = params[4 * l + 2];
      double[] rhoB = params[4 * l + 3];
      double[] h = in[l];
      double[] sW = softplus(rhoW);
      double[] sB = softplus(rhoB);
      sigmaW[l] = sW;
      sigmaB[l] = sB;
      double[] zl = new double[batch * b];
      double[] sl = new double[batch * b];
      for (int r = 0; r < batch; r++) {
        for (int j = 0; j < b; j++) {
          double m = muB[j];
          double v = sB[j] * sB[j];
          for (int i = 0; i < a; i++) {
            double hi = h[r * a + i];
            m += hi * muW[i * b + j];
            v += hi * hi * sW[i * b + j] * sW[i * b + j];
          }
          double s = Math.sqrt(v);
          sl[r * b + j] = s;
          zl[r * b + j] = m + s * eps[l][r * b + j];
        }
      }
      z[l] = zl;
      sd[l] = sl;
      if (l + 1 < layers) {
        double[] next = new double[batch * b];
        for (int k = 0; k < next.length; k++) {
          next[k] = Math.max(0, zl[k]);
        }
        in[l + 1] = next;
      } else {
        in[l + 1] = zl;
      }
    }
    for (double[] g : gradients) {
      java.util.Arrays.fill(g, 0);
    }
    int out = sizes[layers];
    double[] top = z[layers - 1];
    double[] g = new double[batch * out];
    double nll = 0;
    if (classifier) {
      for (int r = 0; r < batch; r++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < out; c++) {
          max = Math.max(max, top[r * out + c]);
        }
        double sum = 0;
        for (int c = 0; c < out; c++) {
          sum += Math.exp(top[r * out + c] - max);
        }
        double logSum = max + Math.log(sum);
        for (int c = 0; c < out; c++) {
          double logP = top[r * out + c] - logSum;
          nll -= y[r * out + c] * logP;
          g[r * out + c] = (Math.exp(logP) - y[r * out + c]) / batch;
        }
      }
    } else {
      double logS = learnNoise ? params[params.length - 1][0] : Math.log(fixedNoise);
      double s = Math.exp(logS);
      double dLogS = 0;
      for (int r = 0; r < batch; r++) {
        double e = (top[r] - y[r]) / s;
        nll += 0.5 * e * e + (learnNoise ? logS : 0);
        g[r] = e / s / batch;
        dLogS += 1 - e * e;
      }
      if (learnNoise) {
        gradients[params.length - 1][0] = dLogS / batch;
      }
    }
    double loss = nll / batch;
    for (int l = layers - 1; l >= 0; l--) {
      int a = sizes[l];
      int b = sizes[l + 1];
      double[] muW = params[4 * l];
      double[] rhoW = params[4 * l + 1];
      double[] rhoB = params[4 * l + 3];
      double[] h = in[l];
      double[] sW = sigmaW[l];
      double[] sB = sigmaB[l];
      double[] dW = sigmoid(rhoW);
      double[] dB = sigmoid(rhoB);
      double[] gMuW = gradients[4 * l];
      double[] gRhoW = gradients[4 * l + 1];
      double[] gMuB = gradients[4 * l + 2];
      double[] gRhoB = gradients[4 * l + 3];
      double[] gIn = l > 0 ? new double[batch * a] : null;
      for (int r = 0; r < batch; r++) {
        for (int j = 0; j < b; j++) {
          double gm = g[r * b + j];
          // ∂L/∂v = ∂L/∂z · ε / (2√v)
          double gv = gm * eps[l][r * b + j] / (2 * sd[l][r * b + j]);
          gMuB[j] += gm;
          gRhoB[j] += gv * 2 * sB[j] * dB[j];
          for (int i = 0; i < a; i++) {
            double hi = h[r * a + i];
            int k = i * b + j;
            gMuW[k] += hi * gm;
            gRhoW[k] += gv * hi * hi * 2 * sW[k] * dW[k];
            if (gIn != null) {
              gIn[r * a + i] += gm * muW[k] + gv * 2 * hi * sW[k] * sW[k];
            }
          }
        }
      }
      loss += (kl(params[4 * l], rhoW, gMuW, gRhoW) + kl(params[4 * l + 2], rhoB, gMuB, gRhoB));
      if (gIn != null) {
        double[] below = z[l - 1];
        for (int k = 0; k < gIn.length; k++) {
          gIn[k] = below[k] > 0 ? gIn[k] : 0;
        }
        g = gIn;
      }
    }
    return loss;
  }

  /**
   * KL(N(μ, σ²) ‖ N(0, p²)) / N summed over one parameter block, its gradient added to {@code gMu}
   * and {@code gRho}: log(p/σ) + (σ² + μ²) / (2p²) − 1/2 per weight.
   */
  private double kl(double[] mu, double[] rho, double[] gMu, double[] gRho) {
    double p2 = prior * prior;
    double sum = 0;
    for (int k = 0; k < mu.length; k++) {
      double s = BayesByBackprop.softplus(rho[k]);
      sum += Math.log(prior / s) + (s * s + mu[k] * mu[k]) / (2 * p2) - 0.5;
      gMu[k] += mu[k] / p2 / rows;
      gRho[k] += (-1 / s + s / p2) * sigmoid(rho[k]) / rows;
    }
    return sum / rows;
  }

  private static double sigmoid(double r) {
    return 1 / (1 + Math.exp(-r));
  }

  private static double[] sigmoid(double[] r) {
    double[] s = new double[r.length];
    for (int k = 0; k < r.length; k++) {
      s[k] = sigmoid(r[k]);
    }
    return s;
  }

  private static double[] softplus(double[] r) {
    double[] s = new double[r.length];
    for (int k = 0; k < r.length; k++) {
      s[k] = BayesByBackprop.softplus(r[k]);
    }
    return s;
  }
}
