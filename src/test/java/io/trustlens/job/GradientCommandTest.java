package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** explain with gradient methods from the command line and an audit spec. */
class GradientCommandTest {
  static final String[] SHAPES = {
    "--input",
    "datasets/synthetic/shapes.json",
    "--image",
    "image",
    "--image-shape",
    "1,16,16",
    "--id",
    "id",
    "--label",
    "label",
    "--model",
    "datasets/models/torch/shapes_cnn.pt"
  };
  private static final String[] CANCER = {
    "--input",
    "datasets/breast_cancer.csv",
    "--label",
    "malignant",
    "--model",
    "datasets/models/torch/breast_cancer_mlp.pt"
  };
  @TempDir Path dir;

  private Cli explain(String name, String[] input, String... options) {
    List<String> args = new ArrayList<>(List.of("explain"));
    args.addAll(List.of(input));
    args.addAll(List.of(options));
    args.addAll(List.of("--output", dir.resolve(name).toString()));
    return Cli.run(args.toArray(new String[0]));
  }

  private JsonNode task(String name) throws Exception {
    return new ObjectMapper().readTree(dir.resolve(name + "/summary.json").toFile()).at("/tasks/0");
  }

  @Test
  void attentionMapsOfTheVisionTransformerAndTheirRefusalOnACnn() throws Exception {
    String[] vit = SHAPES.clone();
    vit[vit.length - 1] = "datasets/models/torch/shapes_vit.pt";
    for (String method : List.of("attention_rollout", "class_attention")) {
      Cli cli = explain(method, vit, "--method", method);
      assertEquals(0, cli.exitCode(), cli.errors());
      JsonNode task = task(method);
      assertEquals(
          method.equals("attention_rollout") ? "[1,16,16]" : "[4,16,16]",
          task.at("/map_shape").toString());
      assertTrue(task.at("/unit").asText().contains("any class"), task.toString());
      assertTrue(
          Files.readString(dir.resolve(method + "/report.html")).contains("class explained"),
          "the report's captions");
    }
    Cli cnn = explain("cnn", SHAPES, "--method", "attention_rollout");
    assertEquals(1, cnn.exitCode());
    assertTrue(cnn.errors().contains("needs the module to export attention(x)"), cnn.errors());
    assertFalse(Files.exists(dir.resolve("cnn")));
  }

  @Test
  void integratedGradientsOfImagesWriteMapsGapsAndOverlays() throws Exception {
    Cli cli = explain("ig", SHAPES, "--method", "integrated_gradients", "--target", "top_left");
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task = task("ig");
    assertTrue(task.at("/max_relative_gap").asDouble() <= 0.01, task.toString());
    assertEquals("[1,16,16]", task.at("/map_shape").toString());
    assertEquals("[\"top_left\"]", task.at("/classes_explained").toString());
    Dataset<Row> ig = SparkTestSession.get().read().parquet(dir.resolve("ig/ig").toString());
    assertEquals(600, ig.count());
    assertEquals("array<float>", ig.schema().apply("ig").dataType().simpleString());
    assertEquals(256, ig.first().getList(ig.schema().fieldIndex("ig")).size());
    String html = Files.readString(dir.resolve("ig/report.html"));
    assertEquals(
        GradientTask.DRAWN_IMAGES, html.split("<image ", -1).length / 2, "two panels each");
    assertTrue(html.contains("class explained &#39;top_left&#39;"), "the class named");
    assertTrue(html.contains("change of the logit of the class explained"), "the unit named");
  }

  @Test
  void saliencyOfATableRanksFeaturesAndMeanBaselineKeepsBitsOverPartitions() throws Exception {
    Cli cli = explain("sal", CANCER, "--method", "saliency", "--variant", "signed");
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task = task("sal");
    assertEquals(30, task.at("/mean_abs_attribution").size());
    assertEquals("d logit of the class explained / d input", task.at("/unit").asText());
    String sal = Files.readString(dir.resolve("sal/report.html"));
    assertTrue(sal.contains("Mean |saliency| per feature (malignant: d logit"), "class named");
    String[] mean = {"--method", "integrated_gradients", "--baseline", "mean", "--steps", "8"};
    assertEquals(0, explain("mean1", CANCER, concat(mean, "--partitions", "1")).exitCode());
    assertEquals(0, explain("mean3", CANCER, concat(mean, "--partitions", "3")).exitCode());
    Dataset<Row> one = SparkTestSession.get().read().parquet(dir.resolve("mean1/ig").toString());
    Dataset<Row> three = SparkTestSession.get().read().parquet(dir.resolve("mean3/ig").toString());
    assertEquals(569, one.count());
    assertEquals(0, one.exceptAll(three).count(), "the mean baseline has the same bits");
    assertTrue(task("mean1").at("/max_relative_gap").isNumber());
  }

  @Test
  void gradientMethodsRunFromAnAuditSpec() throws Exception {
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(
        spec,
        "input: {path: datasets/synthetic/shapes.json, id: id, label: label, image: image,"
            + " image_shape: '1,16,16'}\n"
            + "models: {cnn: datasets/models/torch/shapes_cnn.pt}\n"
            + "output: "
            + dir.resolve("audit")
            + "\n"
            + "tasks:\n"
            + "  - {type: explain, method: smoothgrad, samples: 4, noise: 0.1, variant: squared}\n"
            + "  - {type: explain, method: saliency, name: saliency}\n"
            + "  - {type: explain, method: grad_cam, layer: conv2, target: top_left}\n");
    Cli cli = Cli.run("audit", spec.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("audit/summary.json").toFile());
    assertEquals(4, summary.at("/tasks/0/samples").asInt());
    assertEquals("squared", summary.at("/tasks/0/variant").asText());
    assertTrue(Files.exists(dir.resolve("audit/smoothgrad")));
    assertTrue(Files.exists(dir.resolve("audit/saliency")));
    assertEquals("[1,16,16]", summary.at("/tasks/2/map_shape").toString());
    assertTrue(Files.readString(dir.resolve("audit/report.html")).contains("resized to the input"));
  }

  @Test
  void badRequestsFailBeforeOutputNamingTheProblem() {
    String[] credit = {
      "--input",
      "datasets/synthetic/credit.csv",
      "--id",
      "id",
      "--label",
      "default",
      "--model",
      "datasets/models/credit_gbt"
    };
    fails("gives no input gradients", "gbt", credit, "--method", "saliency");
    fails(
        "steps does not apply to method saliency",
        "steps",
        CANCER,
        "--method",
        "saliency",
        "--steps",
        "5");
    fails(
        "background does not apply to method tree",
        "tree",
        credit,
        "--method",
        "tree",
        "--background",
        "5");
    fails("noise does not apply to method kernel", "kernel", credit, "--noise", "0.1");
    fails("samples is 0; it must be at least 1", "zero", credit, "--samples", "0");
    fails("samples is -5; it must be at least 1", "minus", credit, "--samples", "-5");
    fails("noise is NaN", "nan", CANCER, "--method", "smoothgrad", "--noise", "NaN");
    String[] wrongShape = SHAPES.clone();
    wrongShape[5] = "1,8,8";
    fails("reads 256", "shape", wrongShape, "--method", "saliency");
    fails(
        "baseline blur needs images",
        "blur",
        CANCER,
        "--method",
        "integrated_gradients",
        "--baseline",
        "blur");
  }

  private void fails(String expected, String name, String[] input, String... options) {
    Cli cli = explain("x-" + name, input, options);
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains(expected), "expected '" + expected + "' in " + cli.errors());
    assertFalse(Files.exists(dir.resolve("x-" + name)), "no output");
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(new String[0]);
  }
}
