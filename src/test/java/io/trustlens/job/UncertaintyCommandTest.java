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

  @Test
  void anAutoencoderLearnsTheReferenceIsSavedAndFlagsNoiseImagesBreakingTheThreshold()
      throws Exception {
    Path first = dir.resolve("ae");
    Cli cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/digits.csv",
            "--label",
            "digit",
            "--model",
            CNN,
            "--autoencoder",
            "--reference",
            "datasets/digits.csv",
            "--novelty-percentile",
            "98",
            "--conformal",
            "none",
            "--output",
            first.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode summary = new ObjectMapper().readTree(first.resolve("summary.json").toFile());
    JsonNode novelty = summary.at("/tasks/0/novelty");
    assertEquals("datasets/digits.csv", novelty.at("/trained_on").asText());
    assertEquals(98, novelty.at("/percentile").asDouble(), 0);
    assertTrue(novelty.at("/unfamiliar_share").asDouble() <= 0.03, novelty.toString());
    assertEquals(0, summary.at("/warnings").size(), summary.at("/warnings").toString());
    assertTrue(Files.isDirectory(first.resolve("autoencoder")));
    String report = Files.readString(first.resolve("report.html"));
    assertTrue(report.contains("reconstruction error"), "the report draws the errors");

    Path noise = dir.resolve("noise.csv");
    StringBuilder csv = new StringBuilder(String.join(",", pixels()) + "\n");
    java.util.SplittableRandom random = new java.util.SplittableRandom(4);
    for (int i = 0; i < 200; i++) {
      for (int j = 0; j < 64; j++) {
        csv.append(j == 0 ? "" : ",").append(random.nextInt(17));
      }
      csv.append("\n");
    }
    Files.writeString(noise, csv);
    Path second = dir.resolve("ae-noise");
    cli =
        Cli.run(
            "uncertainty",
            "--input",
            noise.toString(),
            "--model",
            CNN,
            "--autoencoder-model",
            first.resolve("autoencoder").toString(),
            "--max-unfamiliar",
            "0.05",
            "--output",
            second.toString());
    assertEquals(3, cli.exitCode(), cli.errors());
    summary = new ObjectMapper().readTree(second.resolve("summary.json").toFile());
    assertTrue(
        summary.at("/tasks/0/novelty/unfamiliar_share").asDouble() > 0.95, summary.toString());
    assertEquals(
        "share of unfamiliar rows (autoencoder)", summary.at("/thresholds/0/check").asText());
    assertFalse(summary.at("/thresholds/0/passed").asBoolean());
  }

  @Test
  void autoencoderKeysWithoutTheAutoencoderAreRefused() {
    Path out = dir.resolve("keys");
    Cli cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/digits.csv",
            "--label",
            "digit",
            "--model",
            CNN,
            "--reference",
            "datasets/digits.csv",
            "--output",
            out.toString());
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains("add autoencoder: true"), cli.errors());
    assertFalse(Files.exists(out));
  }

  @Test
  void aBayesianNetworkLearnsTheReferenceLabelAndAddsItsSpread() throws Exception {
    Path out = dir.resolve("bnn");
    Cli cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/digits.csv",
            "--label",
            "digit",
            "--model",
            CNN,
            "--bayesian-network",
            "--reference",
            "datasets/digits.csv",
            "--calibrator",
            "none",
            "--conformal",
            "none",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode bnn =
        new ObjectMapper()
            .readTree(out.resolve("summary.json").toFile())
            .at("/tasks/0/bayesian_network");
    assertEquals(1797, bnn.at("/training_rows").asLong(), bnn.toString());
    assertTrue(bnn.at("/spread/mean_mutual_information").asDouble() > 0, bnn.toString());
    Dataset<Row> table =
        SparkTestSession.get().read().parquet(out.resolve("uncertainty").toString());
    assertTrue(table.schema().getFieldIndex("bnn_mutual_information").isDefined());
    assertTrue(Files.isDirectory(out.resolve("bayesian_network")));
    assertTrue(Files.readString(out.resolve("report.html")).contains("bnn_mutual_information"));
    cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/digits.csv",
            "--model",
            CNN,
            "--features",
            String.join(",", pixels()),
            "--bayesian-network",
            "--output",
            dir.resolve("bnn-unlabelled").toString());
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains("bayesian_network learns the label"), cli.errors());
  }

  @Test
  void aBootstrapFamilyIsAnEnsembleWhoseExplanationsSpread() throws Exception {
    Path family = dir.resolve("family");
    Cli cli =
        Cli.run(
            "train",
            "--input",
            "datasets/synthetic/credit.csv",
            "--id",
            "id",
            "--label",
            "default",
            "--estimator",
            "gbt",
            "--trees",
            "10",
            "--bootstrap",
            "3",
            "--output",
            family.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    Path out = dir.resolve("spread");
    cli =
        Cli.run(
            "uncertainty",
            "--input",
            "datasets/synthetic/credit.csv",
            "--id",
            "id",
            "--model",
            family.resolve("member_0").toString(),
            "--model",
            family.resolve("member_1").toString(),
            "--model",
            family.resolve("member_2").toString(),
            "--explanation-spread",
            "tree",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode spread =
        new ObjectMapper()
            .readTree(out.resolve("summary.json").toFile())
            .at("/tasks/0/explanation_spread");
    JsonNode perPlayer = spread.at("/mean_std_per_player");
    assertEquals(5, perPlayer.size(), "one player per user column: " + perPlayer);
    perPlayer.forEach(v -> assertTrue(v.isNumber() && v.asDouble() > 0, perPlayer.toString()));
    assertTrue(spread.at("/sign_disagreement_share").asDouble() > 0, spread.toString());
    assertTrue(Files.readString(out.resolve("report.html")).contains("least stable"), "the table");
    cli =
        Cli.run(
            "train",
            "--input",
            "datasets/synthetic/credit.csv",
            "--label",
            "default",
            "--estimator",
            "gbt",
            "--bootstrap",
            "1",
            "--output",
            dir.resolve("one").toString());
    assertTrue(cli.exitCode() != 0 && cli.errors().contains("K >= 2"), cli.errors());
  }

  private static String[] pixels() {
    String[] p = new String[64];
    for (int j = 0; j < 64; j++) {
      p[j] = "p" + j;
    }
    return p;
  }
}
