package io.trustlens.explain.gradient;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.InvalidModelException;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gradient stage on Spark: true regions found, completeness, determinism, MLlib contract. */
class GradientExplainerTest {
  static final String SHAPES_CNN = "datasets/models/torch/shapes_cnn.pt";
  static final String DIGITS_CNN = "datasets/models/torch/digits_cnn.pt";
  @TempDir Path dir;

  static Dataset<Row> shapes() {
    return SparkTestSession.get().read().json("datasets/synthetic/shapes.json");
  }

  static GradientExplainer onShapes(String method) {
    return new GradientExplainer()
        .setModelPath(SHAPES_CNN)
        .setImageCol("image")
        .setImageShape("1,16,16")
        .setIdCol("id")
        .setMethod(method)
        .setTarget("top_left");
  }

  @Test
  void attentionMapsOfTheShapesVitPeakOnTheBrightSquare() {
    Dataset<Row> rows = shapes();
    for (String method : Attention.METHODS) {
      GradientExplainer stage =
          onShapes(method)
              .setModelPath("datasets/models/torch/shapes_vit.pt")
              .setTarget("predicted");
      String col = stage.getOutputCol();
      List<Row> out = stage.transform(rows).select(col, "image").collectAsList();
      long[] shape = stage.transform(rows).schema().apply(col).metadata().getLongArray("shape");
      int maps = (int) shape[0];
      assertEquals(method.equals("attention_rollout") ? 1 : 4, maps, method);
      int[] onSquare = new int[maps + 1]; // per head, then all heads summed
      for (Row r : out) {
        List<Float> map = r.getList(0);
        List<Number> image = r.getList(1);
        double[] sum = new double[256];
        for (int m = 0; m < maps; m++) {
          double[] one = new double[256];
          double patches = 0;
          for (int p = 0; p < 256; p++) {
            one[p] = map.get(m * 256 + p);
            sum[p] += one[p];
            patches += one[p] / 16; // each patch's value repeats over its 16 pixels
            assertTrue(one[p] >= 0, method + ": attention is a share");
          }
          assertTrue(patches <= 1 + 1e-5, method + ": the class token's attention sums to <= 1");
          onSquare[m] += peaksOnTheSquare(one, image) ? 1 : 0;
        }
        onSquare[maps] += peaksOnTheSquare(sum, image) ? 1 : 0;
      }
      double[] share = new double[maps + 1];
      for (int m = 0; m <= maps; m++) {
        share[m] = (double) onSquare[m] / out.size();
      }
      System.out.printf(
          "%s: share of %d maps that peak on a patch of the square, per map then summed: %s%n",
          method, out.size(), java.util.Arrays.toString(share));
      if (method.equals("attention_rollout")) {
        // By chance: the square covers 1 to 4 of the 16 patches, about 2.25 on average (0.14).
        assertTrue(share[maps] >= 0.75, method + ": " + share[maps]);
      } else {
        // The last layer's heads split the work: some look at the square, others elsewhere.
        assertTrue(
            java.util.Arrays.stream(share, 0, maps).max().getAsDouble() >= 0.5,
            method + ": no head looks at the square " + java.util.Arrays.toString(share));
      }
    }
  }

