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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trustlens data} and its audit task: every method, every format, thresholds, bad input. */
class DataCommandTest {
  private static final String CREDIT = "datasets/synthetic/credit.csv";
  private static final String GBT = "datasets/models/credit_gbt";

  @TempDir static Path dir;
  private static String people;
  private static String shifted;

  /**
   * 1,200 people: income missing more often for label 1, a prediction column that selects group b
   * less often, and a copy whose age moved by 10 years.
   */
  @BeforeAll
  static void tables() throws Exception {
    people = write("people.csv", 0);
    shifted = write("shifted.csv", 10);
  }

  private static String write(String name, int ageShift) throws Exception {
    Random random = new Random(ageShift + 1);
    List<String> lines = new ArrayList<>(List.of("id,age,income,grp,code,label,decision"));
    for (int i = 0; i < 1200; i++) {
      int label = random.nextDouble() < 0.4 ? 1 : 0;
      String grp = random.nextBoolean() ? "a" : "b";
      boolean missing = random.nextDouble() < (label == 1 ? 0.3 : 0.05);
      double p = label == 1 ? (grp.equals("a") ? 0.9 : 0.5) : 0.1;
      lines.add(
          String.format(
              Locale.ROOT,
              "%d,%d,%s,%s,c%d,%d,%d",
              i,
              20 + random.nextInt(40) + ageShift,
              missing ? "" : String.format(Locale.ROOT, "%.1f", 20 + 60 * random.nextDouble()),
              grp,
              random.nextInt(3000),
              label,
              random.nextDouble() < p ? 1 : 0));
    }
    Path path = dir.resolve(name);
    Files.write(path, lines);
    return path.toString();
  }

