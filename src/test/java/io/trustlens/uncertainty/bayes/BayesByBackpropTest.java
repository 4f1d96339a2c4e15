package io.trustlens.uncertainty.bayes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.model.OutputKind;
import io.trustlens.testing.Auroc;
import io.trustlens.testing.Digits;
import io.trustlens.uncertainty.Spread;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

/** Bayes by Backprop against the exact posterior of a linear model, and on unfamiliar inputs. */
class BayesByBackpropTest {

  @Test
  void aLinearModelsPosteriorMeansAndVariancesAreTheMeanFieldOptimum() {
    meanFieldOptimum(60, 1.0); // the data decide
    meanFieldOptimum(10, 0.3); // the prior weighs as much as the data: KL and its scale show
  }

  /**
   * y = x . beta + N(0, 0.5^2), prior N(0, prior^2) on every weight (standardised space). The
   * mean-field optimum on a Gaussian posterior has the exact posterior mean and variances 1 /
   * diag(precision).
   */
  private static void meanFieldOptimum(int n, double prior) {
    int d = 3;
    double noise = 0.5;
    SplittableRandom r = new SplittableRandom(1);
    double[][] x = new double[n][d];
    double[] y = new double[n];
    double[] beta = {1.0, -0.5, 0.25};
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = WeightPosterior.gaussian(r);
        y[i] += beta[j] * x[i][j];
      }
      y[i] += noise * WeightPosterior.gaussian(r);
    }
    WeightPosterior q =
        BayesByBackprop.fit(
            x, y, 0, new int[0], new BayesByBackprop.Options(8000, n, 0.003, prior, noise, 3));
    // The exact posterior in the standardised space the fit works in.
    double ns = noise / q.targetScale();
    double[][] a = new double[d + 1][d + 1];
    double[] b = new double[d + 1];
    for (int i = 0; i < n; i++) {
      double[] row = new double[d + 1];
      for (int j = 0; j < d; j++) {
        row[j] = (x[i][j] - q.means()[j]) / q.scales()[j];
      }
      row[d] = 1;
      double target = (y[i] - q.targetMean()) / q.targetScale();
      for (int j = 0; j <= d; j++) {
        b[j] += row[j] * target / (ns * ns);
        for (int k = 0; k <= d; k++) {
          a[j][k] += row[j] * row[k] / (ns * ns);
        }
      }
    }
    for (int j = 0; j <= d; j++) {
      a[j][j] += 1 / (prior * prior);
    }
    RealMatrix precision = new Array2DRowRealMatrix(a);
    double[] mean =
        new LUDecomposition(precision)
            .getSolver()
            .solve(new org.apache.commons.math3.linear.ArrayRealVector(b))
            .toArray();
    for (int j = 0; j <= d; j++) {
      double sd = 1 / Math.sqrt(a[j][j]);
      double fittedMean = q.mu()[0][j];
      double fittedSd = q.sigma()[0][j];
      System.out.printf(
          java.util.Locale.ROOT,
          "n %d, prior %.1f, weight %d: mean %.4f (exact %.4f), sd %.4f (exact %.4f)%n",
          n,
          prior,
          j,
          fittedMean,
          mean[j],
          fittedSd,
          sd);
      assertEquals(mean[j], fittedMean, 0.2 * sd, "mean of weight " + j);
      assertEquals(sd, fittedSd, 0.05 * sd, "sd of weight " + j);
    }
  }

  @Test
  void aRegressionIsLessSureFarFromItsTrainingRange() {
    // y = sin(x) + noise on [-3, 3]; rows at 6 <= |x| <= 9 lie outside what the data pinned down.
    SplittableRandom r = new SplittableRandom(2);
    int n = 400;
    double[][] x = new double[n][1];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i][0] = -3 + 6 * r.nextDouble();
      y[i] = Math.sin(x[i][0]) + 0.1 * WeightPosterior.gaussian(r);
    }
    WeightPosterior q =
        BayesByBackprop.fit(
            x,
            y,
            0,
            new int[] {32, 32},
            new BayesByBackprop.Options(4000, 64, 3e-3, 1.0, Double.NaN, 5));
    double[][][] sets = q.draw(30, 9);
    double[] inside = new double[200];
    double[] outside = new double[200];
    for (int i = 0; i < 200; i++) {
      inside[i] = std(q.outputs(new double[] {-3 + 6 * r.nextDouble()}, sets));
      double far = 6 + 3 * r.nextDouble();
      outside[i] = std(q.outputs(new double[] {i % 2 == 0 ? far : -far}, sets));
    }
    double auroc = Auroc.of(inside, outside);
    System.out.printf(
        java.util.Locale.ROOT,
        "BNN regression: noise %.3f (true 0.1), AUROC of the predictive std %.4f%n",
        q.noise(),
        auroc);
    assertTrue(auroc >= 0.9, "AUROC " + auroc);
    assertEquals(0.1, q.noise(), 0.05, "the learnt observation noise");
  }

  @Test
  void noiseImagesGetMoreMutualInformationThanDigits() {
    double[][] digits = Digits.rows();
    double[] labels = new double[digits.length];
    java.util.List<String> lines;
    try {
      lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("datasets/digits.csv"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",");
      labels[i - 1] = Double.parseDouble(cells[64]);
    }
    double[][] train = Arrays.copyOfRange(digits, 0, 1200);
    WeightPosterior q =
        BayesByBackprop.fit(
            train,
            Arrays.copyOfRange(labels, 0, 1200),
            10,
            new int[] {32},
            new BayesByBackprop.Options(3000, 64, 3e-3, 1.0, Double.NaN, 7));
    double[][][] sets = q.draw(30, 11);
    double[][] noise = Digits.noise(500, 3);
    double[] in = new double[500];
    double[] out = new double[500];
    int right = 0;
    for (int i = 0; i < 500; i++) {
      Spread.Classification s = spread(q.outputs(digits[1200 + i], sets));
      in[i] = s.mutualInformation();
      right += s.prediction() == labels[1200 + i] ? 1 : 0;
      out[i] = spread(q.outputs(noise[i], sets)).mutualInformation();
    }
    double auroc = Auroc.of(in, out);
    System.out.printf(
        java.util.Locale.ROOT,
        "BNN digits: held-out accuracy %.3f, AUROC of the mutual information vs noise %.4f%n",
        right / 500.0,
        auroc);
    assertTrue(right >= 450, "held-out digits predicted right: " + right);
    assertTrue(auroc >= 0.9, "AUROC " + auroc);
  }

  @Test
  void aFitAndItsDrawsAreTheSameBitForBitAndBadLabelsAreNamed() {
    double[][] x = {{0, 1}, {1, 0}, {2, 2}, {3, 1}};
    double[] y = {0, 1, 0, 1};
    BayesByBackprop.Options o = new BayesByBackprop.Options(20, 2, 1e-2, 1, Double.NaN, 4);
    WeightPosterior a = BayesByBackprop.fit(x, y, 2, new int[] {3}, o);
    WeightPosterior b = BayesByBackprop.fit(x, y, 2, new int[] {3}, o);
    assertArrayEquals(a.mu()[0], b.mu()[0]);
    assertArrayEquals(a.sigma()[1], b.sigma()[1]);
    assertArrayEquals(a.outputs(x[0], a.draw(5, 1)), b.outputs(x[0], b.draw(5, 1)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BayesByBackprop.fit(x, new double[] {0, 1, 2, 1}, 2, new int[] {3}, o));
    assertTrue(e.getMessage().contains("row 2 has class 2.0"), e.getMessage());
  }

  private static Spread.Classification spread(double[] logits) {
    int k = logits.length / 10;
    double[] p = new double[logits.length];
    double[] one = new double[10];
    for (int s = 0; s < k; s++) {
      OutputKind.LOGIT.probabilities(logits, s * 10, 10, one);
      System.arraycopy(one, 0, p, s * 10, 10);
    }
    return Spread.ofProbabilities(p, k, 10);
  }

  private static double std(double[] v) {
    return Spread.ofValues(v, v.length).std();
  }

  @Test
  void theLossGradientEqualsCentralDifferences() {
    gradientCheck(new int[] {3, 4, 2}, true, false);
    gradientCheck(new int[] {3, 5, 4, 1}, false, true);
    gradientCheck(new int[] {2, 1}, false, false);
  }

  private static void gradientCheck(int[] sizes, boolean classifier, boolean learnNoise) {
    SplittableRandom r = new SplittableRandom(5);
    int layers = sizes.length - 1;
    double[][] params = new double[4 * layers + (learnNoise ? 1 : 0)][];
    for (int l = 0; l < layers; l++) {
      int w = sizes[l] * sizes[l + 1];
      params[4 * l] = gaussians(r, w, 0.8, 0);
      params[4 * l + 1] = gaussians(r, w, 0.5, -1);
      params[4 * l + 2] = gaussians(r, sizes[l + 1], 0.5, 0);
      params[4 * l + 3] = gaussians(r, sizes[l + 1], 0.5, -1);
    }
    if (learnNoise) {
      params[4 * layers] = new double[] {-0.3};
    }
    int batch = 5;
    int out = sizes[layers];
    double[] x = gaussians(r, batch * sizes[0], 1, 0);
    double[] y = new double[batch * out];
    for (int i = 0; i < batch; i++) {
      if (classifier) {
        y[i * out + r.nextInt(out)] = 1;
      } else {
        y[i] = WeightPosterior.gaussian(r);
      }
    }
    double[][] eps = new double[layers][];
    for (int l = 0; l < layers; l++) {
      eps[l] = gaussians(r, batch * sizes[l + 1], 1, 0);
    }
    NegativeElbo elbo = new NegativeElbo(sizes, 40, classifier, learnNoise, 0.7, 0.8);
    double[][] g = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      g[i] = new double[params[i].length];
    }
    elbo.lossAndGradient(params, x, y, eps, batch, g);
    double[][] scratch = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      scratch[i] = new double[params[i].length];
    }
    for (int i = 0; i < params.length; i++) {
      for (int k = 0; k < params[i].length; k++) {
        double keep = params[i][k];
        double h = 1e-6;
        params[i][k] = keep + h;
        double up = elbo.lossAndGradient(params, x, y, eps, batch, scratch);
        params[i][k] = keep - h;
        double down = elbo.lossAndGradient(params, x, y, eps, batch, scratch);
        params[i][k] = keep;
        double numeric = (up - down) / (2 * h);
        assertEquals(
            numeric,
            g[i][k],
            1e-6 + 1e-5 * Math.abs(numeric),
            Arrays.toString(sizes) + " parameter block " + i + " entry " + k);
      }
    }
  }

  private static double[] gaussians(SplittableRandom r, int n, double scale, double shift) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = shift + scale * WeightPosterior.gaussian(r);
    }
    return v;
  }

  @Test
  void aDivergingFitFailsNamingTheStep() {
    double[][] x = {{0, 1}, {1, 0}, {2, 2}, {3, 1}};
    double[] y = {0, 1, 0, 1};
    Exception e =
        assertThrows(
            IllegalStateException.class,
            () ->
                BayesByBackprop.fit(
                    x, y, 2, new int[] {4}, new BayesByBackprop.Options(50, 4, 1e300, 1, 0, 1)));
    assertTrue(
        e.getMessage().contains("diverged") && e.getMessage().contains("at step"), e.getMessage());
  }
}
