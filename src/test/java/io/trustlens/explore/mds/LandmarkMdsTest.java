package io.trustlens.explore.mds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LandmarkMdsTest {

  /** {@code n} points of a plane, rotated into {@code d} dimensions and shifted. */
  static double[] plane(int n, int d, long seed) {
    Random r = new Random(seed);
    double[][] basis = new double[2][d];
    for (double[] b : basis) {
      for (int j = 0; j < d; j++) {
        b[j] = r.nextGaussian();
      }
    }
    // Gram-Schmidt: two orthonormal directions.
    double norm = 0;
    for (double v : basis[0]) {
      norm += v * v;
    }
    for (int j = 0; j < d; j++) {
      basis[0][j] /= Math.sqrt(norm);
    }
    double dot = 0;
    for (int j = 0; j < d; j++) {
      dot += basis[0][j] * basis[1][j];
    }
    norm = 0;
    for (int j = 0; j < d; j++) {
      basis[1][j] -= dot * basis[0][j];
      norm += basis[1][j] * basis[1][j];
    }
    for (int j = 0; j < d; j++) {
      basis[1][j] /= Math.sqrt(norm);
    }
    double[] x = new double[n * d];
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble() * 10;
      double v = r.nextDouble() * 4;
      for (int j = 0; j < d; j++) {
        x[i * d + j] = 5 + u * basis[0][j] + v * basis[1][j];
      }
    }
    return x;
  }

  static double[] placeAll(LandmarkMds mds, double[] x, int n, int d) {
    int k = mds.dimensions();
    double[] y = new double[n * k];
    double[] row = new double[d];
    double[] out = new double[k];
    for (int i = 0; i < n; i++) {
      System.arraycopy(x, i * d, row, 0, d);
      mds.place(row, out);
      System.arraycopy(out, 0, y, i * k, k);
    }
    return y;
  }

  @Test
  void classicalMdsRecoversDistancesOfPlanarPoints() {
    double[] x = plane(300, 6, 1);
    LandmarkMds mds = LandmarkMds.fit(x, 300, 6, 2, Metric.EUCLIDEAN, 1, 2);
    double stress = LandmarkMds.stress(x, placeAll(mds, x, 300, 6), 300, 6, 2, Metric.EUCLIDEAN);
    assertTrue(stress < 1e-6, "stress " + stress);
  }

  @Test
  void landmarksPlaceEveryOtherRowExactly() {
    double[] x = plane(2000, 8, 2);
    double[] landmarks = java.util.Arrays.copyOf(x, 40 * 8);
    LandmarkMds mds = LandmarkMds.fit(landmarks, 40, 8, 2, Metric.EUCLIDEAN, 1, 2);
    double stress = LandmarkMds.stress(x, placeAll(mds, x, 2000, 8), 2000, 8, 2, Metric.EUCLIDEAN);
    assertTrue(stress < 1e-6, "stress " + stress);
  }

  @Test
  void largeLandmarkSetsUseSubspaceIterationWithTheSameAnswer() {
    double[] x = plane(LandmarkMds.FULL_LIMIT + 100, 5, 3);
    int n = LandmarkMds.FULL_LIMIT + 100;
    LandmarkMds mds = LandmarkMds.fit(x, n, 5, 2, Metric.EUCLIDEAN, 1, 2);
    double stress = LandmarkMds.stress(x, placeAll(mds, x, n, 5), n, 5, 2, Metric.EUCLIDEAN);
    assertTrue(stress < 1e-6, "stress " + stress);
  }

  @Test
  void noisyDataHasPositiveStressThatShrinksWithMoreDimensions() {
    Random r = new Random(4);
    double[] x = new double[200 * 5];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextGaussian() * (1 + i % 5);
    }
    double two =
        LandmarkMds.stress(
            x,
            placeAll(LandmarkMds.fit(x, 200, 5, 2, Metric.EUCLIDEAN, 1, 2), x, 200, 5),
            200,
            5,
            2,
            Metric.EUCLIDEAN);
    double[] y4 = placeAll(LandmarkMds.fit(x, 200, 5, 4, Metric.EUCLIDEAN, 1, 2), x, 200, 5);
    double four = LandmarkMds.stress(x, y4, 200, 5, 4, Metric.EUCLIDEAN);
    assertTrue(two > 0.05 && four < two, two + " then " + four);
  }

  @Test
  void askingForMoreDimensionsThanTheDataSpanIsAnError() {
    double[] x = plane(50, 4, 5);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LandmarkMds.fit(x, 50, 4, 3, Metric.EUCLIDEAN, 1, 1));
    assertTrue(e.getMessage().contains("at most 2"), e.getMessage());
    assertEquals(Metric.COSINE, Metric.parse("Cosine"));
  }
}
