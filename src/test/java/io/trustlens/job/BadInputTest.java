package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad input fails with exit code 1, a message that names the problem, and no output
 * directory (not even a hidden temporary one).
 */
class BadInputTest {
  private static final String MLP = "datasets/models/torch/breast_cancer_mlp.pt";
  @TempDir static Path dir;
  static String withNulls;
  static String withNaN;
  static String vectors;

  @BeforeAll
  static void tables() {
    Dataset<Row> bc = Tables.csv("breast_cancer.csv");
    Dataset<Row> flagged = bc.selectExpr("*", "monotonically_increasing_id() as id");
    withNulls = dir.resolve("nulls").toString();
    flagged
        .selectExpr(
            "id",
            "case when id % 100 = 7 then null else mean_radius end as mean_radius",
            "mean_texture",
            "malignant")
        .write()
        .parquet(withNulls);
    withNaN = dir.resolve("nan").toString();
    flagged
        .selectExpr(
            "id",
            "case when id = 42 then double('NaN') else mean_radius end as mean_radius",
            "mean_texture",
            "malignant")
        .write()
        .parquet(withNaN);
    vectors = dir.resolve("vectors").toString();
    new VectorAssembler()
        .setInputCols(new String[] {"mean_radius", "mean_texture"})
        .setOutputCol("features")
        .transform(bc)
        .write()
        .parquet(vectors);
  }

