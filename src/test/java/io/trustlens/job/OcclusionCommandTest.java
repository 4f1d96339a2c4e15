package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** explain --method occlusion from the command line: text from train --text, images, tables. */
class OcclusionCommandTest {
  @TempDir Path dir;

  private JsonNode task(String name) throws Exception {
    return new ObjectMapper().readTree(dir.resolve(name + "/summary.json").toFile()).at("/tasks/0");
  }

  /** The six salary words of the truth rank first, each with its effect to within $500. */
  private static void salaryWordsComeFirst(JsonNode task) throws Exception {
    JsonNode truth =
        new ObjectMapper()
            .readTree(new File("datasets/synthetic/jobads.truth.json"))
            .get("word_effects");
    for (int k = 0; k < 6; k++) {
      JsonNode w = task.at("/top_words/" + k);
      JsonNode effect = truth.get(w.at("/word").asText());
      assertTrue(effect != null, "rank " + k + " is a salary word: " + task.at("/top_words"));
      assertEquals(effect.asDouble(), w.at("/mean_drop").asDouble(), 500, w.toString());
    }
  }

  @Test
  void trainTextThenWordOcclusionRanksTheSalaryWordsFirst() throws Exception {
    String model = dir.resolve("salary").toString();
    Cli train =
        Cli.run(
            "train",
            "--input",
            "datasets/synthetic/jobads.csv",
            "--id",
            "id",
            "--label",
            "salary",
            "--text",
            "text",
            "--estimator",
            "linear",
            "--output",
            model);
    assertEquals(0, train.exitCode(), train.errors());
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            "datasets/synthetic/jobads.csv",
            "--id",
            "id",
            "--label",
            "salary",
            "--model",
            model,
            "--method",
            "occlusion",
            "--output",
            dir.resolve("words").toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task = task("words");
    assertEquals("words of text", task.at("/occluded").asText());
    salaryWordsComeFirst(task);
    Dataset<Row> written =
        SparkTestSession.get().read().parquet(dir.resolve("words/occlusion").toString());
    assertEquals(2000, written.count());
    assertEquals(
        List.of(
            "id",
            "text",
            "salary",
            "occlusion",
            "occlusion_words",
            "occlusion_class",
            "occlusion_output"),
        List.of(written.columns()));
    String html = Files.readString(dir.resolve("words/report.html"));
    assertEquals(OcclusionTask.DRAWN_TEXTS + 1, html.split("<p class=\"words\">", -1).length);
    assertTrue(html.contains("drop of the output of the class explained"), "the unit named");

    Cli ngram =
        Cli.run(
            "explain",
            "--input",
            "datasets/synthetic/jobads.csv",
            "--model",
            model,
            "--method",
            "occlusion",
            "--patch",
            "2",
            "--output",
            dir.resolve("bad").toString());
    assertEquals(1, ngram.exitCode());
    assertTrue(ngram.errors().contains("patch applies to images"), ngram.errors());
    assertFalse(Files.exists(dir.resolve("bad")), "no output");
  }

  @Test
  void aTorchScriptModelOverTokenIdsRanksTheSalaryWordsFirst() throws Exception {
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            "datasets/synthetic/jobads.csv",
            "--id",
            "id",
            "--label",
            "salary",
            "--model",
            "datasets/models/torch/jobads_tokens.pt",
            "--method",
            "occlusion",
            "--output",
            dir.resolve("tokens").toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task = task("tokens");
    assertEquals("words of text", task.at("/occluded").asText());
    salaryWordsComeFirst(task);
    Cli missing =
        Cli.run(
            "explain",
            "--input",
            "datasets/breast_cancer.csv",
            "--model",
            "datasets/models/torch/jobads_tokens.pt",
            "--method",
            "occlusion",
            "--output",
            dir.resolve("missing").toString());
    assertEquals(1, missing.exitCode());
    assertTrue(missing.errors().contains("reads the text column 'text'"), missing.errors());
    assertFalse(Files.exists(dir.resolve("missing")), "no output");
  }

  @Test
  void imagesAndTablesGiveMapsBarsAndOverlays() throws Exception {
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            "datasets/synthetic/shapes.json",
            "--image",
            "image",
            "--image-shape",
            "1,16,16",
            "--id",
            "id",
            "--model",
            "datasets/models/torch/shapes_cnn.pt",
            "--method",
            "occlusion",
            "--target",
            "top_left",
            "--patch",
            "4",
            "--fill",
            "blur",
            "--output",
            dir.resolve("shapes").toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task = task("shapes");
    assertEquals("[1,16,16]", task.at("/map_shape").toString());
    assertEquals(4, task.at("/patch").asInt());
    assertEquals(2, task.at("/stride").asInt(), "half the patch by default");
    String html = Files.readString(dir.resolve("shapes/report.html"));
    assertEquals(GradientTask.DRAWN_IMAGES, html.split("<image ", -1).length / 2);
    assertTrue(html.contains("class explained &#39;top_left&#39;"), "the class named");

    Cli credit =
        Cli.run(
            "explain",
            "--input",
            "datasets/synthetic/credit.csv",
            "--id",
            "id",
            "--label",
            "default",
            "--model",
            "datasets/models/credit_gbt",
            "--method",
            "occlusion",
            "--fill",
            "mean",
            "--target",
            "1",
            "--output",
            dir.resolve("credit").toString());
    assertEquals(0, credit.exitCode(), credit.errors());
    JsonNode t = task("credit");
    List<String> names = new ArrayList<>();
    t.at("/mean_abs_occlusion").fieldNames().forEachRemaining(names::add);
    assertEquals(5, names.size(), t.toString());
    assertTrue(names.contains("region"), "the one-hot block as one feature");
    assertEquals("[\"class_1\"]", t.at("/classes_explained").toString());
    String creditHtml = Files.readString(dir.resolve("credit/report.html"));
    assertTrue(
        creditHtml.contains("Mean |drop| per feature when it is occluded (class_1: drop of"),
        "the class named in the plot");

    Cli bad =
        Cli.run(
            "explain",
            "--input",
            "datasets/synthetic/credit.csv",
            "--model",
            "datasets/models/credit_gbt",
            "--method",
            "occlusion",
            "--fill-value",
            "3",
            "--output",
            dir.resolve("bad").toString());
    assertEquals(1, bad.exitCode());
    assertTrue(bad.errors().contains("fill_value applies to fill constant only"), bad.errors());
  }
}
