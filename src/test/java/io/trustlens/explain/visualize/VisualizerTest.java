package io.trustlens.explain.visualize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.ImageShape;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.ModelSource;
import io.trustlens.model.OutputKind;
import io.trustlens.testing.SparkTestSession;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Activation maximization on the shapes CNN, whose class is decided by a known region. */
class VisualizerTest {
  static final ImageShape SHAPE = new ImageShape(1, 16, 16);

  @Test
  void theTopLeftClassIsBrightInTheTopLeftAndAPictureIsTheSameInAnyPartition() {
    ModelSource source =
        new ModelLoader(SparkTestSession.get())
            .load("datasets/models/torch/shapes_cnn.pt", -1, OutputKind.LOGIT)
            .source();
    List<Target> targets =
        List.of(
            new Target(null, 1, "top_left"),
            new Target(null, 0, "other"),
            new Target("conv2", 3, "conv2:3"),
            new Target("conv2", 7, "conv2:7"));
    ActivationMaximization.Settings settings =
        new ActivationMaximization.Settings(200, 0.02, 0.01, 1, 0.5, 4, 42);
    ActivationMaximization.Bounds bounds = ActivationMaximization.Bounds.uniform(256, 0, 1);
    List<ActivationMaximization.Picture> one =
        Visualizer.run(SparkTestSession.get(), source, SHAPE, targets, settings, bounds, 1);
    for (ActivationMaximization.Picture p : one) {
      double inside = 0;
      double outside = 0;
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          if (y < 8 && x < 8) {
            inside += p.image()[y * 16 + x] / 64;
          } else {
            outside += p.image()[y * 16 + x] / 192;
          }
        }
      }
      System.out.printf(
          "activation maximization %-8s objective %.3f -> %.3f, mean top-left %.3f, elsewhere %.3f%n",
          p.target().name(), p.start(), p.objective(), inside, outside);
      assertTrue(p.objective() > p.start() + 1, p.target().name() + " rose");
      if (p.target().name().equals("top_left")) {
        assertTrue(inside > 2 * outside, "top_left: " + inside + " vs " + outside);
      }
    }
    List<ActivationMaximization.Picture> three =
        Visualizer.run(SparkTestSession.get(), source, SHAPE, targets, settings, bounds, 3);
    for (int t = 0; t < targets.size(); t++) {
      assertEquals(targets.get(t), three.get(t).target());
      assertArrayEquals(one.get(t).image(), three.get(t).image(), 0, "1 vs 3 partitions");
    }
  }
}