  private static Cli fails(String expected, String... args) {
    Cli cli = Cli.run(args);
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains(expected), "expected '" + expected + "' in: " + cli.errors());
    return cli;
  }

  /** Runs a command that must succeed and returns the summary it wrote to {@code out}. */
  private static com.fasterxml.jackson.databind.JsonNode succeeds(Path out, String... args)
      throws java.io.IOException {
    Cli cli = Cli.run(args);
    assertEquals(0, cli.exitCode(), cli.errors());
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(out.resolve("summary.json").toFile());
  }

  private static String out(String name) {
    return dir.resolve("out-" + name).toString();
  }

  private static void noOutput(String name) throws Exception {
    assertFalse(Files.exists(Path.of(out(name))), "no output directory");
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(
          files.noneMatch(p -> p.getFileName().toString().startsWith(".out-" + name)),
          "no temporary directory left");
    }
  }

  @Test
  void missingInputPath() throws Exception {
    fails(
        "input not found: " + dir.resolve("nope.parquet"),
        "score",
        "--input",
        dir.resolve("nope.parquet").toString(),
        "--model",
        MLP,
        "--output",
        out("a"));
    noOutput("a");
  }

  /** An output path under a file cannot be created: said at once, naming the path. */
  @Test
  void unwritableOutputPath() throws Exception {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "not a folder");
    String under = file.resolve("out").toString();
    fails(
        "cannot create output directory " + under + ": ",
        "score",
        "--input",
        "datasets/breast_cancer.csv",
        "--model",
        MLP,
        "--output",
        under);
    assertTrue(Files.isRegularFile(file), "the file is left alone");
  }

  /**
   * A standalone master nobody listens at fails in seconds, naming the address (Spark alone retries
   * for a minute and then reports a stopped context).
   */
  @Test
  void unreachableMaster() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there now
    }
    fails( // TrustLens's own probe: Spark's path would end in "stopped SparkContext"
        "cannot reach the Spark master at 127.0.0.1:" + port,
        "profile",
        "--input",
        "datasets/iris.csv",
        "--master",
        "spark://127.0.0.1:" + port,
        "--output",
        out("master"));
    noOutput("master");
  }

  /**
   * 1e308 is finite, so it passes the checks for NaN and infinity; a map's sums of squares overflow
   * on it, which is named with the column (before: "convergence failed").
   */
  @Test
  void aValueWhoseSquareOverflowsIsNamedByPca() throws Exception {
    String huge = dir.resolve("huge").toString();
    Tables.csv("breast_cancer.csv")
        .withColumn(
            "mean_radius",
            org.apache.spark.sql.functions.expr(
                "case when mean_radius > 25 then 1e308 else mean_radius end"))
        .write()
        .parquet(huge);
    fails(
        "the sums of squares of mean_radius (largest |value| 1.0E308) overflow a double",
        "explore",
        "--input",
        huge,
        "--label",
        "malignant",
        "--method",
        "pca",
        "--output",
        out("huge"));
    noOutput("huge");
  }

  @Test
  void unknownColumn() throws Exception {
    Cli cli =
        fails(
            "unknown column 'mean_radiu' (a feature named) in datasets/breast_cancer.csv; the table has:",
            "score",
            "--input",
            "datasets/breast_cancer.csv",
            "--features",
            "mean_radiu,mean_texture",
            "--model",
            MLP,
            "--output",
            out("b"));
    assertTrue(
        cli.errors().contains("; did you mean 'mean_radius'?"), "a typo's hint: " + cli.errors());
    noOutput("b");
  }

  @Test
  void oneTextCellInANumericCsvColumnIsRefusedNamingTheRow() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("datasets/synthetic/credit.csv"));
    List<String> header = List.of(lines.get(0).split(","));
    int income = header.indexOf("income");
    String[] row = lines.get(6).split(",", -1);
    row[income] = "abc";
    lines.set(6, String.join(",", row));
    Path csv = dir.resolve("stray.csv");
    Files.write(csv, lines);
    String expected =
        "column 'income' of "
            + csv
            + " holds numbers in 1999 of 2000 cells but not in 1, for"
            + " example 'abc' (row id="
            + row[header.indexOf("id")]
            + ")";
    fails(
        expected,
        "train",
        "--input",
        csv.toString(),
        "--id",
        "id",
        "--label",
        "default",
        "--estimator",
        "logistic",
        "--output",
        out("s1"));
    noOutput("s1");
    fails(
        expected,
        "explore",
        "--input",
        csv.toString(),
        "--id",
        "id",
        "--method",
        "pca",
        "--output",
        out("s2"));
    noOutput("s2");
  }

  @Test
  void missingCategoriesAreCountedAndWarnedAbout() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("datasets/synthetic/credit.csv"));
    int region = List.of(lines.get(0).split(",")).indexOf("region");
    for (int i = 1; i <= 7; i++) {
      String[] row = lines.get(i * 100).split(",", -1);
      row[region] = "";
      lines.set(i * 100, String.join(",", row));
    }
    Path csv = dir.resolve("no-region.csv");
    Files.write(csv, lines);
    Path out = dir.resolve("missing-region");
    var summary =
        succeeds(
            out,
            "score",
            "--input",
            csv.toString(),
            "--id",
            "id",
            "--label",
            "default",
            "--model",
            "datasets/models/credit_gbt",
            "--output",
            out.toString());
    assertEquals(7, summary.at("/tasks/0/missing_categories/region").asLong(), summary.toString());
    assertTrue(
        summary.at("/warnings/0").asText().contains("region is missing in 7 rows"),
        summary.at("/warnings").toString());
  }

  @Test
  void aPipelinesNullInputNamesTheRowOrIsSkipped() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("datasets/synthetic/credit.csv"));
    List<String> header = List.of(lines.get(0).split(","));
    String[] row = lines.get(41).split(",", -1);
    row[header.indexOf("income")] = "";
    lines.set(41, String.join(",", row));
    Path csv = dir.resolve("null-income.csv");
    Files.write(csv, lines);
    String[] score = {
      "score", "--input", csv.toString(), "--id", "id", "--model", "datasets/models/credit_gbt"
    };
    fails(
        "null in column 'income' of row id=" + row[0] + ", which the model's pipeline reads",
        concat(score, "--output", out("p1")));
    noOutput("p1");
    Path skipped = dir.resolve("out-p2");
    Cli cli = Cli.run(concat(score, "--on-invalid", "skip", "--output", skipped.toString()));
    assertEquals(0, cli.exitCode(), cli.errors());
    var summary =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(skipped.resolve("summary.json").toFile());
    assertEquals(1, summary.at("/tasks/0/rows_skipped_invalid").asLong(), summary.toString());
    assertEquals(1999, summary.at("/tasks/0/rows_scored").asLong());
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void nullAndRepeatedIds() throws Exception {
    String nullIds = dir.resolve("null-ids").toString();
    Tables.csv("breast_cancer.csv")
        .selectExpr(
            "case when mean_radius > 25 then null else monotonically_increasing_id() end as id",
            "*")
        .write()
        .parquet(nullIds);
    fails(
        "the id column 'id' is null in 5 of 569 rows",
        "score",
        "--input",
        nullIds,
        "--id",
        "id",
        "--model",
        MLP,
        "--output",
        out("n1"));
    noOutput("n1");
    String repeated = dir.resolve("repeated-ids").toString();
    Tables.csv("breast_cancer.csv")
        .selectExpr("cast(monotonically_increasing_id() % 500 as int) as id", "*")
        .write()
        .parquet(repeated);
    String[] explain = {
      "explain",
      "--input",
      repeated,
      "--id",
      "id",
      "--model",
      MLP,
      "--method",
      "saliency",
      "--output",
      out("n2")
    };
    fails("the id column 'id' repeats values, for example 0 (2 rows)", explain);
    noOutput("n2");
    fails(
        "the id column 'id' repeats values",
        "explore",
        "--input",
        repeated,
        "--id",
        "id",
        "--method",
        "knn",
        "--output",
        out("n3"));
    noOutput("n3");
  }

  @Test
  void unknownIdColumn() throws Exception {
    fails(
        "unknown column 'key'",
        "score",
        "--input",
        "datasets/breast_cancer.csv",
        "--id",
        "key",
        "--model",
        MLP,
        "--output",
        out("b2"));
    noOutput("b2");
  }

  @Test
  void nonNumericFeatureColumn() throws Exception {
    fails(
        "feature column 'region' is string, not numeric",
        "score",
        "--input",
        "datasets/synthetic/credit.csv",
        "--features",
        "age,region",
        "--model",
        MLP,
        "--output",
        out("c"));
    noOutput("c");
  }

  @Test
  void aTextLabelIsRefusedByScoreBeforeAnyWork() throws Exception {
    fails(
        "label column 'region' is string; score compares the label with the model's predictions",
        "score",
        "--input",
        "datasets/synthetic/credit.csv",
        "--label",
        "region",
        "--model",
        "datasets/models/credit_gbt",
        "--output",
        out("t"));
    noOutput("t");
  }

  @Test
  void wrongNumberOfFeaturesForTheModel() throws Exception {
    fails(
        "the table gives 2 features",
        "score",
        "--input",
        withNulls,
        "--features",
        "mean_radius,mean_texture",
        "--model",
        MLP,
        "--output",
        out("c2"));
    noOutput("c2");
  }

  @Test
  void nullFeaturesFailNamingTheRowByDefault() throws Exception {
    Path model = dir.resolve("two.pt");
    twoFeatureModel(model);
    Cli cli =
        fails(
            "null in feature column 'mean_radius'",
            "score",
            "--input",
            withNulls,
            "--id",
            "id",
            "--features",
            "mean_radius,mean_texture",
            "--model",
            model.toString(),
            "--output",
            out("d"));
    assertTrue(cli.errors().contains("row id="), cli.errors());
    noOutput("d");
  }

  @Test
  void nullFeaturesAreSkippedAndCountedOnRequest() throws Exception {
    Path model = dir.resolve("two.pt");
    twoFeatureModel(model);
    Cli cli =
        Cli.run(
            "score",
            "--input",
            withNulls,
            "--id",
            "id",
            "--features",
            "mean_radius,mean_texture",
            "--model",
            model.toString(),
            "--output",
            out("e"),
            "--on-invalid",
            "skip");
    assertEquals(0, cli.exitCode(), cli.errors());
    String summary = Files.readString(Path.of(out("e"), "summary.json"));
    // Ids 7, 107, ..., 507 are null: six rows of 569.
    assertTrue(summary.contains("\"rows_skipped_invalid\" : 6"), summary);
    assertTrue(summary.contains("\"rows_scored\" : 563"), summary);
  }

  @Test
  void infiniteFeaturesFailLikeNaN() throws Exception {
    String withInfinity = dir.resolve("infinity").toString();
    Tables.csv("breast_cancer.csv")
        .selectExpr("monotonically_increasing_id() as id", "*")
        .selectExpr(
            "id",
            "case when id = 9 then double('-Infinity') else mean_radius end as mean_radius",
            "mean_texture")
        .write()
        .parquet(withInfinity);
    Path model = dir.resolve("two.pt");
    twoFeatureModel(model);
    fails(
        "row id=9: -Infinity in feature column 'mean_radius'",
        "score",
        "--input",
        withInfinity,
        "--id",
        "id",
        "--features",
        "mean_radius,mean_texture",
        "--model",
        model.toString(),
        "--output",
        out("inf"));
    noOutput("inf");
  }

  @Test
  void nanFeaturesFail() throws Exception {
    Path model = dir.resolve("two.pt");
    twoFeatureModel(model);
    fails(
        "row id=42: NaN in feature column 'mean_radius'",
        "score",
        "--input",
        withNaN,
        "--id",
        "id",
        "--features",
        "mean_radius,mean_texture",
        "--model",
        model.toString(),
        "--output",
        out("f"));
    noOutput("f");
  }

  @Test
  void vectorOfTheWrongSize() throws Exception {
    fails(
        "vector column 'features' holds 2 features, but the model reads 30",
        "score",
        "--input",
        vectors,
        "--vector",
        "features",
        "--model",
        MLP,
        "--output",
        out("g"));
    noOutput("g");
  }

  @Test
  void missingModel() throws Exception {
    fails(
        "model not found: " + dir.resolve("none.pt"),
        "score",
        "--input",
        "datasets/breast_cancer.csv",
        "--model",
        dir.resolve("none.pt").toString(),
        "--output",
        out("h"));
    noOutput("h");
  }

  /**
   * A saved MLlib pipeline whose tree data is gone fails naming the model, and a missing input
   * still fails first with its own message: MLlib models load on a second thread while the input is
   * read (ModelPrefetch), and their errors come where the run asks for the model.
   */
  @Test
  void corruptMllibModelIsNamedAfterTheInputsOwnErrors() throws Exception {
    Path model = dir.resolve("credit_gbt_without_trees");
    copy(Path.of("datasets/models/credit_gbt"), model);
    try (Stream<Path> stages = Files.list(model.resolve("stages"))) {
      Path gbt = stages.filter(p -> p.getFileName().toString().contains("gbtc")).findFirst().get();
      delete(gbt.resolve("data"));
    }
    fails(
        "corrupt MLlib model " + model,
        "explain",
        "--method",
        "tree",
        "--input",
        "datasets/synthetic/credit.csv",
        "--id",
        "id",
        "--model",
        model.toString(),
        "--output",
        out("mllib"));
    noOutput("mllib");
    Cli cli =
        fails(
            "input not found: " + dir.resolve("nope.csv"),
            "score",
            "--input",
            dir.resolve("nope.csv").toString(),
            "--model",
            model.toString(),
            "--output",
            out("mllib2"));
    assertFalse(cli.errors().contains("corrupt"), cli.errors());
    noOutput("mllib2");
  }

  private static void copy(Path from, Path to) throws java.io.IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void delete(Path tree) throws java.io.IOException {
    try (Stream<Path> all = Files.walk(tree)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void corruptModel() throws Exception {
    Path bad = dir.resolve("corrupt.pt");
    Files.writeString(bad, "garbage");
    Files.writeString(
        dir.resolve("corrupt.json"),
        "{\"input_shape\":[30],\"output\":\"logit\",\"outputs\":[\"a\",\"b\"]}");
    fails(
        "cannot load " + bad + " as a TorchScript model",
        "score",
        "--input",
        "datasets/breast_cancer.csv",
        "--model",
        bad.toString(),
        "--output",
        out("i"));
    noOutput("i");
  }

  @Test
  void unknownModelFormat() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("not-a-model"));
    fails(
        "unknown model format",
        "score",
        "--input",
        "datasets/breast_cancer.csv",
        "--model",
        folder.toString(),
        "--output",
        out("j"));
    noOutput("j");
  }

  @Test
  void unsupportedMllibModel() throws Exception {
    String scaler = dir.resolve("scaler").toString();
    new org.apache.spark.ml.feature.StandardScaler()
        .setInputCol("features")
        .setOutputCol("s")
        .fit(SparkTestSession.get().read().parquet(vectors))
        .save(scaler);
    fails(
        "TrustLens needs an MLlib PredictionModel",
        "score",
        "--input",
        vectors,
        "--vector",
        "features",
        "--model",
        scaler,
        "--output",
        out("k"));
    noOutput("k");
  }

  @Test
  void emptyTable() throws Exception {
    String empty = dir.resolve("empty").toString();
    SparkTestSession.get().read().parquet(withNulls).limit(0).write().parquet(empty);
    fails("has no rows", "score", "--input", empty, "--model", MLP, "--output", out("l"));
    noOutput("l");
  }

  @Test
  void aFileInAnotherFormatThanItIsReadAsIsNamedBeforeSparkReadsIt() throws Exception {
    // A CSV file without its extension is read as Parquet (the default): refused, with the advice.
    Path txt = Files.copy(Path.of("datasets/iris.csv"), dir.resolve("iris.txt"));
    fails(
        "iris.txt is not a Parquet file (Parquet files start with PAR1; its first line is"
            + " 'sepal_length_cm,",
        "profile",
        "--input",
        txt.toString(),
        "--output",
        out("f1"));
    noOutput("f1");
    Cli csv =
        Cli.run("profile", "--input", txt.toString(), "--format", "csv", "--output", out("f2"));
    assertEquals(0, csv.exitCode(), csv.errors()); // said so, it is read
    // A Parquet folder read as CSV or JSON: refused, not profiled as lines of binary.
    for (String format : new String[] {"csv", "json"}) {
      fails(
          ".parquet is a Parquet file, read as " + format + " (--format)",
          "profile",
          "--input",
          withNulls,
          "--format",
          format,
          "--output",
          out("f3"));
      noOutput("f3");
    }
    // A CSV file read as JSON: no line parses (Spark would stop on its _corrupt_record column).
    fails(
        "no line of datasets/iris.csv is a JSON record",
        "profile",
        "--input",
        "datasets/iris.csv",
        "--format",
        "json",
        "--output",
        out("f4"));
    noOutput("f4");
    // Some lines of a JSON file are not records.
    Path json = dir.resolve("partly.json");
    Files.writeString(json, "{\"x\": 1.0}\n{\"x\": 2.0}\nx = 3\n");
    fails(
        "some lines of " + json + " are not JSON records",
        "profile",
        "--input",
        json.toString(),
        "--output",
        out("f5"));
    noOutput("f5");
  }

  @Test
  void aCsvFileSeparatedBySemicolonsIsNamed() throws Exception {
    Path semi = dir.resolve("semi.csv");
    Files.writeString(semi, Files.readString(Path.of("datasets/iris.csv")).replace(',', ';'));
    fails(
        "semi.csv reads as one column, 'sepal_length_cm;sepal_width_cm;petal_length_cm;"
            + "petal_width_cm;species': its values are separated by ';'",
        "profile",
        "--input",
        semi.toString(),
        "--output",
        out("f7"));
    noOutput("f7");
  }

  @Test
  void columnsTheDefaultFeaturesLeaveOutAreAWarning() throws Exception {
    StringBuilder csv = new StringBuilder("id,x1,x2,day,flag,name\n");
    for (int i = 0; i < 40; i++) {
      csv.append(i)
          .append(',')
          .append(Math.sin(i))
          .append(',')
          .append(Math.cos(3 * i))
          .append(",2024-01-")
          .append(String.format(java.util.Locale.ROOT, "%02d", 1 + i % 28))
          .append(',')
          .append(i % 2 == 0)
          .append(",n")
          .append(i % 5)
          .append('\n');
    }
    Path table = dir.resolve("mixed.csv");
    Files.writeString(table, csv);
    Path out = Path.of(out("f8"));
    var summary =
        succeeds(
            out,
            "explore",
            "--method",
            "pca",
            "--input",
            table.toString(),
            "--id",
            "id",
            "--output",
            out.toString());
    assertEquals(2, summary.at("/tasks/0/loadings").size(), summary.toString()); // x1 and x2
    assertEquals(
        "explore pca: columns left out of the features, which default to the numeric ones:"
            + " day (date), flag (boolean), name (string); name the features with --features (in a"
            + " spec, the input's features), or train a pipeline that encodes them",
        summary.at("/warnings/0").asText(),
        summary.at("/warnings").toString());
  }

  @Test
  void aTruncatedParquetFileIsNamed() throws Exception {
    Path table = dir.resolve("truncated");
    Files.createDirectories(table);
    Path part;
    try (Stream<Path> files = Files.list(Path.of(withNulls))) {
      part = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(part);
    Path cut = table.resolve("part-0.parquet");
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Cli cli =
        fails(
            cut.getFileName() + " is not a Parquet file",
            "profile",
            "--input",
            table.toString(),
            "--output",
            out("f6"));
    assertEquals(1, cli.errors().strip().lines().count(), cli.errors()); // one line, no traces
    noOutput("f6");
  }

  @Test
  void malformedSpecNamesLineAndKey() throws Exception {
    Path spec = dir.resolve("bad.yaml");
    Files.writeString(
        spec,
        "input:\n  path: datasets/iris.csv\n  lable: species\noutput: x\ntasks:\n  - type: profile\n");
    fails(spec + ", line 3: unknown key 'lable' in 'input.lable'", "audit", spec.toString());
  }

  @Test
  void existingOutputIsNotOverwrittenUnlessAsked() throws Exception {
    Path existing = Files.createDirectories(dir.resolve("out-m"));
    fails(
        "exists; choose another or pass --overwrite",
        "profile",
        "--input",
        "datasets/iris.csv",
        "--output",
        existing.toString());
    assertEquals(
        0,
        Cli.run(
                "profile",
                "--input",
                "datasets/iris.csv",
                "--output",
                existing.toString(),
                "--overwrite")
            .exitCode());
    assertTrue(Files.exists(existing.resolve("summary.json")));
  }

  /** A TorchScript model reading two features: the bundled MLP cannot, so use a card-less probe. */
  private static void twoFeatureModel(Path target) throws Exception {
    Path source = Path.of("src/test/resources/two_feature_logistic.pt");
    if (!Files.exists(target)) {
      Files.copy(source, target);
      Files.copy(
          Path.of("src/test/resources/two_feature_logistic.json"),
          target.resolveSibling("two.json"));
    }
  }
}
