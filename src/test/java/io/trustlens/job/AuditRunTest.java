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

/** Audits and commands end to end on the shared local session. */
class AuditRunTest {
  @TempDir Path dir;

  @Test
  void demoAuditWritesPredictionsSummaryAndReport() throws Exception {
    Path out = dir.resolve("demo");
    java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stdout = System.out;
    System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
    Cli cli;
    SparkTestSession.get(); // the JVM has run (and started Spark) before the command
    double age =
        (System.currentTimeMillis()
                - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime())
            / 1e3;
    int jobs;
    try {
      io.trustlens.testing.SparkJobs.Counted<Cli> counted =
          io.trustlens.testing.SparkJobs.count(
              SparkTestSession.get(),
              () -> Cli.run("audit", "conf/demo.yaml", "--output", out.toString()));
      cli = counted.result();
      jobs = counted.jobs();
    } finally {
      System.setOut(stdout);
    }
    // Its input is a small CSV read on the driver: the profile's passes and PCA's fold its rows
    // there (no Spark job), and score's and explain's figures, with the report's first rows, and
    // the map's sample come from the rows as they are written. Left: four writes (profile,
    // predictions, SHAP values, PCA).
    assertEquals(4, jobs, "the demo audit's Spark jobs");
    String said = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(said.contains("trustlens: wrote " + out) && said.contains("report.html"), said);
    assertTrue(said.contains("trustlens: ok: ") && said.contains("2,000 rows"), said);
    assertEquals(0, cli.exitCode(), cli.errors());
    Dataset<Row> predictions =
        SparkTestSession.get().read().parquet(out.resolve("predictions").toString());
    assertEquals(2000, predictions.count());
    assertTrue(
        List.of(predictions.columns())
            .containsAll(List.of("id", "region", "prediction", "probability")));
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("ok", summary.get("status").asText());
    assertEquals(2000, summary.at("/input/rows").asLong());
    assertEquals(42, summary.get("seed").asLong());
    assertEquals("4.2.0", summary.at("/versions/spark").asText());
    JsonNode score = summary.at("/tasks/1");
    assertEquals("score", score.get("type").asText());
    assertTrue(score.get("accuracy").asDouble() > 0.7, score.toString());
    // AUC, log loss and the confusion matrix against direct computations over every row.
    List<Row> scored = predictions.select("default", "prediction", "probability").collectAsList();
    long[][] confusion = new long[2][2];
    double loss = 0;
    List<double[]> pairs = new java.util.ArrayList<>();
    for (Row r : scored) {
      int label = r.getInt(0);
      double p1 = r.<Double>getList(2).get(1);
      confusion[label][(int) r.getDouble(1)]++;
      loss -= Math.log(Math.max(label == 1 ? p1 : 1 - p1, 1e-15));
      pairs.add(new double[] {p1, label});
    }
    double wins = 0;
    long positives = 0;
    for (double[] a : pairs) {
      if (a[1] == 1) {
        positives++;
        for (double[] b : pairs) {
          if (b[1] == 0) {
            wins += a[0] > b[0] ? 1 : a[0] == b[0] ? 0.5 : 0;
          }
        }
      }
    }
    double auc = wins / (positives * (2000.0 - positives));
    assertEquals(auc, score.get("auc").asDouble(), 1e-12, "Mann-Whitney AUC");
    assertEquals(loss / 2000, score.get("log_loss").asDouble(), 1e-4, "p0 = 1 - p1 to 1e-16");
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        assertEquals(confusion[i][j], score.at("/confusion_matrix/" + i + "/" + j).asLong());
      }
    }
    assertEquals(
        (confusion[0][0] + confusion[1][1]) / 2000.0, score.get("accuracy").asDouble(), 1e-12);
    assertEquals("region=south", score.at("/features/4").asText());
    assertEquals("region", score.at("/feature_groups/4").asText());
    assertEquals("gbt", summary.at("/models/0/name").asText());
    assertEquals("tree_ensemble", summary.at("/models/0/capabilities/0").asText());
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(
        html.contains("<h2>Profile: profile</h2>") && html.contains("<h2>Score: predictions</h2>"));
    assertTrue(html.contains("Every threshold holds."));
    assertTrue(html.contains("Confusion matrix of predictions"), "the report draws it");
    JsonNode explain = summary.at("/tasks/2");
    assertEquals("tree", explain.get("method").asText());
    assertTrue(explain.get("max_abs_gap").asDouble() < 1e-9);
    assertTrue(html.contains("Waterfall of row id=0") && html.contains("Waterfall of row id=1"));
    assertTrue(html.contains("Beeswarm") && html.contains("Dependence"));
    assertFalse(html.contains("Each row explains its own predicted class"), "one class");
    assertEquals("class_1 (the positive class)", explain.get("class_explained").asText());
    assertTrue(html.contains("class_1 (the positive class)"), "the report names the class");
    // Plots name the class and the unit; the waterfall says how its output meets the score table.
    assertEquals("margin", explain.get("unit").asText());
    assertTrue(
        html.contains("Global importance: mean |Shapley value| per feature (class_1, in margin)"));
    assertTrue(html.contains("Shapley value (margin)"), "the axes' unit");
    assertTrue(html.contains("feature value: low"), "the beeswarm's colour legend");
    assertTrue(html.contains("Dependence: Shapley value of region per category"), "one-hot");
    assertTrue(html.contains("debt_ratio = 0.583"), "waterfalls list each feature's value");
    Row first =
        SparkTestSession.get()
            .read()
            .parquet(out.resolve("predictions").toString())
            .filter("id = 0")
            .first();
    double p1 = first.<Double>getList(first.fieldIndex("probability")).get(1);
    assertTrue(
        html.contains(
            "is a margin; the score table&#39;s probability "
                + io.trustlens.report.Charts.number(p1)
                + " follows from it"),
        "the waterfall's output against the score table's probability " + p1);
    assertTrue(summary.at("/phases").size() >= 8, summary.at("/phases").toString());
    // The tasks ran two at a time: their phases overlap, and their wall time is task_lanes'.
    assertEquals(2, summary.at("/task_lanes/at_once").asInt());
    double tasks = summary.at("/task_lanes/seconds").asDouble();
    double phases = tasks;
    double taskPhases = 0;
    for (JsonNode p : summary.at("/phases")) {
      boolean task = p.get("phase").asText().startsWith("task ");
      phases += task ? 0 : p.get("seconds").asDouble();
      taskPhases += task ? p.get("seconds").asDouble() : 0;
    }
    assertTrue(
        taskPhases >= 0.8 * tasks && taskPhases <= 2 * tasks + 0.01,
        "two lanes' phases cover their wall time once to twice: " + taskPhases + " of " + tasks);
    double start =
        summary.at("/phases/0/seconds").asDouble() + summary.at("/phases/1/seconds").asDouble();
    double total = summary.get("seconds").asDouble();
    assertTrue(
        start < age,
        "in a JVM that ran before the command, its start phases count from the call: "
            + start
            + " s; the JVM was "
            + age
            + " s old at the call");
    assertTrue(
        phases - start <= total + 0.01 && phases - start >= 0.8 * total,
        "the phases after the start cover the run once: " + (phases - start) + " of " + total);
    assertEquals(
        2000, SparkTestSession.get().read().parquet(out.resolve("shap").toString()).count());
    JsonNode pca = summary.at("/tasks/3");
    assertEquals("pca", pca.get("method").asText());
    assertEquals(4, pca.at("/explained_variance_ratio").size(), "age, income, debt_ratio, years");
    assertEquals(1.0, pca.at("/cumulative_ratio/3").asDouble(), 1e-9);
    assertTrue(html.contains("Scree plot") && html.contains("colour: default"));
    assertEquals(
        2000, SparkTestSession.get().read().parquet(out.resolve("pca").toString()).count());
  }

  @Test
  void tasksTwoAtATimeWriteWhatTasksOneAtATimeWrite() throws Exception {
    Path one = dir.resolve("one");
    Path two = dir.resolve("two");
    ok("audit", "conf/demo.yaml", "--output", one.toString(), "--set", "parallel_tasks=1");
    ok("audit", "conf/demo.yaml", "--output", two.toString(), "--set", "parallel_tasks=2");
    for (String table : List.of("profile", "predictions", "shap", "pca")) {
      Dataset<Row> a = SparkTestSession.get().read().parquet(one.resolve(table).toString());
      Dataset<Row> b = SparkTestSession.get().read().parquet(two.resolve(table).toString());
      assertTrue(a.count() > 0, table);
      assertEquals(0, a.exceptAll(b).count(), table + ": every value the same bits");
      assertEquals(0, b.exceptAll(a).count(), table + ": every value the same bits");
    }
    ObjectMapper json = new ObjectMapper();
    JsonNode a = json.readTree(one.resolve("summary.json").toFile());
    JsonNode b = json.readTree(two.resolve("summary.json").toFile());
    for (String key : List.of("warnings", "thresholds", "status", "models")) {
      assertEquals(a.get(key), b.get(key), key);
    }
    assertEquals(withoutTimes(a.get("tasks"), one), withoutTimes(b.get("tasks"), two));
    List<String> phases = new java.util.ArrayList<>();
    b.get("phases").forEach(p -> phases.add(p.get("phase").asText()));
    List<String> phasesOne = new java.util.ArrayList<>();
    a.get("phases").forEach(p -> phasesOne.add(p.get("phase").asText()));
    assertEquals(phasesOne, phases, "the same phases, in task order");
    assertEquals(report(one), report(two), "the report, but for its times");
  }

  /** The tasks' summaries without their seconds, the output folder named OUT. */
  private static String withoutTimes(JsonNode tasks, Path out) {
    for (JsonNode t : tasks) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove("seconds");
    }
    return tasks.toString().replace(out.toString(), "OUT");
  }

  /** The report without its last section (the phases' seconds), the output folder named OUT. */
  private static String report(Path out) throws java.io.IOException {
    String html = Files.readString(out.resolve("report.html")).replace(out.toString(), "OUT");
    int times = html.indexOf("<h2>Where the time went</h2>");
    assertTrue(times > 0, "the time section");
    return html.substring(0, times);
  }

  @Test
  void aTaskWhoseModelCannotDoItsMethodFailsBeforeAnyTaskRuns() throws Exception {
    Path spec = dir.resolve("early.yaml");
    Path out = dir.resolve("early");
    Files.writeString(
        spec,
        "input: {path: datasets/breast_cancer.csv, label: malignant}\n"
            + "models: {mlp: datasets/models/torch/breast_cancer_mlp.pt}\n"
            + "output: "
            + out
            + "\ntasks:\n"
            + "  - {type: score, model: mlp}\n"
            + "  - {type: explain, model: mlp, method: tree}\n");
    Cli cli = Cli.run("audit", spec.toString());
    assertEquals(1, cli.exitCode());
    assertTrue(
        cli.errors()
            .contains(
                "task 2 (explain tree) (checked before any task ran): method tree explains MLlib"),
        cli.errors());
    assertFalse(Files.exists(out), "a failed run leaves no output");
  }

  @Test
  void aFailingTaskIsNamedAndLeavesNoOutput() throws Exception {
    Path spec = dir.resolve("bad.yaml");
    Path out = dir.resolve("bad");
    Files.writeString(
        spec,
        "input: {path: datasets/synthetic/credit.csv, id: id, label: default}\n"
            + "models: {gbt: datasets/models/credit_gbt}\n"
            + "output: "
            + out
            + "\ntasks:\n"
            + "  - {type: score}\n"
            + "  - {type: explain, method: tree, name: why, target: nosuchclass}\n");
    Cli cli = Cli.run("audit", spec.toString());
    assertEquals(1, cli.exitCode());
    assertTrue(
        cli.errors().contains("error: task 2 (explain tree 'why'): unknown target '"),
        cli.errors());
    assertFalse(Files.exists(out), "a failed run leaves no output");
  }

  @Test
  void aTaskWhoseJobFailsOnAnExecutorIsNamedAndStopsTheOtherTask() throws Exception {
    Path table = dir.resolve("images.json");
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      rows.append("{\"id\":")
          .append(i)
          .append(",\"pixels\":")
          .append(i == 37 ? "[1.0,2.0]" : "[" + i + ".0," + (i % 7) + ".0,1.0]")
          .append("}\n");
    }
    Files.writeString(table, rows);
    Path spec = dir.resolve("images.yaml");
    Path out = dir.resolve("images");
    Files.writeString(
        spec,
        "input: {path: "
            + table
            + ", id: id, image: pixels, image_shape: '1,1,3'}\noutput: "
            + out
            + "\ntasks:\n  - {type: profile}\n  - {type: explore, method: pca}\n");
    Cli cli = Cli.run("audit", spec.toString());
    assertEquals(1, cli.exitCode());
    // Row 37's wrong size is found inside a Spark job of task 2, on an executor.
    assertTrue(
        cli.errors()
            .contains("error: task 2 (explore pca): row id=37: image column 'pixels' holds 2"),
        cli.errors());
    assertFalse(Files.exists(out), "a failed run leaves no output");
    try (var left = Files.list(dir)) {
      assertEquals(
          List.of(), left.filter(p -> p.getFileName().toString().startsWith(".images")).toList());
    }
  }

  @Test
  void brokenThresholdExitsWithThreeAndStillWritesTheReport() throws Exception {
    Path table = dir.resolve("gaps.csv");
    Files.writeString(table, "id,a,b\n1,1.0,\n2,2.0,3.0\n3,,4.0\n4,4.0,5.0\n");
    Path out = dir.resolve("gaps");
    Cli cli =
        Cli.run(
            "profile",
            "--input",
            table.toString(),
            "--output",
            out.toString(),
            "--max-missing-fraction",
            "0.2");
    assertEquals(AuditRun.THRESHOLD_BROKEN, cli.exitCode(), cli.errors());
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("thresholds broken", summary.get("status").asText());
    assertEquals(0.25, summary.at("/thresholds/0/value").asDouble());
    JsonNode b = summary.at("/tasks/0/columns/2");
    assertEquals("b", b.get("name").asText());
    assertEquals(1, b.get("nulls").asLong());
    assertEquals(4.0, b.get("mean").asDouble());
    assertTrue(Files.readString(out.resolve("report.html")).contains("BROKEN"));
    assertEquals(
        0,
        Cli.run(
                "profile",
                "--input",
                table.toString(),
                "--output",
                dir.resolve("gaps2").toString(),
                "--max-missing-fraction",
                "0.25")
            .exitCode());
  }

  @Test
  void predictionsAreIdenticalForOneAndSevenPartitions() {
    for (String model :
        List.of("datasets/models/credit_gbt", "datasets/models/torch/breast_cancer_mlp.pt")) {
      String input =
          model.endsWith(".pt") ? "datasets/breast_cancer.csv" : "datasets/synthetic/credit.csv";
      String[] common = {"score", "--input", input, "--model", model};
      Path one = dir.resolve("p1" + model.hashCode());
      Path seven = dir.resolve("p7" + model.hashCode());
      ok(concat(common, "--partitions", "1", "--output", one.toString()));
      ok(concat(common, "--partitions", "7", "--output", seven.toString()));
      Dataset<Row> a = SparkTestSession.get().read().parquet(one.resolve("predictions").toString());
      Dataset<Row> b =
          SparkTestSession.get().read().parquet(seven.resolve("predictions").toString());
      assertEquals(a.count(), b.count());
      assertEquals(0, a.exceptAll(b).count(), model);
      assertEquals(0, b.exceptAll(a).count(), model);
    }
  }

  @Test
  void jsonOutputKeepsArrayColumns() throws Exception {
    Path out = dir.resolve("json");
    Cli cli =
        Cli.run(
            "score",
            "--input",
            "datasets/digits.csv",
            "--label",
            "digit",
            "--model",
            "datasets/models/torch/digits_cnn.pt",
            "--output",
            out.toString(),
            "--output-format",
            "json");
    assertEquals(0, cli.exitCode(), cli.errors());
    Path part;
    try (var files = Files.list(out.resolve("predictions"))) {
      part =
          files
              .filter(p -> p.getFileName().toString().startsWith("part-"))
              .findFirst()
              .orElseThrow();
    }
    JsonNode first = new ObjectMapper().readTree(Files.readAllLines(part).get(0));
    assertEquals(10, first.get("probability").size());
    assertEquals(10, first.get("logits").size());
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertTrue(summary.at("/tasks/0/accuracy").asDouble() > 0.95);
    assertFalse(Files.exists(out.resolve(".summary.json.crc")));
  }

  @Test
  void ensembleOfTwoModelsScoresTheirMean() throws Exception {
    Path out = dir.resolve("ensemble");
    String mlp = "datasets/models/torch/breast_cancer_mlp.pt";
    Cli cli =
        Cli.run(
            "score",
            "--input",
            "datasets/breast_cancer.csv",
            "--label",
            "malignant",
            "--model",
            mlp,
            "--model",
            mlp,
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertEquals("Ensemble", summary.at("/models/0/type").asText());
    assertTrue(summary.at("/tasks/0/accuracy").asDouble() > 0.95);
  }

  @Test
  void helpDescribesEveryCommand() {
    for (String command : List.of("score", "profile", "train", "audit", "make-datasets", "bench")) {
      java.io.StringWriter text = new java.io.StringWriter();
      picocli.CommandLine cl = TrustLens.commandLine(command, "--help");
      cl.setOut(new java.io.PrintWriter(text));
      assertEquals(0, cl.execute(command, "--help"));
      assertTrue(text.toString().contains("Usage: trustlens " + command), text.toString());
    }
  }

  private static void ok(String... args) {
    Cli cli = Cli.run(args);
    assertEquals(0, cli.exitCode(), cli.errors());
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
