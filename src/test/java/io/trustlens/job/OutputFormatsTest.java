package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command writes every output format it can hold, reads its own output back for its report,
 * and the table re-read with the Parquet run's schema equals the Parquet run's rows.
 */
class OutputFormatsTest {
  private static final String CREDIT = "datasets/synthetic/credit.csv";
  private static final String GBT = "datasets/models/credit_gbt";
  private static final String[] CREDIT_INPUT = {
    "--input", CREDIT, "--id", "id", "--label", "default"
  };
  @TempDir Path dir;

  @Test
  void scoreWritesParquetAndJsonAndRefusesCsvForItsProbabilityVector() throws Exception {
    String[] score = concat(concat(new String[] {"score"}, CREDIT_INPUT), "--model", GBT);
    sameInEveryFormat("score", score, "predictions", List.of("parquet", "json"));
    refusesCsv(score, "probability");
  }

  @Test
  void uncertaintyWritesParquetAndJsonAndRefusesCsvForItsSets() throws Exception {
    String[] uncertainty =
        concat(concat(new String[] {"uncertainty"}, CREDIT_INPUT), "--model", GBT);
    sameInEveryFormat("uncertainty", uncertainty, "uncertainty", List.of("parquet", "json"));
    refusesCsv(uncertainty, "probability");
    String[] dropout = {
      "uncertainty",
      "--input",
      "datasets/digits.csv",
      "--label",
      "digit",
      "--model",
      "datasets/models/torch/digits_cnn.pt",
      "--mc-dropout",
      "5",
      "--calibrator",
      "none",
      "--conformal",
      "none"
    };
    sameInEveryFormat("mc-dropout", dropout, "uncertainty", List.of("parquet", "json"));
    refusesCsv(dropout, "uncertainty_mean");
  }

