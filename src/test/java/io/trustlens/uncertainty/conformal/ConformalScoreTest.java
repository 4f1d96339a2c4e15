package io.trustlens.uncertainty.conformal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ConformalScoreTest {

  @Test
  void scoresAndSetsFollowTheirDefinitions() {
    double[] p = {0.2, 0.5, 0.3};
    assertEquals(0.8, ConformalScore.LAC.score(p, 0), 1e-15);
    assertEquals(0.5, ConformalScore.APS.score(p, 1), 1e-15);
    assertEquals(0.8, ConformalScore.APS.score(p, 2), 1e-15);
    assertEquals(1.0, ConformalScore.APS.score(p, 0), 1e-15);
    assertArrayEquals(new int[] {1, 2}, ConformalScore.LAC.set(p, 0.7));
    assertArrayEquals(new int[] {1, 2}, ConformalScore.APS.set(p, 0.85));
    assertArrayEquals(new int[] {1}, ConformalScore.APS.set(p, 0.6));
    // Ties rank by index: the first of two equal classes comes first.
    double[] tie = {0.4, 0.4, 0.2};
    assertEquals(0.4, ConformalScore.APS.score(tie, 0), 1e-15);
    assertEquals(0.8, ConformalScore.APS.score(tie, 1), 1e-15);
  }

  @Test
  void thresholdRankIsTheFiniteSampleQuantile() {
    assertEquals(9, ConformalScore.rank(9, 0.1)); // ceil(10 * 0.9)
    assertEquals(901, ConformalScore.rank(1000, 0.1)); // ceil(1001 * 0.9) = ceil(900.9)
    assertEquals(9000, ConformalScore.rank(9999, 0.1)); // exactly 9000, no rounding up
    assertEquals(19, ConformalScore.rank(19, 0.05));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ConformalScore.rank(8, 0.1));
    org.junit.jupiter.api.Assertions.assertTrue(
        e.getMessage().contains("at least 9"), e.getMessage());
  }
}
