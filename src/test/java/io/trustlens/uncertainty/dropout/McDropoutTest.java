package io.trustlens.uncertainty.dropout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.trustlens.model.ModelCache;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.MonteCarloModel;
import io.trustlens.model.OutputKind;
import io.trustlens.model.TorchScriptCard;
import io.trustlens.model.TorchScriptModel;
import io.trustlens.testing.Auroc;
import io.trustlens.testing.Digits;
import io.trustlens.uncertainty.Spread;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Monte Carlo dropout: the noise's distribution, reproducible passes, unfamiliar inputs. */
class McDropoutTest {
  private static final Path DIGITS_CNN = Path.of("datasets/models/torch/digits_cnn.pt");

  @Test
  void noiseIsUniformOnTheGridAndKeepsEachUnitWithProbabilityOneMinusP() {
    int rows = 2000;
    int count = 640;
    float[] noise = new float[rows * count];
    for (int r = 0; r < rows; r++) {
      McDropout.noise(42, r, noise, r * count, count);
    }
    long[] bins = new long[16];
    long kept25 = 0;
    long kept50 = 0;
    long bothKept = 0; // neighbours: independence of units
    for (int i = 0; i < noise.length; i++) {
      float u = noise[i];
      assertTrue(u >= 0 && u < 1, "u = " + u);
      double scaled = u * 0x1.0p24;
      assertEquals(Math.rint(scaled), scaled, 0, "on the 2^-24 grid");
      bins[(int) (u * 16)]++;
      kept25 += u >= 0.25f ? 1 : 0;
      kept50 += u >= 0.5f ? 1 : 0;
      if (i % 2 == 1) {
        bothKept += noise[i - 1] >= 0.5f && u >= 0.5f ? 1 : 0;
      }
    }
    int n = noise.length;
    // Keep rates within 4 standard deviations of exactly 1 - p.
    assertEquals(0.75, (double) kept25 / n, 4 * Math.sqrt(0.75 * 0.25 / n));
    assertEquals(0.5, (double) kept50 / n, 4 * Math.sqrt(0.25 / n));
    assertEquals(0.25, (double) bothKept / (n / 2), 4 * Math.sqrt(0.25 * 0.75 / (n / 2)));
    double chi2 = 0;
    for (long b : bins) {
      double e = n / 16.0;
      chi2 += (b - e) * (b - e) / e;
    }
    assertTrue(chi2 < 45, "chi-square of 16 bins (15 df, p < 1e-4 beyond 45): " + chi2);
    float[] again = new float[count];
    McDropout.noise(42, 7, again, 0, count);
    assertArrayEquals(Arrays.copyOfRange(noise, 7 * count, 8 * count), again, "seed and key");
    McDropout.noise(43, 7, again, 0, count);
    assertTrue(!Arrays.equals(Arrays.copyOfRange(noise, 7 * count, 8 * count), again), "seed");
  }

  @Test
  void eachRowsPassesTakeTheNoiseOfItsOwnKeyInPassOrder() {
    // A model whose output is its row's input plus the sum of its noise: every pass is traceable.
    MonteCarloModel traced =
        new MonteCarloModel() {
          @Override
          public ModelInfo info() {
            return new ModelInfo(
                "traced",
                "test",
                new int[] {1},
                List.of("y"),
                OutputKind.REGRESSION,
                java.util.EnumSet.noneOf(io.trustlens.model.Capability.class));
          }

          @Override
          public int noiseSize() {
            return 3;
          }

          @Override
          public int batchRows() {
            return 8;
          }

          @Override
          public double[] passes(double[] inputs, float[] noise, int rows) {
            double[] out = new double[rows];
            for (int r = 0; r < rows; r++) {
              out[r] = inputs[r] + noise[3 * r] + noise[3 * r + 1] + noise[3 * r + 2];
            }
            return out;
          }
        };
    McDropout dropout = new McDropout(traced, 4, 9);
    double[] out = dropout.outputs(new double[] {100, 200}, new long[] {5, 6}, 2);
    for (int row = 0; row < 2; row++) {
      float[] noise = new float[12];
      McDropout.noise(9, 5 + row, noise, 0, 12);
      for (int t = 0; t < 4; t++) {
        double expected = 100.0 * (row + 1) + noise[3 * t] + noise[3 * t + 1] + noise[3 * t + 2];
        assertEquals(expected, out[row * 4 + t], 0, "row " + row + " pass " + t);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> new McDropout(traced, 1, 9));
  }

  @Test
  void aRowsPassesDoNotDependOnItsBatch() {
    McDropout dropout = new McDropout(digitsCnn(), 30, 42);
    double[][] digits = Digits.rows();
    int n = 50;
    double[] xs = new double[n * 64];
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(digits[i], 0, xs, i * 64, 64);
      keys[i] = i;
    }
    double[] batch = dropout.outputs(xs, keys, n);
    for (int i : new int[] {0, 17, 49}) {
      double[] alone = dropout.outputs(digits[i], new long[] {i}, 1);
      assertArrayEquals(alone, Arrays.copyOfRange(batch, i * 300, (i + 1) * 300), "row " + i);
    }
  }

  @Test
  void noiseImagesAreLessFamiliarThanDigits() {
    McDropout dropout = new McDropout(digitsCnn(), 30, 42);
    double[][] digits = Digits.rows();
    int n = 500;
    double[][] noise = Digits.noise(n, 3);
    double[] in = new double[n * 64];
    double[] out = new double[n * 64];
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(digits[i * 3], 0, in, i * 64, 64);
      System.arraycopy(noise[i], 0, out, i * 64, 64);
      keys[i] = i;
    }
    double[][] inStats = stats(dropout, in, keys, n);
    double[][] outStats = stats(dropout, out, keys, n);
    double entropy = Auroc.of(inStats[0], outStats[0]);
    double information = Auroc.of(inStats[1], outStats[1]);
    System.out.printf(
        java.util.Locale.ROOT,
        "MC dropout, digits vs noise images: AUROC entropy %.4f, mutual information %.4f%n",
        entropy,
        information);
    assertTrue(entropy >= 0.9, "AUROC of the predictive entropy " + entropy);
    assertTrue(information >= 0.9, "AUROC of the mutual information " + information);
  }

  /** Per row: predictive entropy, mutual information. */
  private static double[][] stats(McDropout dropout, double[] xs, long[] keys, int n) {
    double[] logits = dropout.outputs(xs, keys, n);
    int t = dropout.passes();
    double[] p = new double[t * 10];
    double[][] out = new double[2][n];
    double[] one = new double[10];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < t; k++) {
        OutputKind.LOGIT.probabilities(logits, (i * t + k) * 10, 10, one);
        System.arraycopy(one, 0, p, k * 10, 10);
      }
      Spread.Classification s = Spread.ofProbabilities(p, t, 10);
      out[0][i] = s.entropy();
      out[1][i] = s.mutualInformation();
    }
    return out;
  }

  static TorchScriptModel digitsCnn() {
    return ModelCache.torchScript(DIGITS_CNN, TorchScriptCard.readBeside(DIGITS_CNN), Device.cpu());
  }
}
