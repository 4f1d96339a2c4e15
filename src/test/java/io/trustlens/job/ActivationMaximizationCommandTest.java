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
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** explain --method activation_maximization from the command line, and its refusals. */
class ActivationMaximizationCommandTest {
  @TempDir Path dir;

  private Cli explain(String out, String... options) {
    return Cli.run(
        OutputFormatsTest.concat(
            OutputFormatsTest.concat(
                OutputFormatsTest.concat(new String[] {"explain"}, GradientCommandTest.SHAPES),
                "--method",
                "activation_maximization",
                "--output",
                dir.resolve(out).toString()),
            options));
  }

  @Test
  void everyClassGetsAPictureTheTopLeftOneBrightInTheTopLeft() throws Exception {
    Cli cli = explain("am", "--steps", "120");
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task =
        new ObjectMapper().readTree(dir.resolve("am/summary.json").toFile()).at("/tasks/0");
    assertEquals(2, task.at("/targets").size(), "every output by default");
    assertEquals("[0.0,1.0]", task.at("/input_range").toString());
    for (JsonNode t : task.at("/targets")) {
      assertTrue(t.at("/objective").asDouble() > t.at("/start").asDouble() + 1, t.toString());
      assertTrue(t.at("/objective_unit").asText().startsWith("logit of"), t.toString());
    }
    Dataset<Row> table =
        SparkTestSession.get().read().parquet(dir.resolve("am/activation_maximization").toString());
    assertEquals(
        "[1,16,16]",
        java.util.Arrays.toString(table.schema().apply("picture").metadata().getLongArray("shape"))
            .replace(" ", ""));
    Row topLeft = table.filter("target = 'top_left'").first();
    List<Float> picture = topLeft.getList(topLeft.fieldIndex("picture"));
    double inside = 0;
    double outside = 0;
    for (int p = 0; p < 256; p++) {
      boolean in = p / 16 < 8 && p % 16 < 8;
      inside += in ? picture.get(p) / 64 : 0;
      outside += in ? 0 : picture.get(p) / 192;
    }
    assertTrue(inside > 2 * outside, inside + " vs " + outside);
    String report = Files.readString(dir.resolve("am/report.html"));
    assertTrue(
        report.contains("logit of &#39;top_left&#39;") || report.contains("logit of 'top_left'"),
        "unit named");
  }

  static final String[] CANCER = {
    "explain",
    "--input",
    "datasets/breast_cancer.csv",
    "--label",
    "malignant",
    "--model",
    "datasets/models/torch/breast_cancer_mlp.pt",
    "--method",
    "activation_maximization"
  };

  /**
   * A table's targets climb from the features' means: each logit rises by more than 5, the input
   * found is classed as its target by the model, stays inside each feature's range, and the report
   * gives its features in standard deviations.
   */
  @Test
  void aTablesTargetsClimbFromTheMeansInsideEachFeaturesRange() throws Exception {
    Cli cli =
        Cli.run(
            OutputFormatsTest.concat(
                CANCER, "--steps", "100", "--output", dir.resolve("t").toString()));
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task =
        new ObjectMapper().readTree(dir.resolve("t/summary.json").toFile()).at("/tasks/0");
    assertEquals(2, task.at("/targets").size());
    for (JsonNode t : task.at("/targets")) {
      assertTrue(t.at("/objective").asDouble() > t.at("/start").asDouble() + 5, t.toString());
      assertEquals(30, t.at("/features_in_sd").size(), t.toString());
    }
    Dataset<Row> pictures =
        SparkTestSession.get()
            .read()
            .parquet(dir.resolve("t/activation_maximization").toString())
            .orderBy("unit");
    List<Row> rows = pictures.collectAsList();
    io.trustlens.model.ModelSource mlp =
        new io.trustlens.model.ModelLoader(SparkTestSession.get())
            .load(
                "datasets/models/torch/breast_cancer_mlp.pt",
                -1,
                io.trustlens.model.OutputKind.LOGIT)
            .source();
    Dataset<Row> data =
        SparkTestSession.get()
            .read()
            .option("header", true)
            .option("inferSchema", true)
            .csv("datasets/breast_cancer.csv");
    String[] names = pictures.schema().apply("picture").metadata().getStringArray("features");
    assertEquals("mean_radius", names[0]);
    for (Row r : rows) {
      List<Float> x = r.getList(3);
      double[] input = new double[30];
      for (int j = 0; j < 30; j++) {
        input[j] = x.get(j);
        double low = data.agg(org.apache.spark.sql.functions.min(names[j])).first().getDouble(0);
        double high = data.agg(org.apache.spark.sql.functions.max(names[j])).first().getDouble(0);
        assertTrue(
            input[j] >= low - 1e-4 * Math.abs(low) && input[j] <= high + 1e-4 * Math.abs(high),
            names[j] + " " + input[j]);
      }
      double[] logits = mlp.open().outputs(input, 1);
      int unit = r.getInt(2);
      assertTrue(
          logits[unit] > logits[1 - unit] + 5,
          r.getString(0) + " " + java.util.Arrays.toString(logits));
    }
    String report = Files.readString(dir.resolve("t/report.html"));
    assertTrue(report.contains("standard deviations from the mean"), "says the unit");
    assertTrue(
        report.contains("logit of &#39;malignant&#39;") || report.contains("logit of 'malignant'"),
        "names the class");
  }

  @Test
  void refusesUnknownTargetsLayersAndUnitsAndTablesBeforeWriting() {
    Cli output = explain("a", "--targets", "circle");
    assertEquals(1, output.exitCode());
    assertTrue(output.errors().contains("target 'circle' is not an output"), output.errors());
    Cli layer = explain("b", "--targets", "conv1:0");
    assertEquals(1, layer.exitCode());
    assertTrue(layer.errors().contains("does not export conv1_activations"), layer.errors());
    Cli unit = explain("c", "--targets", "conv2:16");
    assertEquals(1, unit.exitCode());
    assertTrue(unit.errors().contains("conv2 has units 0..15"), unit.errors());
    Cli decay = explain("d", "--decay", "1.5");
    assertEquals(1, decay.exitCode());
    assertTrue(decay.errors().contains("decay is 1.5"), decay.errors());
    Cli table =
        Cli.run(
            OutputFormatsTest.concat(
                CANCER, "--jitter", "1", "--output", dir.resolve("e").toString()));
    assertEquals(1, table.exitCode());
    assertTrue(table.errors().contains("jitter applies to images"), table.errors());
    for (String d : List.of("a", "b", "c", "d", "e")) {
      assertFalse(Files.exists(dir.resolve(d)), d);
    }
  }
}