  private static String[] input(String path) {
    return new String[] {"--input", path, "--id", "id", "--label", "label"};
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void everyMethodWritesEveryFormatAndReadsItBack() throws Exception {
    String[] data = concat(new String[] {"data"}, input(people));
    sameInEveryFormat("profile", concat(data, "--method", "profile"), List.of("profile"));
    sameInEveryFormat(
        "missing",
        concat(data, "--method", "missing", "--sensitive", "grp"),
        List.of("missing", "missing_patterns", "missing_dependence"));
    sameInEveryFormat(
        "fairness",
        concat(data, "--method", "fairness", "--sensitive", "grp", "--prediction", "decision"),
        List.of("fairness", "fairness_disparity"));
    sameInEveryFormat(
        "drift", concat(data, "--method", "drift", "--reference", shifted), List.of("drift"));
  }

  private void sameInEveryFormat(String name, String[] command, List<String> tables)
      throws Exception {
    List<Dataset<Row>> parquet = new ArrayList<>();
    for (String format : List.of("parquet", "json", "csv")) {
      Path out = dir.resolve(name + "-" + format);
      Cli cli = Cli.run(concat(command, "--output-format", format, "--output", out.toString()));
      assertEquals(0, cli.exitCode(), name + " in " + format + ": " + cli.errors());
      assertTrue(Files.exists(out.resolve("report.html")), name + " in " + format);
      for (int t = 0; t < tables.size(); t++) {
        String path = out.resolve(tables.get(t)).toString();
        if (format.equals("parquet")) {
          Dataset<Row> table = SparkTestSession.get().read().parquet(path);
          assertTrue(table.count() > 0, name + " " + tables.get(t));
          parquet.add(table);
          continue;
        }
        StructType declared =
            (StructType) DataType.fromJson(Files.readString(Path.of(path).resolve("_schema.json")));
        DataFrameReader reader = SparkTestSession.get().read().schema(declared);
        Dataset<Row> again =
            format.equals("csv") ? reader.option("header", "true").csv(path) : reader.json(path);
        Dataset<Row> expected = parquet.get(t);
        String what = name + " " + tables.get(t) + " in " + format;
        assertEquals(expected.count(), again.count(), what);
        assertEquals(0, expected.exceptAll(again).count(), what + ": rows lost");
        assertEquals(0, again.exceptAll(expected).count(), what + ": rows changed");
      }
    }
  }

  @Test
  void figuresOfTheInjectedTruthReachTheSummary() throws Exception {
    Path out = dir.resolve("truth");
    Cli cli =
        Cli.run(
            concat(
                concat(new String[] {"data"}, input(people)),
                "--method",
                "missing",
                "--sensitive",
                "grp,code",
                "--max-groups",
                "20",
                "--output",
                out.toString()));
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    JsonNode task = summary.at("/tasks/0");
    boolean byLabel = false;
    boolean byGroup = false;
    for (JsonNode d : task.get("dependence")) {
      if (d.get("column").asText().equals("income") && d.get("by").asText().equals("label")) {
        byLabel = d.get("depends").asBoolean();
        assertEquals(0.25, d.get("gap").asDouble(), 0.06);
      }
      if (d.get("column").asText().equals("income") && d.get("by").asText().equals("grp")) {
        byGroup = d.get("depends").asBoolean();
      }
    }
    assertTrue(byLabel, "income is missing by label");
    assertFalse(byGroup, "but not by group");
    List<String> outputs = new java.util.ArrayList<>();
    task.get("outputs").fieldNames().forEachRemaining(outputs::add);
    assertEquals(
        List.of("missing", "missing_patterns", "missing_dependence"),
        outputs,
        "the summary's keys in the order written, the same in every JVM");
    assertTrue(
        summary.get("warnings").toString().contains("code has more than 20 levels"),
        summary.get("warnings").toString());
  }

  @Test
  void driftLeavesDateColumnsOutSayingWhy() throws Exception {
    String[] dated = new String[2];
    for (int t = 0; t < 2; t++) {
      List<String> lines = new ArrayList<>(List.of("id,age,applied"));
      for (int i = 0; i < 200; i++) {
        lines.add(i + "," + (20 + i % 40) + ",202" + (4 + t) + "-0" + (1 + i % 9) + "-1" + i % 10);
      }
      Path path = dir.resolve("dated_" + t + ".csv");
      Files.write(path, lines);
      dated[t] = path.toString();
    }
    Path out = dir.resolve("dated_drift");
    Cli cli =
        Cli.run(
            "data",
            "--input",
            dated[1],
            "--id",
            "id",
            "--method",
            "drift",
            "--reference",
            dated[0],
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertTrue(
        summary
            .get("warnings")
            .toString()
            .contains("date and time columns are not compared: [applied] (two periods' dates"),
        summary.get("warnings").toString());
    List<String> compared = new ArrayList<>();
    summary.at("/tasks/0/psi").fieldNames().forEachRemaining(compared::add);
    assertEquals(List.of("age"), compared);
  }

  @Test
  void brokenThresholdsOfAnAuditGiveExitThreeAndLeadTheReport() throws Exception {
    Path spec = dir.resolve("data.yaml");
    Files.writeString(
        spec,
        "input: {path: "
            + CREDIT
            + ", id: id, label: default}\n"
            + "models: {gbt: "
            + GBT
            + "}\n"
            + "output: "
            + dir.resolve("audit")
            + "\n"
            + "tasks:\n"
            + "  - {type: profile, max_missing_fraction: 0.01, max_duplicate_rows: 0}\n"
            + "  - {type: data, method: fairness, model: gbt, sensitive: [region],"
            + " max_parity_difference: 0.1, min_parity_ratio: 0.8}\n"
            + "  - {type: explain, model: gbt, method: tree, name: shap}\n"
            + "  - {type: data, method: fairness, name: fair2, model: gbt, sensitive: [region],"
            + " explanations: shap}\n"
            + "  - {type: data, method: drift, reference: "
            + CREDIT
            + ", model: gbt, max_psi: 0.1, explanations: shap, reference_explanations: shap}\n");
    Cli cli = Cli.run("audit", spec.toString());
    assertEquals(3, cli.exitCode(), cli.errors());
    JsonNode summary = new ObjectMapper().readTree(dir.resolve("audit/summary.json").toFile());
    List<String> broken = new ArrayList<>();
    for (JsonNode t : summary.get("thresholds")) {
      if (!t.get("passed").asBoolean()) {
        broken.add(t.get("check").asText());
      }
    }
    // The credit table's region moves the default rate (its truth): parity fails, nothing else.
    assertEquals(
        List.of(
            "demographic parity difference (region)",
            "demographic parity ratio, at least (region)"),
        broken);
    JsonNode drift = summary.at("/tasks/4/psi");
    drift.fields().forEachRemaining(e -> assertEquals(0, e.getValue().asDouble(), 1e-12));
    assertEquals(1.0, summary.at("/tasks/4/importance/spearman").asDouble());
    assertTrue(Files.exists(dir.resolve("audit/drift_importance")));
    double share = summary.at("/tasks/3/groupings/0/attribution_share").asDouble();
    assertTrue(share > 0.05 && share < 0.6, "region carries part of the attribution: " + share);
    String html = Files.readString(dir.resolve("audit/report.html"));
    assertTrue(html.indexOf("demographic parity difference") < html.indexOf("Profile: profile"));
  }

  @Test
  void badInputIsRefusedWithTheProblemNamed() throws Exception {
    String[] data = concat(new String[] {"data"}, input(people));
    fails(
        "sensitive column 'gender' is not a column of the input",
        concat(data, "--method", "fairness", "--sensitive", "gender", "--prediction", "decision"),
        "unknown");
    fails(
        "sensitive must name one or two columns",
        concat(
            data,
            "--method",
            "fairness",
            "--sensitive",
            "grp,code,age",
            "--prediction",
            "decision"),
        "three");
    fails(
        "the key reference does not apply",
        concat(data, "--method", "profile", "--reference", shifted),
        "unused");
    fails(
        "the column 'grp' is string",
        concat(data, "--method", "fairness", "--sensitive", "code", "--prediction", "grp"),
        "textprediction");
    fails(
        "the key model does not apply",
        concat(data, "--method", "missing", "--model", GBT),
        "unusedmodel");
    Path other = dir.resolve("other.csv");
    Files.write(other, List.of("id,age,grp", "1,30,a", "2,40,b"));
    fails(
        "income is missing from the reference table",
        concat(data, "--method", "drift", "--reference", other.toString()),
        "schema");
    Path empty = dir.resolve("empty.csv");
    Files.write(empty, List.of("id,age,income,grp,code,label,decision"));
    fails("has no rows", concat(new String[] {"data"}, input(empty.toString())), "empty");
    fails(
        "the reference table " + empty + " has no rows",
        concat(data, "--method", "drift", "--reference", empty.toString()),
        "emptyreference");
    fails(
        "the model '",
        concat(data, "--method", "fairness", "--sensitive", "grp"),
        "nomodel",
        "needs the model");
    Path out = dir.resolve("capped");
    Cli capped =
        Cli.run(
            concat(
                data,
                "--method",
                "fairness",
                "--sensitive",
                "code",
                "--prediction",
                "decision",
                "--output",
                out.toString()));
    assertEquals(0, capped.exitCode(), capped.errors());
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    assertTrue(summary.at("/tasks/0/groupings/0/capped").asBoolean());
    assertTrue(
        summary.get("warnings").toString().contains("the 50 largest are compared"),
        summary.get("warnings").toString());
  }

  private static void fails(String expected, String[] command, String name, String... alsoOk) {
    Path out = dir.resolve("bad-" + name);
    Cli cli = Cli.run(concat(command, "--output", out.toString()));
    assertTrue(cli.exitCode() == 1 || cli.exitCode() == 2, name + ": " + cli.errors());
    boolean found = cli.errors().contains(expected);
    for (String s : alsoOk) {
      found |= cli.errors().contains(s);
    }
    assertTrue(found, name + ": expected '" + expected + "' in " + cli.errors());
    assertFalse(Files.exists(out), name + ": no output");
  }
}