  @Test
  void explainWritesParquetAndJsonForEveryMethodFamilyAndRefusesCsv() throws Exception {
    String[] tree =
        concat(concat(new String[] {"explain"}, CREDIT_INPUT), "--model", GBT, "--method", "tree");
    sameInEveryFormat(
        "tree", concat(tree, "--waterfall-rows", "3,1999"), "shap", List.of("parquet", "json"));
    for (String format : List.of("parquet", "json")) {
      // Row 3 is among the plotted first rows, row 1999 (the last) is read apart: both drawn.
      String html = Files.readString(dir.resolve("tree-" + format).resolve("report.html"));
      assertTrue(html.contains("Waterfall of row id=3"), format);
      assertTrue(
          html.contains("Waterfall of row id=1999") && html.contains("debt_ratio = 0.065"), format);
    }
    String[] kernel =
        concat(
            concat(new String[] {"explain"}, CREDIT_INPUT),
            "--model",
            GBT,
            "--method",
            "kernel",
            "--samples",
            "24",
            "--background",
            "5",
            "--partitions",
            "3");
    sameInEveryFormat("kernel", kernel, "shap", List.of("parquet", "json"));
    refusesCsv(tree, "shap");
    String[] ig = {
      "explain",
      "--input",
      "datasets/breast_cancer.csv",
      "--label",
      "malignant",
      "--model",
      "datasets/models/torch/breast_cancer_mlp.pt",
      "--method",
      "integrated_gradients",
      "--steps",
      "8"
    };
    sameInEveryFormat("ig", ig, "ig", List.of("parquet", "json"));
    refusesCsv(ig, "ig");
    String[] occlusion =
        concat(
            concat(new String[] {"explain"}, CREDIT_INPUT),
            "--model",
            GBT,
            "--method",
            "occlusion",
            "--fill",
            "mean");
    sameInEveryFormat("occlusion", occlusion, "occlusion", List.of("parquet", "json"));
    refusesCsv(occlusion, "occlusion");
    String[] lime =
        concat(
            concat(new String[] {"explain"}, CREDIT_INPUT),
            "--model",
            GBT,
            "--method",
            "lime",
            "--samples",
            "200",
            "--background",
            "200");
    sameInEveryFormat("lime", lime, "lime", List.of("parquet", "json"));
    refusesCsv(lime, "lime");
    String[] imageLime =
        concat(
            concat(new String[] {"explain"}, GradientCommandTest.SHAPES),
            "--method",
            "lime",
            "--superpixels",
            "slic:12",
            "--samples",
            "40");
    sameInEveryFormat("image-lime", imageLime, "lime", List.of("parquet", "json"));
    // Its summary's figures, from one pass over the table, are SQL's.
    Dataset<Row> images = SparkTestSession.get().read().parquet(dir + "/image-lime-parquet/lime");
    Row sql =
        images
            .agg(
                functions.avg(functions.size(functions.col("lime"))),
                functions.avg("lime_score"),
                functions.min("lime_score"))
            .first();
    com.fasterxml.jackson.databind.JsonNode task =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(dir.resolve("image-lime-parquet/summary.json").toFile())
            .at("/tasks/0");
    assertEquals(sql.getDouble(0), task.at("/mean_superpixels").asDouble(), 0.0);
    assertTrue(task.at("/mean_superpixels").asDouble() > 1, task.toString());
    assertEquals(sql.getDouble(1), task.at("/mean_fidelity").asDouble(), 1e-12);
    assertEquals(sql.getDouble(2), task.at("/min_fidelity").asDouble(), 0.0);
    refusesCsv(imageLime, "image");
    String[] rules =
        concat(
            concat(new String[] {"explain"}, CREDIT_INPUT),
            "--model",
            GBT,
            "--method",
            "tree_rules");
    sameInEveryFormat("rules", rules, "rules", List.of("parquet", "json"));
    refusesCsv(rules, "rule_leaves");
    String[] examples =
        concat(
            concat(new String[] {"explain"}, CREDIT_INPUT),
            "--model",
            GBT,
            "--method",
            "nearest_examples",
            "--examples",
            "datasets/synthetic/credit.csv",
            "--neighbours",
            "3");
    sameInEveryFormat("examples", examples, "examples", List.of("parquet", "json"));
    refusesCsv(examples, "examples");
    String[] prototypes =
        concat(
            concat(new String[] {"explain"}, CREDIT_INPUT),
            "--model",
            GBT,
            "--method",
            "prototype_attention",
            "--examples",
            "datasets/synthetic/credit.csv",
            "--prototypes",
            "kmeans:5");
    sameInEveryFormat("prototypes", prototypes, "prototypes", List.of("parquet", "json"));
    refusesCsv(prototypes, "prototype_weights");
    String[] sanity =
        concat(
            concat(new String[] {"explain"}, SanityCommandTest.SHAPES),
            "--method",
            "sanity_checks",
            "--compare",
            "saliency",
            "--rows",
            "4");
    sameInEveryFormat("sanity", sanity, "sanity_checks", List.of("parquet", "json", "csv"));
    String[] mllibSanity =
        concat(
            concat(new String[] {"explain"}, CREDIT_INPUT),
            "--model",
            GBT,
            "--method",
            "sanity_checks",
            "--rows",
            "4");
    sameInEveryFormat(
        "mllib-sanity", mllibSanity, "sanity_checks", List.of("parquet", "json", "csv"));
    String[] pictures =
        concat(
            concat(new String[] {"explain"}, SanityCommandTest.SHAPES),
            "--method",
            "activation_maximization",
            "--steps",
            "20");
    sameInEveryFormat("pictures", pictures, "activation_maximization", List.of("parquet", "json"));
    refusesCsv(pictures, "picture");
  }

  @Test
  void exploreWritesEveryFormat() throws Exception {
    String[] pca = {
      "explore",
      "--input",
      "datasets/wine.csv",
      "--label",
      "cultivar",
      "--method",
      "pca",
      "--components",
      "3"
    };
    sameInEveryFormat("pca", pca, "pca", List.of("parquet", "json", "csv"));
    String[] knn = {
      "explore", "--input", "datasets/wine.csv", "--label", "cultivar", "--method", "knn"
    };
    sameInEveryFormat("knn", knn, "knn", List.of("parquet", "json"));
    String[] tsne = {
      "explore",
      "--input",
      "datasets/wine.csv",
      "--label",
      "cultivar",
      "--method",
      "tsne",
      "--perplexity",
      "5",
      "--iterations",
      "60"
    };
    sameInEveryFormat("tsne", tsne, "tsne", List.of("parquet", "json", "csv"));
    String[] mds = {
      "explore", "--input", "datasets/wine.csv", "--label", "cultivar", "--method", "mds"
    };
    sameInEveryFormat("mds", mds, "mds", List.of("parquet", "json", "csv"));
  }

