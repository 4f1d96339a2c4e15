package io.trustlens.explain.lime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.ImageShape;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LIME for images: superpixels, the sampling distribution, and a model with a known answer. */
class ImageLimeTest {
  private static final ImageShape GREY = new ImageShape(1, 16, 16);

  @Test
  void gridCellsNumberRowByRow() {
    ImageShape shape = new ImageShape(3, 10, 7);
    Superpixels sp = Superpixels.grid(4).segment(new double[shape.size()], shape);
    assertEquals(3 * 2, sp.count());
    for (int y = 0; y < 10; y++) {
      for (int x = 0; x < 7; x++) {
        assertEquals((y / 4) * 2 + x / 4, sp.segment()[y * 7 + x]);
      }
    }
  }

  @Test
  void slicSegmentsFollowEdgesAndAreConnected() {
    // a bright disc on a dark background, a little noise
    ImageShape shape = new ImageShape(1, 40, 40);
    double[] image = new double[shape.size()];
    Random r = new Random(4);
    for (int y = 0; y < 40; y++) {
      for (int x = 0; x < 40; x++) {
        boolean disc = (y - 20) * (y - 20) + (x - 17) * (x - 17) < 100;
        image[y * 40 + x] = (disc ? 1 : 0) + 0.02 * r.nextGaussian();
      }
    }
    Superpixels sp = Superpixels.slic(25, 10).segment(image, shape);
    assertTrue(sp.count() >= 12 && sp.count() <= 50, sp.count() + " segments for 25 asked");
    int[] sizes = sp.sizes();
    int[] bright = new int[sp.count()];
    for (int p = 0; p < 1600; p++) {
      bright[sp.segment()[p]] += image[p] > 0.5 ? 1 : 0;
    }
    int mixed = 0;
    for (int s = 0; s < sp.count(); s++) {
      assertTrue(sizes[s] > 0, "segment " + s + " is empty");
      double share = bright[s] / (double) sizes[s];
      mixed += share > 0.1 && share < 0.9 ? 1 : 0;
      assertEquals(sizes[s], component(sp, s, 40, 40), "segment " + s + " is one piece");
    }
    assertEquals(0, mixed, "every segment lies on one side of the disc's edge");
    // the same image, the same segments
    assertArrayEquals(sp.segment(), Superpixels.slic(25, 10).segment(image, shape).segment());
    assertThrows(IllegalArgumentException.class, () -> Superpixels.parse("quickshift"));
  }

  /** The size of the 4-connected piece of segment {@code s} around its first pixel. */
  private static int component(Superpixels sp, int s, int h, int w) {
    int start = 0;
    while (sp.segment()[start] != s) {
      start++;
    }
    boolean[] seen = new boolean[h * w];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    queue.add(start);
    seen[start] = true;
    int size = 0;
    while (!queue.isEmpty()) {
      int p = queue.poll();
      size++;
      int y = p / w;
      int x = p % w;
      int[] around = {
        x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1
      };
      for (int q : around) {
        if (q >= 0 && !seen[q] && sp.segment()[q] == s) {
          seen[q] = true;
          queue.add(q);
        }
      }
    }
    return size;
  }

  @Test
  void samplesKeepEachSuperpixelIndependentlyWithProbabilityOneHalf() {
    int s = 6;
    int n = 40_000;
    double[] z = ImageLime.design(s, n, new SplittableRandom(5));
    for (int j = 0; j < s; j++) {
      assertEquals(1, z[j], "the image itself keeps every superpixel");
    }
    // the number kept per sample is Binomial(6, 1/2): a chi-square over its 7 values
    long[] kept = new long[s + 1];
    long both = 0;
    for (int i = 1; i < n; i++) {
      int k = 0;
      for (int j = 0; j < s; j++) {
        k += (int) z[i * s + j];
      }
      kept[k]++;
      both += z[i * s] == 1 && z[i * s + 1] == 1 ? 1 : 0;
    }
    double chi = 0;
    for (int k = 0; k <= s; k++) {
      double expected = (n - 1) * binomial(s, k) / Math.pow(2, s);
      chi += (kept[k] - expected) * (kept[k] - expected) / expected;
    }
    assertTrue(chi < 22.5, "chi-square " + chi + " on 6 degrees of freedom (p = 0.001: 22.5)");
    double pair = both / (double) (n - 1);
    assertEquals(0.25, pair, 4 * Math.sqrt(0.25 * 0.75 / n), "two superpixels kept together");
  }

  private static double binomial(int n, int k) {
    double c = 1;
    for (int i = 0; i < k; i++) {
      c = c * (n - i) / (i + 1);
    }
    return c;
  }

  @Test
  void aModelReadingOnePixelWeighsOnlyItsSuperpixel() {
    // the output is pixel (2, 3), in the top-left of four 8 x 8 cells
    double[] coef = new double[GREY.size()];
    coef[2 * 16 + 3] = 1;
    double[] image = new double[GREY.size()];
    Random r = new Random(6);
    for (int p = 0; p < image.length; p++) {
      image[p] = r.nextDouble();
    }
    double mean = 0;
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        mean += image[y * 16 + x] / 64;
      }
    }
    ImageLime lime =
        new ImageLime(
            new LimeCoreTest.Linear(coef),
            GREY,
            Superpixels.grid(8),
            500,
            new LocalSurrogate(1e-9, "none", 4),
            0,
            TabularLime.PREDICTED,
            42,
            Double.NaN);
    ImageLime.Result result = lime.explain(image, 7);
    // hidden, the pixel takes its cell's mean: y = mean + z_0 (pixel - mean), exactly linear
    double[] expected = {image[2 * 16 + 3] - mean, 0, 0, 0};
    assertArrayEquals(expected, result.fit().weights(), 1e-6);
    assertEquals(mean, result.fit().intercept(), 1e-6);
    assertEquals(1, result.fit().score(), 1e-9);
    assertEquals(image[2 * 16 + 3], result.output(), 0);
    assertEquals((float) expected[0], result.map()[0]);
    assertEquals(0f, result.map()[15], 1e-9f);
    assertEquals(500, lime.evaluations());
    // the same key, the same bits
    assertArrayEquals(result.fit().weights(), lime.explain(image, 7).fit().weights(), 0);
  }
}
