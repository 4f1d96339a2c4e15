package io.trustlens.explain.gradient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.ImageShape;
import io.trustlens.model.DifferentiableModel;
import io.trustlens.testing.SeparableModel;
import org.junit.jupiter.api.Test;

/** Saliency, SmoothGrad and Integrated Gradients against exact answers of a separable model. */
class GradientMethodsTest {
  private static final double[] A = {0.7, -1.3, 2.0, 0.2};
  private static final double[] Q = {0.5, 1.5, -0.25, 3.0};
  private static final SeparableModel MODEL = new SeparableModel(A, Q);
  private static final double[] ROWS = {
    0.3, -0.8, 0.45, 2.0, //
    -1.1, 0.2, -0.35, 0.9, //
    1.7, 1.1, 0.05, -0.6
  };

  private static Attribution[] explain(GradientMethod method, int target) {
    return new GradientBatches(MODEL, method, target).explain(ROWS, new long[] {11, 12, 13}, 3);
  }

  @Test
  void saliencyIsTheGradientInEachVariant() {
    Attribution[] signed = explain(new Saliency("signed"), 0);
    Attribution[] absolute = explain(new Saliency("absolute"), 0);
    Attribution[] times = explain(new Saliency("input_x_gradient"), 1);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        double x = ROWS[i * 4 + j];
        double t = Math.tanh(A[j] * x);
        assertEquals(A[j] * (1 - t * t), signed[i].values()[j], 1e-15);
        assertEquals(Math.abs(A[j] * (1 - t * t)), absolute[i].values()[j], 1e-15);
        assertEquals(x * 2 * Q[j] * x, times[i].values()[j], 1e-15);
      }
      assertEquals(0, signed[i].target());
      assertTrue(Double.isNaN(signed[i].gap()), "saliency has no completeness gap");
    }
  }

  @Test
  void integratedGradientsOfASeparableModelAreEachTermsChange() {
    double[] mean = {0.1, -0.2, 0.3, 0.4};
    for (String rule : IntegratedGradients.RULES) {
      for (Baseline baseline : new Baseline[] {Baseline.zero(), Baseline.values(mean)}) {
        for (int target = 0; target < 2; target++) {
          Attribution[] ig = explain(new IntegratedGradients(baseline, 50, rule), target);
          for (int i = 0; i < 3; i++) {
            double[] x0 = baseline.of(new double[4]);
            double total = 0;
            for (int j = 0; j < 4; j++) {
              double x = ROWS[i * 4 + j];
              double exact =
                  target == 0
                      ? MODEL.tanhTerm(j, x) - MODEL.tanhTerm(j, x0[j])
                      : MODEL.squareTerm(j, x) - MODEL.squareTerm(j, x0[j]);
              // Gauss-Legendre is exact for polynomials; the trapezoid's error is O(1/steps²).
              double tolerance = rule.equals("trapezoid") ? 2e-3 * Math.abs(exact) + 1e-9 : 1e-12;
              assertEquals(exact, ig[i].values()[j], tolerance, rule + " target " + target);
              total += exact;
            }
            assertEquals(total, ig[i].output() - ig[i].baselineOutput(), 1e-12, "f(x) - f(x')");
            double gapTolerance = rule.equals("trapezoid") ? 2e-3 * Math.abs(total) + 1e-9 : 1e-12;
            assertEquals(0, ig[i].gap(), gapTolerance, "completeness " + rule);
          }
        }
      }
    }
  }

  @Test
  void trapezoidGapShrinksAsOneOverStepsSquared() {
    double gap10 =
        Math.abs(explain(new IntegratedGradients(Baseline.zero(), 10, "trapezoid"), 0)[2].gap());
    double gap40 =
        Math.abs(explain(new IntegratedGradients(Baseline.zero(), 40, "trapezoid"), 0)[2].gap());
    assertTrue(gap10 > 1e-6, "a curved path has a trapezoid error: " + gap10);
    assertEquals(16, gap10 / gap40, 0.5, "4x the steps, 1/16 of the gap");
  }

  @Test
  void smoothGradNoiseIsGaussianWithTheRelativeSigmaAndSeededByTheRowKey() {
    double[] x = {0.0, 1.0, 4.0, -1.0}; // range 5
    int samples = 40_000;
    SmoothGrad method = new SmoothGrad(samples, 0.2, "mean", 99);
    double[] draws = new double[samples * 4];
    method.inputs(x, 7, draws, 0);
    double sigma = 0.2 * 5;
    for (int j = 0; j < 4; j++) {
      double sum = 0;
      double squares = 0;
      int withinOne = 0;
      int withinTwo = 0;
      for (int s = 0; s < samples; s++) {
        double e = draws[s * 4 + j] - x[j];
        sum += e;
        squares += e * e;
        withinOne += Math.abs(e) <= sigma ? 1 : 0;
        withinTwo += Math.abs(e) <= 2 * sigma ? 1 : 0;
      }
      double mean = sum / samples;
      double sd = Math.sqrt(squares / samples - mean * mean);
      assertEquals(0, mean, 4 * sigma / Math.sqrt(samples), "mean of the noise, entry " + j);
      assertEquals(sigma, sd, 4 * sigma / Math.sqrt(2.0 * samples), "sd of the noise");
      double p1 = 0.682689492;
      double p2 = 0.954499736;
      assertEquals(p1, (double) withinOne / samples, 4 * Math.sqrt(p1 * (1 - p1) / samples));
      assertEquals(p2, (double) withinTwo / samples, 4 * Math.sqrt(p2 * (1 - p2) / samples));
    }
    double[] again = new double[samples * 4];
    method.inputs(x, 7, again, 0);
    assertArrayEquals(draws, again, 0.0, "same seed and key, same noise");
    double[] otherKey = new double[samples * 4];
    method.inputs(x, 8, otherKey, 0);
    assertNotEquals(draws[0], otherKey[0], "another row key, other noise");
    double correlation = 0;
    for (int s = 0; s < samples; s++) {
      correlation += (draws[s * 4] - x[0]) * (draws[s * 4 + 1] - x[1]);
    }
    assertEquals(0, correlation / samples / (sigma * sigma), 4 / Math.sqrt(samples), "independent");
  }

  @Test
  void smoothGradOfAQuadraticAveragesToItsExpectedGradients() {
    // Output 1 = Σ q x²: its gradient 2 q x is linear, so E[grad] = 2 q x exactly, and the squared
    // variant's E[grad²] = 4 q² (x² + σ²).
    int samples = 20_000;
    double noise = 0.1;
    Attribution[] mean = explain(new SmoothGrad(samples, noise, "mean", 5), 1);
    Attribution[] squared = explain(new SmoothGrad(samples, noise, "squared", 5), 1);
    for (int i = 0; i < 3; i++) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < 4; j++) {
        lo = Math.min(lo, ROWS[i * 4 + j]);
        hi = Math.max(hi, ROWS[i * 4 + j]);
      }
      double sigma = noise * (hi - lo);
      for (int j = 0; j < 4; j++) {
        double x = ROWS[i * 4 + j];
        double se = 2 * Math.abs(Q[j]) * sigma / Math.sqrt(samples);
        assertEquals(2 * Q[j] * x, mean[i].values()[j], 5 * se, "E[grad], row " + i);
        double expected = 4 * Q[j] * Q[j] * (x * x + sigma * sigma);
        assertEquals(expected, squared[i].values()[j], 0.02 * expected, "E[grad²], row " + i);
      }
    }
  }

  /**
   * Saliency takes each row's outputs from its gradient pass, for a fixed output and per-row
   * outputs alike: the same attributions as a forward pass followed by a gradient pass, and no
   * forward pass is made.
   */
  @Test
  void saliencyMakesOneGradientPassAndNoForwardPass() {
    int[] forwards = {0};
    DifferentiableModel counting =
        new DifferentiableModel() {
          public io.trustlens.model.ModelInfo info() {
            return MODEL.info();
          }

          public int batchRows() {
            return MODEL.batchRows();
          }

          public double[] outputs(double[] inputs, int n) {
            forwards[0]++;
            return MODEL.outputs(inputs, n);
          }

          public Gradients gradients(double[] inputs, int n, int[] targets) {
            return MODEL.gradients(inputs, n, targets);
          }
        };
    Saliency saliency = new Saliency("input_x_gradient");
    GradientMethod twoPasses = new GradientMethod() { // saliency without its one-pass route
          public int inputsPerRow() {
            return saliency.inputsPerRow();
          }

          public void inputs(double[] x, long key, double[] dest, int offset) {
            saliency.inputs(x, key, dest, offset);
          }

          public Attribution attribute(
              double[] x, double[] output, int target, GradientBatch batch, int first) {
            return saliency.attribute(x, output, target, batch, first);
          }
        };
    long[] keys = {11, 12, 13};
    for (int target : new int[] {0, 1}) { // the predicted class: TorchScriptGradientsTest
      for (int[] perRow : new int[][] {null, {1, 0, 1}}) {
        Attribution[] one =
            new GradientBatches(counting, saliency, target).explain(ROWS, keys, 3, perRow);
        assertEquals(0, forwards[0], "no forward pass before the gradient pass");
        Attribution[] two =
            new GradientBatches(MODEL, twoPasses, target).explain(ROWS, keys, 3, perRow);
        for (int i = 0; i < 3; i++) {
          assertArrayEquals(two[i].values(), one[i].values());
          assertEquals(two[i].target(), one[i].target());
          assertEquals(two[i].output(), one[i].output());
        }
      }
    }
  }

  @Test
  void callsFillTheModelsChunksWithoutPadding() {
    // 64-row chunks: 32 rows of 50 copies are 1,600 inputs, 25 whole chunks.
    assertEquals(
        32, new GradientBatches(MODEL, new SmoothGrad(50, 0.1, "mean", 1), 0).rowsPerCall());
    // One input per row: 32 chunks' worth.
    assertEquals(2048, new GradientBatches(MODEL, new Saliency("signed"), 0).rowsPerCall());
    int rows =
        new GradientBatches(
                MODEL, new IntegratedGradients(Baseline.zero(), 50, "gauss_legendre"), 0)
            .rowsPerCall();
    double fill = rows * 51.0 / (Math.ceil(rows * 51.0 / 64) * 64);
    assertTrue(fill > 0.99, "51 inputs a row: " + rows + " rows fill " + fill + " of their chunks");
  }

  @Test
  void blurBaselineKeepsTheImageMeanAndSmoothsIt() {
    ImageShape shape = new ImageShape(1, 16, 16);
    double[] image = new double[256];
    int centre = 8 * 16 + 8;
    image[centre] = 36; // one bright pixel, more than the kernel's radius from every edge
    double[] blurred = Baseline.blur(shape, 1.0).of(image);
    double total = 0;
    for (double v : blurred) {
      total += v;
    }
    assertEquals(36, total, 1e-9, "mass kept away from the edges");
    assertTrue(
        blurred[centre] < 36 && blurred[centre] > blurred[centre + 1] && blurred[centre + 1] > 0,
        "spread out");
  }

  @Test
  void badParametersAreRefusedNamingThem() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new Saliency("max"))
            .getMessage()
            .contains("saliency variant is 'max'"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new IntegratedGradients(Baseline.zero(), 0, "trapezoid"))
            .getMessage()
            .contains("steps >= 1"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new IntegratedGradients(Baseline.zero(), 5, "simpson"))
            .getMessage()
            .contains("rule is 'simpson'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> new SmoothGrad(0, 0.1, "mean", 1))
            .getMessage()
            .contains("at least 1 sample"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> new GradientBatches(MODEL, new Saliency("signed"), GradientBatches.PREDICTED))
            .getMessage()
            .contains("no predicted class"));
  }
}
