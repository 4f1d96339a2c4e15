package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train: what it reports of its rows, label balance and held-out metrics, and its refusals. */
class TrainCommandTest {
  private static final String CREDIT = "datasets/synthetic/credit.csv";
  @TempDir Path dir;

  @Test
  void heldOutRowsAreChosenByHashAndTheirAucIsTheModelsOnThem() throws Exception {
    Path out = dir.resolve("model");
    Cli cli =
        Cli.run(
            "train",
            "--input",
            CREDIT,
            "--id",
            "id",
            "--label",
            "default",
            "--estimator",
            "logistic",
            "--holdout",
            "0.25",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode record = new ObjectMapper().readTree(out.resolve("training.json").toFile());
    assertEquals(2000, record.get("rows").asLong());
    long held = record.get("rows_held_out").asLong();
    assertEquals(2000, record.get("rows_fitted").asLong() + held);
    assertTrue(held > 400 && held < 600, "a quarter of 2,000 rows, by hash: " + held);
    assertEquals(
        2000, record.at("/label_balance/0").asLong() + record.at("/label_balance/1").asLong());

    Dataset<Row> credit =
        SparkTestSession.get()
            .read()
            .option("header", "true")
            .option("inferSchema", "true")
            .csv(CREDIT);
    for (int partitions : new int[] {1, 7}) {
      Dataset<Row> test =
          credit
              .repartition(partitions)
              .filter(TrainingMetrics.heldOut(42, 0.25, List.of(col("id"))));
      assertEquals(held, test.count(), "the same rows for " + partitions + " partitions");
    }
    Dataset<Row> test = credit.filter(TrainingMetrics.heldOut(42, 0.25, List.of(col("id"))));
    List<Row> scored =
        PipelineModel.load(out.toString())
            .transform(test)
            .select("default", "probability")
            .collectAsList();
    double wins = 0;
    long positives = 0;
    long negatives = 0;
    for (Row a : scored) {
      if (a.getInt(0) != 1) {
        negatives++;
        continue;
      }
      positives++;
      double pa = ((org.apache.spark.ml.linalg.Vector) a.get(1)).apply(1);
      for (Row b : scored) {
        if (b.getInt(0) == 0) {
          double pb = ((org.apache.spark.ml.linalg.Vector) b.get(1)).apply(1);
          wins += pa > pb ? 1 : pa == pb ? 0.5 : 0;
        }
      }
    }
    assertEquals(
        wins / (positives * (double) negatives),
        record.at("/held_out/auc").asDouble(),
        1e-12,
        "Mann-Whitney AUC on the held-out rows");
    assertTrue(record.at("/held_out/accuracy").asDouble() > 0.6, record.toString());
    assertTrue(record.at("/held_out/log_loss").asDouble() < 0.69, record.toString());
  }

  @Test
  void aRegressionReportsRmseAndR2AndHoldoutIsRefusedWithBootstrap() throws Exception {
    Path out = dir.resolve("linear");
    Cli cli =
        Cli.run(
            "train",
            "--input",
            CREDIT,
            "--id",
            "id",
            "--label",
            "income",
            "--estimator",
            "linear",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode record = new ObjectMapper().readTree(out.resolve("training.json").toFile());
    assertTrue(record.at("/held_out/rmse").asDouble() > 0, record.toString());
    assertTrue(record.at("/held_out").has("r2"), record.toString());
    assertTrue(record.at("/label_balance").isMissingNode(), "no balance for a regression");
    Cli refused =
        Cli.run(
            "train",
            "--input",
            CREDIT,
            "--id",
            "id",
            "--label",
            "default",
            "--estimator",
            "gbt",
            "--bootstrap",
            "2",
            "--holdout",
            "0.2",
            "--output",
            dir.resolve("b").toString());
    assertEquals(1, refused.exitCode());
    assertTrue(refused.errors().contains("--holdout does not apply to --bootstrap"));
    Cli vector =
        Cli.run(
            "train",
            "--input",
            CREDIT,
            "--label",
            "default",
            "--estimator",
            "rf",
            "--vector",
            "v",
            "--output",
            dir.resolve("v").toString());
    assertEquals(1, vector.exitCode());
    assertTrue(vector.errors().contains("--vector is not used by train"), vector.errors());
    java.nio.file.Path few = dir.resolve("few.csv");
    java.nio.file.Files.write(
        few, java.nio.file.Files.readAllLines(java.nio.file.Path.of(CREDIT)).subList(0, 4));
    Cli tiny =
        Cli.run(
            "train",
            "--input",
            few.toString(),
            "--label",
            "default",
            "--estimator",
            "gbt",
            "--holdout",
            "0",
            "--output",
            dir.resolve("t").toString());
    assertEquals(1, tiny.exitCode());
    assertTrue(
        tiny.errors().contains("train needs at least 10 rows to fit; " + few + " leaves 3"),
        tiny.errors());
    java.nio.file.Path zeros = dir.resolve("zeros.csv");
    List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(CREDIT));
    List<String> kept = new java.util.ArrayList<>(List.of(lines.get(0)));
    lines.stream().skip(1).filter(l -> l.endsWith(",0")).limit(50).forEach(kept::add);
    java.nio.file.Files.write(zeros, kept);
    Cli oneClass =
        Cli.run(
            "train",
            "--input",
            zeros.toString(),
            "--label",
            "default",
            "--estimator",
            "gbt",
            "--output",
            dir.resolve("z").toString());
    assertEquals(1, oneClass.exitCode());
    assertTrue(
        oneClass.errors().contains("the label 'default' has one value (0) in the rows to fit"),
        oneClass.errors());
  }

  @Test
  void aNullFeatureOrLabelFailsNamingItsRowAndOnInvalidSkipDropsAndCountsThem() throws Exception {
    List<String> lines =
        java.nio.file.Files.readAllLines(java.nio.file.Path.of("datasets/iris.csv"));
    List<String> holed = new java.util.ArrayList<>(List.of("id," + lines.get(0)));
    int holes = 0;
    for (int i = 1; i < lines.size(); i++) {
      String[] v = lines.get(i).split(",", -1);
      if (i % 9 == 0) {
        v[i % 2 == 0 ? 1 : 4] = ""; // sepal_width_cm, or the label species
        holes++;
      }
      holed.add(i + "," + String.join(",", v));
    }
    java.nio.file.Path table = dir.resolve("holed.csv");
    java.nio.file.Files.write(table, holed);
    for (String policy : List.of("error", "skip")) {
      Path out = dir.resolve(policy);
      Cli cli =
          Cli.run(
              "train",
              "--input",
              table.toString(),
              "--id",
              "id",
              "--label",
              "species",
              "--estimator",
              "rf",
              "--on-invalid",
              policy,
              "--output",
              out.toString());
      if (policy.equals("error")) {
        assertEquals(1, cli.exitCode());
        assertTrue(
            cli.errors()
                .contains(
                    "null in column 'species' of row id=9, which train fits on; fix the row or"
                        + " pass --on-invalid skip"),
            cli.errors());
        assertTrue(!java.nio.file.Files.exists(out), "no model written");
        continue;
      }
      assertEquals(0, cli.exitCode(), cli.errors());
      JsonNode record = new ObjectMapper().readTree(out.resolve("training.json").toFile());
      assertEquals(holes, record.get("rows_skipped_invalid").asLong(), record.toString());
      assertEquals(
          150 - holes,
          record.get("rows_fitted").asLong() + record.get("rows_held_out").asLong(),
          record.toString());
    }
  }

  @Test
  void missingCategoriesAreCountedAndFittedAsNoCategory() throws Exception {
    List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(CREDIT));
    List<String> holed = new java.util.ArrayList<>(List.of(lines.get(0)));
    for (int i = 1; i < lines.size(); i++) {
      String[] v = lines.get(i).split(",", -1);
      if (i % 50 == 4) {
        v[5] = ""; // region
      }
      holed.add(String.join(",", v));
    }
    Path table = dir.resolve("no_region.csv");
    java.nio.file.Files.write(table, holed);
    Path out = dir.resolve("no_region");
    Cli cli =
        Cli.run(
            "train",
            "--input",
            table.toString(),
            "--id",
            "id",
            "--label",
            "default",
            "--estimator",
            "logistic",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode record = new ObjectMapper().readTree(out.resolve("training.json").toFile());
    assertEquals("{\"region\":40}", record.get("missing_categories").toString());
    // No category: the one-hot block of a row without region is all zeros.
    org.apache.spark.ml.linalg.Vector block =
        (org.apache.spark.ml.linalg.Vector)
            PipelineModel.load(out.toString())
                .transform(
                    SparkTestSession.get()
                        .read()
                        .option("header", "true")
                        .option("inferSchema", "true")
                        .csv(table.toString())
                        .filter("id = 3"))
                .select("region_onehot")
                .first()
                .get(0);
    assertEquals(0, block.numNonzeros(), block.toString());
  }
}
