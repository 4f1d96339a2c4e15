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
            "explain",
            "--input",
            "datasets/breast_cancer.csv",
            "--label",
            "malignant",
            "--model",
            "datasets/models/torch/breast_cancer_mlp.pt",
            "--method",
            "activation_maximization",
            "--output",
            dir.resolve("e").toString());
    assertEquals(1, table.exitCode());
    assertTrue(table.errors().contains("makes pictures"), table.errors());
    for (String d : List.of("a", "b", "c", "d", "e")) {
      assertFalse(Files.exists(dir.resolve(d)), d);
    }
  }
}
