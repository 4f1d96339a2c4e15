package io.trustlens.explain.visualize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SeparableModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Activation maximization of a table on a model whose maximum over a box is known. */
class ActivationMaximizationTest {

  /**
   * Output 0 of {@link SeparableModel} is {@code Σ tanh(a_j x_j)}, largest at each feature's high
   * end where a_j > 0 and its low end where a_j < 0. The features' ranges differ by 10^5 (±1000 and
   * ±0.01) and a_j r_j is the same for all, so each reaches its end only if steps are taken in
   * units of its own range: a step of the raw gradient scaled to the inputs' mean would move the
   * small feature by nothing and the large one off its range at once.
   */
  @Test
  void eachFeatureOfATableClimbsToTheEndItsWeightPointsToInUnitsOfItsOwnRange() {
    SeparableModel model = new SeparableModel(new double[] {0.001, -100, 0.2}, new double[3]);
    ActivationMaximization.Bounds bounds =
        new ActivationMaximization.Bounds(
            new double[] {-1000, -0.01, 0},
            new double[] {1000, 0.01, 5},
            new double[] {100, 0.001, 2});
    ActivationMaximization.Settings settings =
        new ActivationMaximization.Settings(200, 0.02, 0, 0, 0, 1, 7);
    ActivationMaximization.Picture p =
        ActivationMaximization.run(
                model,
                null,
                List.of(new Target(null, 0, "tanh_sum")),
                new long[] {1},
                settings,
                bounds)
            .get(0);
    assertEquals(1000, p.image()[0], 0, "high end (a > 0)");
    assertEquals(-0.01, p.image()[1], 0, "low end (a < 0)");
    assertEquals(5, p.image()[2], 0, "high end (a > 0)");
    double best = Math.tanh(1) + Math.tanh(1) + Math.tanh(1);
    assertEquals(best, p.objective(), 1e-12);
    assertTrue(p.start() < 0.5, "started near the centre: " + p.start());

    ActivationMaximization.Picture decayed =
        ActivationMaximization.run(
                model,
                null,
                List.of(new Target(null, 0, "tanh_sum")),
                new long[] {1},
                new ActivationMaximization.Settings(200, 0.02, 0.2, 0, 0, 1, 7),
                bounds)
            .get(0);
    assertTrue(
        decayed.image()[0] < 1000 && decayed.image()[0] > 100,
        "a strong decay holds the picture inside its box: " + decayed.image()[0]);
  }

  @Test
  void jitterAndBlurAreForImages() {
    SeparableModel model = new SeparableModel(new double[] {1, 1}, new double[2]);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ActivationMaximization.run(
                    model,
                    null,
                    List.of(new Target(null, 0, "tanh_sum")),
                    new long[] {1},
                    new ActivationMaximization.Settings(10, 0.02, 0, 1, 0, 1, 7),
                    ActivationMaximization.Bounds.uniform(2, -1, 1)));
    assertTrue(e.getMessage().contains("jitter and blur apply to images"), e.getMessage());
  }
}
