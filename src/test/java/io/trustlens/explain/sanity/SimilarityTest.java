package io.trustlens.explain.sanity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Spearman and SSIM against values worked by hand. */
class SimilarityTest {

  @Test
  void spearmanRanksTiesByTheirAverageRank() {
    assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, Similarity.ranks(new double[] {0, 3, 3, 9}));
    assertEquals(1, Similarity.spearman(new double[] {1, 2, 3}, new double[] {10, 20, 300}), 1e-15);
    assertEquals(-1, Similarity.spearman(new double[] {1, 2, 3}, new double[] {3, 2, 1}), 1e-15);
    // ranks (1,2,3,4) and (2,1,4,3): d = (1,1,1,1), 1 - 6*4/(4*15) = 0.6
    assertEquals(
        0.6, Similarity.spearman(new double[] {1, 2, 3, 4}, new double[] {2, 1, 4, 3}), 1e-15);
    assertEquals(0, Similarity.spearman(new double[] {1, 1}, new double[] {1, 2}), "constant");
    assertEquals(1, Similarity.spearman(new double[] {0, 0}, new double[] {3, 3}), "both");
  }

  @Test
  void ssimIsOneForTheSameMapAtAnyScaleAndLowForAnUnrelatedOne() {
    double[] a = new double[64];
    double[] noise = new double[64];
    java.util.SplittableRandom r = new java.util.SplittableRandom(1);
    for (int i = 0; i < 64; i++) {
      a[i] = (i % 8) * (i / 8);
      noise[i] = r.nextDouble();
    }
    double[] doubled = a.clone();
    for (int i = 0; i < 64; i++) {
      doubled[i] *= 2;
    }
    assertEquals(1, Similarity.ssim(a, a, 8, 8), 1e-12);
    assertEquals(1, Similarity.ssim(a, doubled, 8, 8), 1e-12, "maps are scaled to their maximum");
    assertEquals(Similarity.ssim(a, noise, 8, 8), Similarity.ssim(noise, a, 8, 8), 1e-15);
    assertTrue(Similarity.ssim(a, noise, 8, 8) < 0.5);
    // One 3x3 window against zeros: C1 C2 / ((mx^2 + C1)(vx + C2)) with x = (0..8)/8.
    double[] x = new double[9];
    for (int i = 0; i < 9; i++) {
      x[i] = i;
    }
    double mx = 0.5;
    double vx = 0;
    for (int i = 0; i < 9; i++) {
      vx += (i / 8.0 - mx) * (i / 8.0 - mx);
    }
    vx /= 8;
    double c1 = 1e-4;
    double c2 = 9e-4;
    assertEquals(
        c1 * c2 / ((mx * mx + c1) * (vx + c2)), Similarity.ssim(x, new double[9], 3, 3), 1e-15);
  }
}
