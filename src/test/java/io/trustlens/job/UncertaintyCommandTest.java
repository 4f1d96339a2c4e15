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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The uncertainty command with Monte Carlo dropout: columns, summary, report and refusals. */
class UncertaintyCommandTest {
  private static final String CNN = "datasets/models/torch/digits_cnn.pt";
  @TempDir Path dir;

  @Test
  void mcDropoutAddsTheSpreadOfItsPassesThenCalibratesTheirMean() throws Exception {
    Path out = dir.resolve("mc");
    Cli cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/digits.csv",
            "--label",
            "digit",
            "--model",
            CNN,
            "--mc-dropout",
            "8",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task =
        new ObjectMapper().readTree(out.resolve("summary.json").toFile()).at("/tasks/0");
    assertEquals(8, task.at("/mc_dropout_passes").asInt(), task.toString());
    assertTrue(task.at("/spread/mean_mutual_information").asDouble() > 0, task.toString());
    assertTrue(task.at("/calibration/before/accuracy").asDouble() > 0.95, task.toString());
    assertTrue(task.has("conformal"), task.toString());
    Dataset<Row> table =
        SparkTestSession.get().read().parquet(out.resolve("uncertainty").toString());
    assertEquals(1797, table.count());
    assertTrue(table.schema().getFieldIndex("uncertainty_mutual_information").isDefined());
    String report = Files.readString(out.resolve("report.html"));
    assertTrue(report.contains("Monte Carlo dropout passes"), "the report names the passes");
  }

  @Test
  void mcDropoutNeedsNoLabel() throws Exception {
    Path out = dir.resolve("unlabelled");
    Cli cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/digits.csv",
            "--model",
            CNN,
            "--features",
            String.join(",", pixels()),
            "--mc-dropout",
            "4",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task =
        new ObjectMapper().readTree(out.resolve("summary.json").toFile()).at("/tasks/0");
    assertFalse(task.has("calibration"), task.toString());
    assertTrue(task.has("spread"), task.toString());
  }

  @Test
  void mcDropoutOnAModelWithoutForwardMcOrAnEnsembleOrOnePassIsRefusedWithoutOutput() {
    Path out = dir.resolve("refused");
    Cli cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/breast_cancer.csv",
            "--label",
            "malignant",
            "--model",
            "datasets/models/torch/breast_cancer_mlp.pt",
            "--mc-dropout",
            "5",
            "--output",
            out.toString());
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains("forward_mc(x, noise)"), cli.errors());
    assertFalse(Files.exists(out));
    cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/digits.csv",
            "--label",
            "digit",
            "--model",
            CNN,
            "--model",
            CNN,
            "--mc-dropout",
            "5",
            "--output",
            out.toString());
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains("mc_dropout makes passes of one model"), cli.errors());
    cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/digits.csv",
            "--label",
            "digit",
            "--model",
            CNN,
            "--mc-dropout",
            "1",
            "--output",
            out.toString());
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains(">= 2 passes"), cli.errors());
    assertFalse(Files.exists(out));
  }

  private static String[] pixels() {
    String[] p = new String[64];
    for (int j = 0; j < 64; j++) {
      p[j] = "p" + j;
    }
    return p;
  }
}
