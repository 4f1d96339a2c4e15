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

/** explain --method sanity_checks from the command line and an audit spec, and its refusals. */
class SanityCommandTest {
  static final String[] SHAPES = GradientCommandTest.SHAPES;
  @TempDir Path dir;

  @Test
  void theDefaultMethodsAreCheckedWithVerdictsTableAndFigures() throws Exception {
    String[] command =
        OutputFormatsTest.concat(
            OutputFormatsTest.concat(new String[] {"explain"}, SHAPES),
            "--method",
            "sanity_checks",
            "--permuted-model",
            "datasets/models/torch/shapes_cnn_permuted.pt",
            "--rows",
            "12",
            "--samples",
            "8",
            "--steps",
            "16",
            "--output",
            dir.resolve("sanity").toString());
    Cli cli = Cli.run(command);
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task =
        new ObjectMapper().readTree(dir.resolve("sanity/summary.json").toFile()).at("/tasks/0");
    assertEquals(12, task.at("/rows_compared").asInt());
    assertEquals(
        "[\"fc2\",\"fc1\",\"conv2\",\"conv1\"]", task.at("/layers_from_the_top").toString());
    List<String> methods =
        List.of("saliency", "smoothgrad", "integrated_gradients", "guided_backprop", "grad_cam");
    for (String m : methods) {
      JsonNode method = task.at("/methods/" + m);
      assertEquals(5, method.at("/cascading").size(), m);
      assertEquals(1.0, method.at("/cascading/0/spearman").asDouble(), 1e-12, m + " trained");
      assertTrue(method.at("/verdict").asText().contains("cascading check"), method.toString());
      assertTrue(method.has("data_passed"), m);
      int alike = 0;
      while (alike < 4 && method.at("/cascading/" + (alike + 1) + "/spearman").asDouble() >= 0.5) {
        alike++;
      }
      assertEquals(alike, method.at("/layers_randomized_while_alike").asInt(), method.toString());
    }
    assertTrue(task.at("/methods/saliency/cascading_passed").asBoolean(), task.toString());
    Dataset<Row> table =
        SparkTestSession.get().read().parquet(dir.resolve("sanity/sanity_checks").toString());
    assertEquals(5L * 6 * 12, table.count(), "methods x (trained, 4 layers, permuted) x rows");
    String report = Files.readString(dir.resolve("sanity/report.html"));
    assertTrue(report.contains("layers randomized, from the output down"), "cascade figure");
    assertTrue(report.contains("permuted labels"), "data check");
    assertTrue(report.contains("class explained"), "says what is explained");
  }

  @Test
  void refusesNonGradientMethodsAndAnotherNetworkBeforeWriting() throws Exception {
    Cli kernel =
        Cli.run(
            OutputFormatsTest.concat(
                OutputFormatsTest.concat(new String[] {"explain"}, SHAPES),
                "--method",
                "sanity_checks",
                "--compare",
                "saliency,kernel",
                "--output",
                dir.resolve("b").toString()));
    assertEquals(1, kernel.exitCode());
    assertTrue(kernel.errors().contains("compare names 'kernel'"), kernel.errors());
    Cli other =
        Cli.run(
            OutputFormatsTest.concat(
                OutputFormatsTest.concat(new String[] {"explain"}, SHAPES),
                "--method",
                "sanity_checks",
                "--permuted-model",
                "datasets/models/torch/shapes64_cnn.pt",
                "--output",
                dir.resolve("c").toString()));
    assertEquals(1, other.exitCode());
    assertTrue(other.errors().contains("needs the same network"), other.errors());
    assertFalse(Files.exists(dir.resolve("c")));
    Cli unused =
        Cli.run(
            OutputFormatsTest.concat(
                OutputFormatsTest.concat(new String[] {"explain"}, SHAPES),
                "--method",
                "saliency",
                "--rows",
                "5",
                "--output",
                dir.resolve("d").toString()));
    assertEquals(1, unused.exitCode());
    assertTrue(unused.errors().contains("rows does not apply to method saliency"), unused.errors());
  }
}
