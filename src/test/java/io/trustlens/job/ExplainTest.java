package io.trustlens.job;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.min;
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

/** The explain command and task end to end on the shared local session. */
class ExplainTest {
  private static final String CREDIT = "datasets/synthetic/credit.csv";
  private static final String GBT = "datasets/models/credit_gbt";
  @TempDir Path dir;

  private Dataset<Row> explain(String name, String... options) {
    Path out = dir.resolve(name);
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "explain",
                "--input",
                CREDIT,
                "--label",
                "default",
                "--model",
                GBT,
                "--output",
                out.toString()));
    args.addAll(List.of(options));
    Cli cli = Cli.run(args.toArray(new String[0]));
    assertEquals(0, cli.exitCode(), cli.errors());
    return SparkTestSession.get().read().parquet(out.resolve("shap").toString());
  }

  @Test
  void sameSeedGivesIdenticalBitsForOneAndSevenPartitions() {
    for (String method : List.of("kernel", "permutation")) {
      for (boolean withId : List.of(true, false)) {
        String[] common =
            withId
                ? new String[] {
                  "--method", method, "--samples", "64", "--background", "10", "--id", "id"
                }
                : new String[] {"--method", method, "--samples", "64", "--background", "10"};
        Dataset<Row> one = explain(method + withId + "1", concat(common, "--partitions", "1"));
        Dataset<Row> seven = explain(method + withId + "7", concat(common, "--partitions", "7"));
        assertEquals(2000, one.count());
        assertEquals(0, one.exceptAll(seven).count(), method + " id=" + withId);
        assertEquals(0, seven.exceptAll(one).count(), method + " id=" + withId);
      }
    }
    Dataset<Row> otherSeed =
        explain(
            "seed",
            "--method",
            "kernel",
            "--samples",
            "64",
            "--background",
            "10",
            "--id",
            "id",
            "--seed",
            "7");
    Dataset<Row> first =
        SparkTestSession.get()
            .read()
            .parquet(dir.resolve("kerneltrue1").resolve("shap").toString());
    assertTrue(first.exceptAll(otherSeed).count() > 0, "another seed draws other coalitions");
  }

  @Test
  void treeShapOnThePipelineGroupsOneHotSlotsAndAddsUp() throws Exception {
    Dataset<Row> shap = explain("tree", "--method", "tree", "--id", "id");
    Row r = shap.first();
    assertEquals(5, r.getList(r.fieldIndex("shap")).size(), "age, income, debt, years, region");
    double gap = shap.selectExpr("max(abs(shap_gap))").first().getDouble(0);
    assertTrue(gap < 1e-9, "additivity gap " + gap);
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("tree/summary.json").toFile());
    JsonNode importance = summary.at("/tasks/0/mean_abs_shap");
    List<String> ranked = new java.util.ArrayList<>();
    importance.fieldNames().forEachRemaining(ranked::add);
    assertEquals("years_employed", ranked.get(ranked.size() - 1), "the feature with no effect");
    String html = Files.readString(dir.resolve("tree/report.html"));
    assertTrue(html.contains("<svg") && html.contains("years_employed"), "importance chart");
  }

  @Test
  void targetAllExplainsEveryOutput() throws Exception {
    Dataset<Row> shap = explain("all", "--method", "tree", "--target", "all", "--id", "id");
    Row r = shap.first();
    List<scala.collection.Seq<Object>> perClass = r.getList(r.fieldIndex("shap"));
    assertEquals(2, perClass.size(), "the GBT margin and its negation");
    assertEquals(5, perClass.get(0).size());
    for (int j = 0; j < perClass.get(0).size(); j++) {
      assertEquals(-(Double) perClass.get(1).apply(j), (Double) perClass.get(0).apply(j), 1e-12);
    }
    assertEquals(-2, r.getInt(r.fieldIndex("shap_class")));
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("all/summary.json").toFile());
    assertTrue(summary.at("/tasks/0/max_abs_gap").asDouble() < 1e-9);
    assertEquals(5, summary.at("/tasks/0/mean_abs_shap").size());
  }

  @Test
  void aBinaryClassifiersPositiveClassIsExplainedByDefaultAndPredictedOnRequest() {
    Dataset<Row> auto = explain("auto", "--method", "tree");
    assertEquals(0, auto.filter("shap_class != 1").count(), "every row explains class 1");
    Dataset<Row> predicted = explain("predicted", "--method", "tree", "--target", "predicted");
    long zeros = predicted.filter("shap_class = 0").count();
    assertTrue(zeros > 0 && zeros < 2000, "predicted mixes the classes: " + zeros + " of 2000");
  }

  @Test
  void featuresAPipelineDoesNotReadAreAWarningInTheSummary() throws Exception {
    Path out = dir.resolve("unused");
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            CREDIT,
            "--label",
            "default",
            "--model",
            GBT,
            "--method",
            "tree",
            "--features",
            "age,income",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    String expected = "the features named (age, income) are not used: the model is a pipeline";
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertTrue(
        summary.at("/warnings/0").asText().startsWith("explain tree: " + expected),
        summary.toString());
  }

  @Test
  void aReferenceTableBackgroundIsRecordedAndNotWarnedAbout() throws Exception {
    explain("reference", "--method", "kernel", "--samples", "16", "--background", CREDIT);
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("reference/summary.json").toFile());
    assertEquals("the reference table " + CREDIT, summary.at("/tasks/0/background_from").asText());
    assertEquals(0, summary.at("/warnings").size(), summary.at("/warnings").toString());
  }

  @Test
  void explainTaskRunsFromAnAuditSpec() throws Exception {
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(
        spec,
        "input: {path: datasets/breast_cancer.csv, label: malignant}\n"
            + "models: {mlp: datasets/models/torch/breast_cancer_mlp.pt}\n"
            + "output: "
            + dir.resolve("audit")
            + "\n"
            + "tasks:\n  - type: explain\n    method: permutation\n    samples: 8\n"
            + "    background: kmeans:5\n    target: malignant\n");
    Cli cli = Cli.run("audit", spec.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("audit/summary.json").toFile());
    assertEquals(30, summary.at("/tasks/0/players").size());
    assertEquals(5, summary.at("/tasks/0/background_rows").asInt());
    assertEquals(
        "the rows explained (k-means centres of the input table)",
        summary.at("/tasks/0/background_from").asText());
    assertTrue(
        summary.at("/warnings/0").asText().contains("drawn from the rows being explained"),
        summary.at("/warnings").toString());
    assertTrue(summary.at("/tasks/0/max_abs_gap").asDouble() < 1e-9);
    Dataset<Row> shap = SparkTestSession.get().read().parquet(dir.resolve("audit/shap").toString());
    assertEquals(0, shap.filter("shap_class != 1").count(), "the named class is explained");
  }

  @Test
  void badRequestsFailBeforeOutputNamingTheProblem() throws Exception {
    String linear = dir.resolve("logistic").toString();
    assertEquals(
        0,
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
                "--output",
                linear)
            .exitCode());
    fails(
        "method tree explains MLlib DecisionTree, RandomForest and GBT models",
        "--model",
        linear,
        "--method",
        "tree");
    fails(
        "method linear explains MLlib LinearRegression, LogisticRegression and"
            + " GeneralizedLinearRegression models",
        "--model",
        GBT,
        "--method",
        "linear");
    fails("unknown target 'maybe'", "--model", GBT, "--target", "maybe");
    fails("unknown column 'nosuch' (a feature named)", "--model", GBT, "--features", "age,nosuch");
    Path wide = dir.resolve("wide.csv");
    StringBuilder csv = new StringBuilder("y");
    for (int j = 0; j < 17; j++) {
      csv.append(",f").append(j);
    }
    csv.append("\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i % 2);
      for (int j = 0; j < 17; j++) {
        csv.append(",").append((i * 7 + j * 3) % 11);
      }
      csv.append("\n");
    }
    Files.writeString(wide, csv.toString());
    String wideModel = dir.resolve("wide-model").toString();
    assertEquals(
        0,
        Cli.run(
                "train",
                "--input",
                wide.toString(),
                "--label",
                "y",
                "--estimator",
                "logistic",
                "--output",
                wideModel)
            .exitCode());
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            wide.toString(),
            "--label",
            "y",
            "--model",
            wideModel,
            "--method",
            "exact",
            "--output",
            dir.resolve("x-wide").toString());
    assertEquals(1, cli.exitCode());
    assertTrue(
        cli.errors()
            .contains(
                "method exact takes at most 16 players; the table has 17;"
                    + " use method kernel or permutation"),
        cli.errors());
    Path withNaN = dir.resolve("nan.csv");
    Files.writeString(withNaN, "id,a,b,y\n1,1.0,2.0,0\n2,NaN,1.0,1\n3,0.5,0.5,0\n");
    Path two = dir.resolve("two.pt");
    Files.copy(Path.of("src/test/resources/two_feature_logistic.pt"), two);
    Files.copy(Path.of("src/test/resources/two_feature_logistic.json"), dir.resolve("two.json"));
    cli =
        Cli.run(
            "explain",
            "--input",
            withNaN.toString(),
            "--id",
            "id",
            "--label",
            "y",
            "--features",
            "a,b",
            "--model",
            two.toString(),
            "--output",
            dir.resolve("x-nan").toString());
    assertEquals(1, cli.exitCode());
    assertTrue(cli.errors().contains("row id=2: NaN in feature column 'a'"), cli.errors());
    Path other = dir.resolve("other.csv");
    Files.writeString(other, "a,b\n1,2\n");
    fails("lacks the column 'id'", "--model", GBT, "--background", other.toString());
    assertFalse(Files.exists(dir.resolve("x")), "no output");
  }

  @Test
  void limeWritesWeightsFidelityAndItsSettingsAndRefusesUnusedOnes() throws Exception {
    Path out = dir.resolve("lime");
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            CREDIT,
            "--id",
            "id",
            "--label",
            "default",
            "--model",
            GBT,
            "--method",
            "lime",
            "--samples",
            "500",
            "--background",
            CREDIT,
            "--selection",
            "lasso",
            "--keep",
            "3",
            "--neighbourhood",
            "shared",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    Dataset<Row> rows = SparkTestSession.get().read().parquet(out.resolve("lime").toString());
    assertEquals(2000, rows.count());
    for (Row r : rows.select("lime", "lime_score").limit(50).collectAsList()) {
      assertTrue(r.<Double>getList(0).stream().filter(v -> v != 0).count() <= 3);
      assertTrue(r.getDouble(1) <= 1);
    }
    JsonNode task =
        new ObjectMapper().readTree(out.resolve("summary.json").toFile()).at("/tasks/0");
    assertEquals("lime", task.at("/method").asText());
    assertEquals("probability", task.at("/unit").asText());
    assertEquals(3, task.at("/keep").asInt());
    assertEquals("shared", task.at("/neighbourhood").asText());
    assertEquals(Math.sqrt(5) * 0.75, task.at("/kernel_width").asDouble(), 1e-12);
    assertEquals("the reference table " + CREDIT, task.at("/reference_from").asText());
    assertEquals(5, task.at("/mean_abs_weight").size());
    assertTrue(task.at("/mean_fidelity").asDouble() > 0, task.toString());
    Row sql = rows.agg(avg("lime_score"), min("lime_score")).first();
    assertEquals(sql.getDouble(0), task.at("/mean_fidelity").asDouble(), 1e-12);
    assertEquals(sql.getDouble(1), task.at("/min_fidelity").asDouble(), 0.0);
    // The reference rows' draw is a phase of its own, not counted in the summaries' phase.
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    double taskPhases = 0;
    List<String> names = new java.util.ArrayList<>();
    for (JsonNode p : summary.at("/phases")) {
      if (p.get("phase").asText().startsWith("task 1 ")) {
        names.add(p.get("phase").asText());
        taskPhases += p.get("seconds").asDouble();
      }
    }
    assertTrue(names.contains("task 1 (explain): reference rows"), names.toString());
    assertEquals(task.at("/seconds").asDouble(), taskPhases, 0.005, names.toString());
    String report = Files.readString(out.resolve("report.html"));
    assertTrue(report.contains("mean |LIME weight| per feature, probability of "), "report");

    fails(
        "keep applies to selection highest_weights or lasso",
        "--model",
        GBT,
        "--method",
        "lime",
        "--keep",
        "2");
    fails("fill applies to LIME on images", "--model", GBT, "--method", "lime", "--fill", "zero");
    fails("not k-means centres", "--model", GBT, "--method", "lime", "--background", "kmeans:4");
    fails("discretize is 'deciles'", "--model", GBT, "--method", "lime", "--discretize", "deciles");
    fails(
        "neighbourhood is 'global'",
        "--model",
        GBT,
        "--method",
        "lime",
        "--neighbourhood",
        "global");
    fails(
        "neighbourhood does not apply to method kernel",
        "--model",
        GBT,
        "--neighbourhood",
        "shared");
    fails("selection does not apply to method kernel", "--model", GBT, "--selection", "lasso");
  }

  @Test
  void linearTermsOfALogisticModelAddUpAndRankStandardisedCoefficients() throws Exception {
    Path model = dir.resolve("logistic");
    Cli trained =
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
            "--output",
            model.toString());
    assertEquals(0, trained.exitCode(), trained.errors());
    Path out = dir.resolve("terms");
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            CREDIT,
            "--id",
            "id",
            "--label",
            "default",
            "--model",
            model.toString(),
            "--method",
            "linear_terms",
            "--background",
            CREDIT,
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    Dataset<Row> rows = SparkTestSession.get().read().parquet(out.resolve("terms").toString());
    assertEquals(2000, rows.count());
    Row r = rows.first();
    double sum = r.getDouble(r.fieldIndex("terms_intercept"));
    for (double t : r.<Double>getList(r.fieldIndex("terms"))) {
      sum += t;
    }
    assertEquals(r.getDouble(r.fieldIndex("terms_margin")), sum, 1e-9);
    JsonNode task =
        new ObjectMapper().readTree(out.resolve("summary.json").toFile()).at("/tasks/0");
    assertEquals("log-odds", task.at("/unit").asText());
    JsonNode coefficients = task.at("/coefficients");
    assertTrue(coefficients.size() >= 5, coefficients.toString());
    for (int j = 1; j < coefficients.size(); j++) {
      assertTrue(
          Math.abs(coefficients.get(j - 1).at("/standardised").asDouble())
              >= Math.abs(coefficients.get(j).at("/standardised").asDouble()),
          "ranked by standardised size");
    }
    // The truth's largest effects (debt ratio, income) lead; years_employed has none.
    List<String> leading = new java.util.ArrayList<>();
    for (int j = 0; j < 3; j++) {
      leading.add(coefficients.get(j).at("/feature").asText());
    }
    assertTrue(leading.contains("debt_ratio") && leading.contains("income"), leading.toString());
    List<String> byTerm = new java.util.ArrayList<>();
    task.at("/mean_abs_centred_term").fieldNames().forEachRemaining(byTerm::add);
    assertTrue(byTerm.subList(3, 5).contains("years_employed"), byTerm.toString());
    assertTrue(Files.readString(out.resolve("report.html")).contains("Standardised coefficients"));
    fails(
        "linear_terms explains MLlib LinearRegression, LogisticRegression and",
        "--model",
        GBT,
        "--method",
        "linear_terms");
  }

  @Test
  void treeRulesListTheMostUsedRulesAndDrawTheTree() throws Exception {
    Path model = dir.resolve("tree");
    Cli trained =
        Cli.run(
            "train",
            "--input",
            CREDIT,
            "--id",
            "id",
            "--label",
            "default",
            "--estimator",
            "dt",
            "--output",
            model.toString());
    assertEquals(0, trained.exitCode(), trained.errors());
    Path out = dir.resolve("rules");
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            CREDIT,
            "--id",
            "id",
            "--label",
            "default",
            "--model",
            model.toString(),
            "--method",
            "tree_rules",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    Dataset<Row> rows = SparkTestSession.get().read().parquet(out.resolve("rules").toString());
    assertEquals(2000, rows.count());
    JsonNode task =
        new ObjectMapper().readTree(out.resolve("summary.json").toFile()).at("/tasks/0");
    assertEquals(1, task.at("/trees").asInt());
    JsonNode used = task.at("/rules/0/most_used");
    long total = 0;
    for (JsonNode rule : used) {
      total += rule.at("/rows").asLong();
      assertTrue(rule.at("/rule").asText().contains(" → "), rule.toString());
    }
    assertTrue(used.size() > 1 && total <= 2000, used.toString());
    assertEquals(
        rows.where(org.apache.spark.sql.functions.col("rule").equalTo(used.at("/0/rule").asText()))
            .count(),
        used.at("/0/rows").asLong());
    String report = Files.readString(out.resolve("report.html"));
    assertTrue(report.contains("The tree, to depth 4") && report.contains(">yes<"), "tree drawn");
  }

  @Test
  void limeOnATextPipelineRanksTheSalaryWords() throws Exception {
    Path model = dir.resolve("salary");
    String ads = "datasets/synthetic/jobads.csv";
    Cli trained =
        Cli.run(
            "train",
            "--input",
            ads,
            "--id",
            "id",
            "--label",
            "salary",
            "--text",
            "text",
            "--estimator",
            "linear",
            "--output",
            model.toString());
    assertEquals(0, trained.exitCode(), trained.errors());
    Path out = dir.resolve("words");
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            ads,
            "--id",
            "id",
            "--label",
            "salary",
            "--model",
            model.toString(),
            "--method",
            "lime",
            "--samples",
            "300",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task =
        new ObjectMapper().readTree(out.resolve("summary.json").toFile()).at("/tasks/0");
    assertEquals("words of text", task.at("/explained").asText());
    assertEquals(25.0, task.at("/kernel_width").asDouble());
    List<String> top = new java.util.ArrayList<>();
    for (int k = 0; k < 6; k++) {
      top.add(task.at("/top_words/" + k + "/word").asText());
    }
    assertTrue(
        top.containsAll(List.of("intern", "junior", "lead", "manager", "python", "senior")),
        top.toString());
    assertTrue(task.at("/top_words/0/mean_weight").isNumber(), task.toString());
    Row sql =
        SparkTestSession.get()
            .read()
            .parquet(out.resolve("lime").toString())
            .agg(avg("lime_score"), min("lime_score"))
            .first();
    assertEquals(sql.getDouble(0), task.at("/mean_fidelity").asDouble(), 1e-12);
    assertEquals(sql.getDouble(1), task.at("/min_fidelity").asDouble(), 0.0);
    Cli refused =
        Cli.run(
            "explain",
            "--input",
            ads,
            "--id",
            "id",
            "--label",
            "salary",
            "--model",
            model.toString(),
            "--method",
            "lime",
            "--background",
            "50",
            "--output",
            dir.resolve("x").toString());
    assertEquals(1, refused.exitCode());
    assertTrue(refused.errors().contains("background applies to LIME on tables"), refused.errors());
  }

  private void fails(String expected, String... options) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "explain",
                "--input",
                CREDIT,
                "--label",
                "default",
                "--output",
                dir.resolve("x").toString()));
    args.addAll(List.of(options));
    Cli cli = Cli.run(args.toArray(new String[0]));
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains(expected), "expected '" + expected + "' in " + cli.errors());
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void limeOnImagesRefusesWhatImagesDoNotTake() {
    String[][] cases = {
      {"--superpixels", "quickshift"},
      {"--fill", "blur"},
      {"--discretize", "none"},
      {"--background", "10"},
      {"--fill-value", "0.5"},
      {"--neighbourhood", "shared"},
    };
    String[] expected = {
      "expected grid:CELL",
      "fill is 'blur'",
      "discretize applies to LIME on tables",
      "background applies to LIME on tables",
      "fill_value applies to fill constant",
      "neighbourhood applies to LIME on tables"
    };
    for (int c = 0; c < cases.length; c++) {
      Path out = dir.resolve("image-lime-" + c);
      Cli cli =
          Cli.run(
              OutputFormatsTest.concat(
                  OutputFormatsTest.concat(
                      OutputFormatsTest.concat(
                          new String[] {"explain"}, GradientCommandTest.SHAPES),
                      "--method",
                      "lime",
                      "--output",
                      out.toString()),
                  cases[c]));
      assertEquals(1, cli.exitCode(), String.join(" ", cases[c]));
      assertTrue(cli.errors().contains(expected[c]), cli.errors());
      assertFalse(Files.exists(out));
    }
    Cli table =
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
            "lime",
            "--superpixels",
            "grid:4",
            "--output",
            dir.resolve("table-lime").toString());
    assertEquals(1, table.exitCode());
    assertTrue(table.errors().contains("superpixels applies to LIME on images"), table.errors());
  }
}
