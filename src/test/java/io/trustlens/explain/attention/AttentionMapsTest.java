package io.trustlens.explain.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Rollout and class-token attention against products worked by hand. */
class AttentionMapsTest {

  @Test
  void rolloutMultipliesTheHalfResidualAttentionFromTheFirstLayerUp() {
    // 2 layers, 2 heads, 3 tokens (class, p1, p2). Layer 1's heads average to
    // [[0, .5, .5], [0, 1, 0], [0, 0, 1]]: Â1 = [[.5, .25, .25], [0, 1, 0], [0, 0, 1]].
    // Layer 2's heads average to [[0, 1, 0], [0, 1, 0], [0, 0, 1]]: Â2 = [[.5, .5, 0], ...].
    // Â2 · Â1, class row: .5 * [.5, .25, .25] + .5 * [0, 1, 0] = [.25, .625, .125].
    double[] w = {
      // layer 1, head 1
      0, 1, 0, 0, 1, 0, 0, 0, 1,
      // layer 1, head 2
      0, 0, 1, 0, 1, 0, 0, 0, 1,
      // layer 2, head 1
      0, 1, 0, 0, 1, 0, 0, 0, 1,
      // layer 2, head 2
      0, 1, 0, 0, 1, 0, 0, 0, 1
    };
    assertArrayEquals(new double[] {0.625, 0.125}, AttentionMaps.rollout(w, 0, 2, 2, 3), 1e-15);
    assertArrayEquals(
        new double[] {1, 0, 1, 0}, AttentionMaps.classAttention(w, 0, 2, 2, 3), 1e-15);
    double[] offset = new double[5 + w.length];
    System.arraycopy(w, 0, offset, 5, w.length);
    assertArrayEquals(new double[] {0.625, 0.125}, AttentionMaps.rollout(offset, 5, 2, 2, 3), 0);
  }

  @Test
  void eachPixelTakesItsPatchsValue() {
    assertArrayEquals(
        new double[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
        AttentionMaps.onPixels(new double[] {1, 2, 3, 4}, 1, 2, 2, 4, 4),
        0);
  }
}