  @Test
  void auditInJsonRunsEveryTaskType() throws Exception {
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(
        spec,
        "input: {path: "
            + CREDIT
            + ", id: id, label: default}\n"
            + "models: {gbt: "
            + GBT
            + "}\n"
            + "output_format: json\n"
            + "output: "
            + dir.resolve("audit")
            + "\n"
            + "tasks:\n"
            + "  - {type: profile}\n"
            + "  - {type: score, model: gbt}\n"
            + "  - {type: explain, model: gbt, method: tree, waterfall_rows: [1, 2]}\n"
            + "  - {type: explore, method: pca, components: 2}\n");
    Cli cli = Cli.run("audit", spec.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    for (String table : List.of("predictions", "shap", "pca")) {
      assertEquals(
          2000,
          SparkTestSession.get().read().json(dir.resolve("audit/" + table).toString()).count(),
          table);
    }
    assertTrue(
        Files.readString(dir.resolve("audit/report.html")).contains("Waterfall of row id=2"));
  }

  /**
   * Runs {@code command} once per format and checks that each format's table, read with the schema
   * recorded beside it, holds exactly the Parquet table's rows, types and metadata.
   */
  @Test
  void linearTermsWriteParquetAndJsonAndRefuseCsv() throws Exception {
    Path model = dir.resolve("logistic");
    Cli trained =
        Cli.run(
            concat(
                concat(new String[] {"train"}, CREDIT_INPUT),
                "--estimator",
                "logistic",
                "--output",
                model.toString()));
    assertEquals(0, trained.exitCode(), trained.errors());
    String[] terms =
        concat(
            concat(new String[] {"explain"}, CREDIT_INPUT),
            "--model",
            model.toString(),
            "--method",
            "linear_terms");
    sameInEveryFormat("linear-terms", terms, "terms", List.of("parquet", "json"));
    refusesCsv(terms, "terms");
  }

  private void sameInEveryFormat(String name, String[] command, String table, List<String> formats)
      throws Exception {
    Dataset<Row> parquet = null;
    for (String format : formats) {
      Path out = dir.resolve(name + "-" + format);
      Cli cli = Cli.run(concat(command, "--output-format", format, "--output", out.toString()));
      assertEquals(0, cli.exitCode(), name + " in " + format + ": " + cli.errors());
      assertTrue(Files.exists(out.resolve("report.html")), name + " in " + format);
      String path = out.resolve(table).toString();
      if (parquet == null) {
        parquet = SparkTestSession.get().read().parquet(path);
        assertTrue(parquet.count() > 0, name);
        continue;
      }
      StructType declared =
          (StructType) DataType.fromJson(Files.readString(out.resolve(table + "/_schema.json")));
      for (StructField f : parquet.schema().fields()) {
        StructField d = declared.apply(f.name());
        assertEquals(
            f.dataType().simpleString(),
            d.dataType().simpleString(),
            name + ": type of " + f.name() + " in " + format);
        assertEquals(f.metadata(), d.metadata(), name + ": metadata of " + f.name());
      }
      DataFrameReader reader = SparkTestSession.get().read().schema(declared);
      Dataset<Row> again =
          format.equals("csv") ? reader.option("header", "true").csv(path) : reader.json(path);
      assertEquals(parquet.count(), again.count(), name + " in " + format);
      assertEquals(0, parquet.exceptAll(again).count(), name + ": rows lost in " + format);
      assertEquals(0, again.exceptAll(parquet).count(), name + ": rows changed in " + format);
    }
  }

  private void refusesCsv(String[] command, String column) {
    Path out = dir.resolve("csv-refused");
    Cli cli = Cli.run(concat(command, "--output-format", "csv", "--output", out.toString()));
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(
        cli.errors().contains("output_format csv cannot hold column '" + column + "'"),
        cli.errors());
    assertFalse(Files.exists(out), "no output directory");
  }

  static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(new String[0]);
  }
}
