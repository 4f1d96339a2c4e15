package io.trustlens.explain.sanity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explain.gradient.Baseline;
import io.trustlens.explain.gradient.GradCam;
import io.trustlens.explain.gradient.GradientBatches;
import io.trustlens.explain.gradient.GradientMethod;
import io.trustlens.explain.gradient.GuidedBackprop;
import io.trustlens.explain.gradient.IntegratedGradients;
import io.trustlens.explain.gradient.Saliency;
import io.trustlens.feature.ImageShape;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.ModelSource;
import io.trustlens.model.OutputKind;
import io.trustlens.testing.SparkTestSession;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Adebayo et al.'s finding on the bundled shapes CNN, and the checks' own invariants. */
class SanityChecksTest {
  static final ImageShape SHAPE = new ImageShape(1, 16, 16);

  static ModelSource source(String file) {
    return new ModelLoader(SparkTestSession.get())
        .load("datasets/models/torch/" + file, -1, OutputKind.LOGIT)
        .source();
  }

  @Test
  void everyMethodsMapsDecorrelateFromTheTrainedModelsAsLayersAreRandomized() {
    List<Row> rows =
        SparkTestSession.get()
            .read()
            .json("datasets/synthetic/shapes.json")
            .filter("label = 1")
            .limit(24)
            .collectAsList();
    int n = rows.size();
    double[] xs = new double[n * 256];
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      List<Object> image = rows.get(i).getList(rows.get(i).fieldIndex("image"));
      for (int j = 0; j < 256; j++) {
        xs[i * 256 + j] = ((Number) image.get(j)).doubleValue();
      }
      keys[i] = i;
    }
    Map<String, GradientMethod> methods = new LinkedHashMap<>();
    methods.put("saliency", new Saliency("absolute"));
    methods.put(
        "integrated_gradients", new IntegratedGradients(Baseline.zero(), 50, "gauss_legendre"));
    methods.put("guided_backprop", new GuidedBackprop("absolute"));
    methods.put("grad_cam", new GradCam("conv2", SHAPE));
    List<SanityChecks.Result> results =
        SanityChecks.run(
            SparkTestSession.get(),
            source("shapes_cnn.pt"),
            source("shapes_cnn_permuted.pt"),
            methods,
            xs,
            keys,
            GradientBatches.PREDICTED,
            SHAPE,
            3);
    Map<String, Double> last = new LinkedHashMap<>();
    Map<String, Double> permuted = new LinkedHashMap<>();
    for (SanityChecks.Result r : results) {
      System.out.printf(
          "sanity %-10s %-22s %-22s spearman %.3f ssim %.3f%n",
          r.variant().check(), r.variant().label(), r.method(), r.meanSpearman(), r.meanSsim());
      if (r.variant().check().equals(SanityChecks.CASCADING) && r.variant().level() == 0) {
        assertEquals(1, r.meanSpearman(), 1e-12, r.method() + " against itself");
        assertEquals(1, r.meanSsim(), 1e-12, r.method() + " against itself");
      }
      if (r.variant().label().equals("fc2+fc1+conv2+conv1")) {
        last.put(r.method(), r.meanSpearman());
      }
      if (r.variant().check().equals(SanityChecks.DATA)) {
        permuted.put(r.method(), r.meanSpearman());
      }
    }
    // Gradients decorrelate fully; Integrated Gradients keep the input's own mask (x - 0 times the
    // gradient is 0 off the shape), so half their rank correlation survives: the paper's note on
    // input-multiplied maps.
    assertTrue(last.get("saliency") < 0.3 && permuted.get("saliency") < 0.3, "saliency " + last);
    assertTrue(last.get("integrated_gradients") < 0.6, "IG " + last);
    assertTrue(permuted.get("integrated_gradients") < 0.6, "IG " + permuted);
    assertTrue(last.get("guided_backprop") < 0.6, "guided backprop " + last);
    assertTrue(last.get("grad_cam") < 0.6, "Grad-CAM " + last);
  }

  @Test
  void layersAreRandomizedFromTheTopWithDrawsThatDependOnTheSeedAndNameAlone() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("conv1.weight", new long[] {8, 1, 3, 3});
    shapes.put("conv1.bias", new long[] {8});
    shapes.put("fc.weight", new long[] {2, 72});
    shapes.put("fc.bias", new long[] {2});
    CascadingRandomization c = new CascadingRandomization(shapes);
    assertEquals(List.of("conv1", "fc"), c.layers());
    assertEquals(List.of("fc"), c.top(1));
    assertEquals(List.of("fc", "conv1"), c.top(2));
    float[] w = c.draw("conv1", "conv1.weight", 3);
    assertArrayEquals(w, c.draw("conv1", "conv1.weight", 3));
    float max = 0;
    for (float v : w) {
      max = Math.max(max, Math.abs(v));
    }
    assertTrue(max <= 1 / 3.0 && max > 0.25, "uniform on 1/sqrt(9): largest " + max);
    float[] b = c.draw("fc", "fc.bias", 3);
    for (float v : b) {
      assertTrue(Math.abs(v) <= 1 / Math.sqrt(72), "a bias uses its weight's fan-in");
    }
    assertTrue(w[0] != c.draw("conv1", "conv1.weight", 4)[0], "another seed, other draws");
  }
}