  /** Whether the map's largest value lies on a 4x4 patch that holds a bright pixel. */
  private static boolean peaksOnTheSquare(double[] map, List<Number> image) {
    int best = 0;
    for (int p = 1; p < 256; p++) {
      best = map[p] > map[best] ? p : best;
    }
    int py = best / 16 / 4 * 4;
    int px = best % 16 / 4 * 4;
    for (int y = py; y < py + 4; y++) {
      for (int x = px; x < px + 4; x++) {
        if (image.get(y * 16 + x).doubleValue() > 0.5) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void eachMapPeaksInsideTheTrueRegionForPositiveRows() {
    Dataset<Row> positives = shapes().filter("label = 1");
    for (String method : GradientExplainer.METHODS) {
      if (Attention.METHODS.contains(method)) {
        continue; // a Vision Transformer's: below
      }
      GradientExplainer stage = onShapes(method);
      if (method.equals("smoothgrad")) {
        stage.setSamples(20);
      }
      String col = stage.getOutputCol();
      List<Row> rows = stage.transform(positives).select(col).collectAsList();
      assertEquals(256, rows.get(0).getList(0).size(), method + ": one value per pixel");
      int inside = 0;
      for (Row r : rows) {
        List<Float> map = r.getList(0);
        int best = 0;
        for (int p = 1; p < map.size(); p++) {
          if (Math.abs(map.get(p)) > Math.abs(map.get(best))) {
            best = p;
          }
        }
        inside += best / 16 < 8 && best % 16 < 8 ? 1 : 0;
        if (method.equals("grad_cam")) {
          assertTrue(map.stream().allMatch(v -> v >= 0), "Grad-CAM is a ReLU of a weighted sum");
        }
      }
      double share = (double) inside / rows.size();
      System.out.printf(
          "%s: %.3f of %d positive maps peak in the true region%n", method, share, rows.size());
      assertTrue(share >= 0.9, method + ": " + share);
    }
  }

  @Test
  void guidedBackpropIsNotThePlainGradient() {
    Dataset<Row> some = shapes().limit(20);
    Dataset<Row> guided = onShapes("guided_backprop").transform(some).select("guided_backprop");
    Dataset<Row> plain =
        onShapes("saliency").setVariant("signed").transform(some).select("saliency");
    assertEquals(20, guided.exceptAll(plain).count(), "every row's map changes with guided ReLUs");
  }

  @Test
  void integratedGradientsAreCompleteToOnePercentAtTheDefaultSteps() {
    double worstDefault = worstGap(onShapes("integrated_gradients"));
    System.out.printf(
        "shapes IG gauss_legendre 50: largest |gap| / |f(x) - f(x')| = %.2e%n", worstDefault);
    assertTrue(worstDefault <= 0.01, "the default rule and steps: " + worstDefault);
    double trapezoid50 = worstGap(onShapes("integrated_gradients").setRule("trapezoid"));
    double trapezoid200 =
        worstGap(onShapes("integrated_gradients").setRule("trapezoid").setSteps(200));
    System.out.printf(
        "shapes IG trapezoid: largest relative gap %.2e at 50 steps, %.2e at 200%n",
        trapezoid50, trapezoid200);
    assertTrue(trapezoid200 < trapezoid50 / 2, "the trapezoid's gap shrinks with steps");
    Dataset<Row> digits = Tables.csv("digits.csv").limit(200);
    Dataset<Row> ig =
        new GradientExplainer()
            .setModelPath(DIGITS_CNN)
            .setMethod("integrated_gradients")
            .transform(digits);
    double worst =
        ig.selectExpr("max(abs(ig_gap) / abs(ig_output - ig_baseline_output))")
            .first()
            .getDouble(0);
    System.out.printf("digits IG: largest |gap| / |f(x) - f(x')| = %.2e%n", worst);
    assertTrue(worst <= 0.01, "digits: " + worst);
  }

  private static double worstGap(GradientExplainer stage) {
    return stage
        .transform(shapes().limit(200))
        .selectExpr("max(abs(ig_gap) / abs(ig_output - ig_baseline_output))")
        .first()
        .getDouble(0);
  }

  @Test
  void oneAndSevenPartitionsGiveTheSameBitsWithAndWithoutIds() {
    for (String id : List.of("id", "")) {
      GradientExplainer stage = onShapes("smoothgrad").setSamples(8).setIdCol(id);
      Dataset<Row> one = stage.transform(shapes().repartition(1));
      Dataset<Row> seven = stage.transform(shapes().repartition(7));
      assertEquals(600, one.count());
      assertEquals(0, one.exceptAll(seven).count(), "id '" + id + "'");
      assertEquals(0, seven.exceptAll(one).count(), "id '" + id + "'");
    }
    Dataset<Row> seed1 = onShapes("smoothgrad").setSamples(8).transform(shapes());
    Dataset<Row> seed2 = onShapes("smoothgrad").setSamples(8).setSeed(7).transform(shapes());
    assertTrue(seed1.exceptAll(seed2).count() > 0, "another seed, other noise");
  }

  @Test
  void stageCopiesSavesAndLoadsInsideAPipelineWithTheSameBits() throws Exception {
    Dataset<Row> data = shapes().limit(50);
    GradientExplainer stage = onShapes("integrated_gradients").setSteps(16).setRule("trapezoid");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {stage});
    PipelineModel fitted = pipeline.fit(data);
    Dataset<Row> direct = stage.transform(data);
    assertEquals(0, fitted.transform(data).exceptAll(direct).count(), "inside a Pipeline");
    assertArrayEquals(
        new long[] {1, 16, 16},
        direct.schema().apply("ig").metadata().getLongArray("shape"),
        "the map's shape travels in its column's metadata");

    GradientExplainer copy = stage.copy(new ParamMap().put(stage.steps().w(8)));
    assertEquals(8, copy.getSteps());
    assertEquals(16, stage.getSteps(), "the original keeps its params");
    assertEquals(stage.uid(), copy.uid());
    assertTrue(copy.transform(data).exceptAll(direct).count() > 0, "8 steps differ from 16");
    Dataset<Row> viaParamMap =
        pipeline.fit(data, new ParamMap().put(stage.steps().w(8))).transform(data);
    assertEquals(0, viaParamMap.exceptAll(copy.transform(data)).count(), "fit(df, paramMap)");

    String saved = dir.resolve("pipeline").toString();
    fitted.write().overwrite().save(saved);
    PipelineModel loaded = PipelineModel.load(saved);
    assertEquals(0, loaded.transform(data).exceptAll(direct).count(), "saved and loaded");
    String stagePath = dir.resolve("stage").toString();
    stage.write().overwrite().save(stagePath);
    GradientExplainer again = GradientExplainer.load(stagePath);
    assertEquals("trapezoid", again.getRule());
    assertEquals(SHAPES_CNN, again.getModelPath());
    assertEquals(0, again.transform(data).exceptAll(direct).count());
  }

  @Test
  void badRequestsFailBeforeAnyTaskNamingTheProblem() {
    Dataset<Row> credit = Tables.csv("synthetic/credit.csv");
    InvalidModelException tree =
        assertThrows(
            InvalidModelException.class,
            () ->
                new GradientExplainer()
                    .setModelPath("datasets/models/credit_gbt")
                    .transformSchema(credit.schema()));
    assertTrue(tree.getMessage().contains("gives no input gradients"), tree.getMessage());
    assertTrue(tree.getMessage().contains("kernel, permutation or exact"), tree.getMessage());
    InvalidFeatureException shape =
        assertThrows(
            InvalidFeatureException.class,
            () -> onShapes("saliency").setImageShape("1,8,8").transformSchema(shapes().schema()));
    assertTrue(shape.getMessage().contains("reads 256"), shape.getMessage());
    IllegalArgumentException blur =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new GradientExplainer()
                    .setModelPath("datasets/models/torch/breast_cancer_mlp.pt")
                    .setMethod("integrated_gradients")
                    .setBaseline("blur")
                    .transformSchema(Tables.csv("breast_cancer.csv").schema()));
    assertTrue(blur.getMessage().contains("baseline blur needs images"), blur.getMessage());
    IllegalArgumentException target =
        assertThrows(
            IllegalArgumentException.class,
            () -> onShapes("saliency").setTarget("circle").transformSchema(shapes().schema()));
    assertTrue(target.getMessage().contains("unknown target 'circle'"), target.getMessage());
    Dataset<Row> digits = Tables.csv("digits.csv");
    InvalidModelException guided =
        assertThrows(
            InvalidModelException.class,
            () ->
                new GradientExplainer()
                    .setModelPath(DIGITS_CNN)
                    .setMethod("guided_backprop")
                    .transformSchema(digits.schema()));
    assertTrue(
        guided.getMessage().contains("needs the module to export guided_backprop"),
        guided.getMessage());
    InvalidModelException layer =
        assertThrows(
            InvalidModelException.class,
            () -> onShapes("grad_cam").setLayer("conv1").transformSchema(shapes().schema()));
    assertTrue(layer.getMessage().contains("exports [conv2]: set layer"), layer.getMessage());
    IllegalArgumentException table =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new GradientExplainer()
                    .setModelPath("datasets/models/torch/breast_cancer_mlp.pt")
                    .setMethod("grad_cam")
                    .transformSchema(Tables.csv("breast_cancer.csv").schema()));
    assertTrue(table.getMessage().contains("grad_cam maps images"), table.getMessage());
  }
}
