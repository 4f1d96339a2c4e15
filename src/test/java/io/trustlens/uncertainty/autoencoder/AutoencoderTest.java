package io.trustlens.uncertainty.autoencoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.Auroc;
import io.trustlens.testing.Digits;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The autoencoder's reconstruction error ranks unfamiliar rows above familiar ones. */
class AutoencoderTest {
  static final Autoencoder.Options OPTIONS = new Autoencoder.Options(2000, 64, 3e-3, 7);

  @Test
  void noiseImagesReconstructWorseThanHeldOutDigits() throws Exception {
    double[][] digits = Digits.rows();
    double[][] train = Arrays.copyOfRange(digits, 0, 1200);
    Autoencoder ae = Autoencoder.fit(train, Autoencoder.defaultHidden(64), OPTIONS);
    assertArrayEquals(new int[] {64, 32, 16, 32, 64}, ae.sizes());
    double[][] noise = Digits.noise(digits.length - 1200, 3);
    double[] familiar = new double[digits.length - 1200];
    double[] unfamiliar = new double[familiar.length];
    for (int i = 0; i < familiar.length; i++) {
      familiar[i] = ae.error(digits[1200 + i]);
      unfamiliar[i] = ae.error(noise[i]);
    }
    double auroc = Auroc.of(familiar, unfamiliar);
    System.out.printf(java.util.Locale.ROOT, "autoencoder, digits vs noise: AUROC %.4f%n", auroc);
    assertTrue(auroc >= 0.9, "AUROC " + auroc);
  }

  @Test
  void rowsThatBreakTheTrainingCorrelationsAreUnfamiliarThoughEachValueIsUsual() {
    // Training rows lie near a 2-D plane in 6-D; shifted rows have the same marginals (their
    // columns shuffled independently), so only the broken correlations give them away.
    double[][] train = plane(3000, 11);
    double[][] test = plane(500, 12);
    double[][] shuffled = plane(500, 13);
    SplittableRandom random = new SplittableRandom(14);
    for (int j = 0; j < 6; j++) {
      for (int i = shuffled.length - 1; i > 0; i--) {
        int k = random.nextInt(i + 1);
        double t = shuffled[i][j];
        shuffled[i][j] = shuffled[k][j];
        shuffled[k][j] = t;
      }
    }
    Autoencoder ae = Autoencoder.fit(train, Autoencoder.defaultHidden(6), OPTIONS);
    double[] in = Arrays.stream(test).mapToDouble(ae::error).toArray();
    double[] out = Arrays.stream(shuffled).mapToDouble(ae::error).toArray();
    double auroc = Auroc.of(in, out);
    System.out.printf(java.util.Locale.ROOT, "autoencoder, plane vs shuffled: AUROC %.4f%n", auroc);
    assertTrue(auroc >= 0.9, "AUROC " + auroc);
  }

  @Test
  void aFitIsTheSameBitForBitAndEveryErrorIsAMeanSquareInStandardUnits() throws Exception {
    double[][] rows = plane(400, 5);
    Autoencoder.Options quick = new Autoencoder.Options(50, 32, 1e-2, 3);
    Autoencoder a = Autoencoder.fit(rows, new int[] {4, 2, 4}, quick);
    Autoencoder b = Autoencoder.fit(rows, new int[] {4, 2, 4}, quick);
    for (int l = 0; l < a.weights().length; l++) {
      assertArrayEquals(a.weights()[l], b.weights()[l], "layer " + l);
    }
    Autoencoder c =
        Autoencoder.fit(rows, new int[] {4, 2, 4}, new Autoencoder.Options(50, 32, 1e-2, 4));
    assertTrue(!Arrays.equals(a.weights()[0], c.weights()[0]), "another seed, other weights");
    // An identity network (weights 1 on the diagonal, no hidden narrowing, ReLU-free at >= 0
    // inputs) reconstructs standardised non-negative rows exactly.
    int d = 2;
    double[][] identity = {{1, 0, 0, 1, 0, 0}, {1, 0, 0, 1, 0, 0}};
    Autoencoder id =
        new Autoencoder(new int[] {2, 2, 2}, identity, new double[] {0, 0}, new double[] {1, 1});
    assertEquals(0, id.error(new double[] {0.5, 2}), 0);
    // A negative standardised input is cut by the hidden ReLU: error = (0 - (-1))^2 / 2.
    assertEquals(0.5, id.error(new double[] {-1, 0}), 0);
    assertEquals(d, id.sizes()[1]);
    assertThrows(
        IllegalArgumentException.class,
        () -> Autoencoder.fit(new double[0][], new int[] {2}, quick));
    double[][] bad = {{1, Double.NaN}};
    assertThrows(IllegalArgumentException.class, () -> Autoencoder.fit(bad, new int[] {1}, quick));
  }

  @Test
  void percentileTakesTheNearestRank() {
    double[] e = {5, 1, 4, 2, 3};
    assertEquals(5, Autoencoder.percentile(e, 100), 0);
    assertEquals(4, Autoencoder.percentile(e, 80), 0);
    assertEquals(4, Autoencoder.percentile(e, 61), 0);
    assertEquals(3, Autoencoder.percentile(e, 60), 0);
    assertEquals(1, Autoencoder.percentile(e, 0), 0);
  }

  /** Rows near a 2-D plane in 6-D: x = A z + noise. */
  static double[][] plane(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] a = {{1, 0}, {0, 1}, {1, 1}, {1, -1}, {2, 0.5}, {-0.5, 1.5}};
    double[][] rows = new double[n][6];
    for (int i = 0; i < n; i++) {
      double z0 = gaussian(r);
      double z1 = gaussian(r);
      for (int j = 0; j < 6; j++) {
        rows[i][j] = a[j][0] * z0 + a[j][1] * z1 + 0.05 * gaussian(r);
      }
    }
    return rows;
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }
}
