package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.OutputKind;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkJobs;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputTableTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  @Test
  void aSmallCsvIsReadAndCheckedOnTheDriverWithoutASparkJob() {
    AuditSpec.Input in = new AuditSpec.Input();
    in.path = "datasets/synthetic/credit.csv";
    in.id = "id";
    in.label = "default";
    LoadedModel model =
        new ModelLoader(SPARK).loadAll(List.of("datasets/models/credit_gbt"), -1, OutputKind.LOGIT);

    InputTable counted = jobs(() -> InputTable.read(SPARK, in, true), 0, "types, rows and cells");
    assertEquals(2000, counted.rows());
    assertTrue(counted.small(), "read for a small run");
    assertEquals(
        1, counted.table().rdd().getNumPartitions(), "one partition, as Spark scans the file");
    jobs(
        () -> {
          counted.requireUniqueIds();
          return null;
        },
        0,
        "the ids");
    Dataset<Row> prepared = jobs(() -> counted.prepare(model), 0, "the pipeline's inputs");
    FeatureSpace features = counted.features(model, prepared);
    Map<String, Long> missing =
        jobs(() -> counted.missingCategories(features), 0, "the categories' missing cells");
    assertEquals(Map.of(), missing);
    io.trustlens.data.TableProfile profile =
        jobs(
            () ->
                io.trustlens.data.TableProfile.of(
                    counted.table(),
                    new io.trustlens.data.TableProfile.Options("id", "default", 20, 10),
                    counted.driverRows()),
            0,
            "the profile's two passes");
    assertEquals(2000, profile.rows());

    InputTable uncounted = InputTable.read(SPARK, in, false);
    assertNull(uncounted.driverRows(), "rows Spark read are not on the driver");
    assertFalse(uncounted.small());
    jobs(() -> uncounted.prepare(model), 1, "a pass over the pipeline's inputs");
    jobs(() -> uncounted.prepare(model), 0, "made once per model: no pass again");
    assertSame(uncounted.prepare(model), uncounted.prepare(model));
    assertEquals(Map.of(), uncounted.missingCategories(features));
    assertEquals(
        counted.table().collectAsList(),
        uncounted.table().collectAsList(),
        "the same rows read by Spark and on the driver");

    // Dealt over partitions (a spec's partitions), each partition holds the same rows either way:
    // profiles and summaries merge partial sums in partition order.
    assertEquals(1, counted.partitions(), "a table read on the driver");
    assertEquals(counted.table().queryExecution().toRdd().getNumPartitions(), counted.partitions());
    in.partitions = 6;
    InputTable dealt = InputTable.read(SPARK, in, true);
    assertNull(dealt.driverRows(), "dealt over six partitions");
    assertEquals(6, dealt.partitions(), "as Spark plans it");
    assertEquals(
        InputTable.read(SPARK, in, false).table().javaRDD().glom().collect(),
        InputTable.read(SPARK, in, true).table().javaRDD().glom().collect(),
        "the partitions of the rows read by Spark and on the driver");
  }

  /**
   * Text without an ASCII digit and without {@code inf} or {@code nan} in any case is never read as
   * a number by Spark's casts to double or int, so the counts may skip the cast for it ({@link
   * InputTable#MAYBE_NUMBER}): 30,000 random strings of digits, signs, dots, exponent and type
   * letters, the letters of Infinity and NaN, spaces of every kind and other scripts' digits, and a
   * list of special forms. Not vacuous: over a thousand of them are numbers.
   */
  @Test
  void onlyTextThatMayBeANumberIsReadAsOne() {
    String alphabet = "0123456789+-.eEdDfFxXpPiInNfFtTyYaA _\t\u00a0\u2007\u0661\u0966\uff11,";
    java.util.Random random = new java.util.Random(23);
    List<Row> texts = new java.util.ArrayList<>();
    for (String special :
        new String[] {
          "NaN",
          "+NaN",
          "-NaN",
          "nan",
          "NAN",
          "Infinity",
          "-Infinity",
          "+Infinity",
          "inf",
          "-inf",
          "+INF",
          "infinity",
          " Infinity ",
          "\tNaN",
          "Inf",
          "iNfInItY",
          "\u0661",
          "1d",
          "0x1p3",
          ".5",
          "5.",
          "-.5e-3",
          "+",
          "-",
          ".",
          "e5",
          "",
          " "
        }) {
      texts.add(org.apache.spark.sql.RowFactory.create(special));
    }
    for (int i = 0; i < 30_000; i++) {
      StringBuilder b = new StringBuilder();
      int length = 1 + random.nextInt(8);
      for (int j = 0; j < length; j++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      texts.add(org.apache.spark.sql.RowFactory.create(b.toString()));
    }
    Dataset<Row> table =
        SPARK.createDataFrame(
            texts,
            new org.apache.spark.sql.types.StructType()
                .add("s", org.apache.spark.sql.types.DataTypes.StringType));
    org.apache.spark.sql.Column s = org.apache.spark.sql.functions.col("s");
    org.apache.spark.sql.Column read =
        s.try_cast(org.apache.spark.sql.types.DataTypes.DoubleType)
            .isNotNull()
            .or(s.try_cast(org.apache.spark.sql.types.DataTypes.IntegerType).isNotNull());
    List<Row> missed =
        table
            .filter(read.and(org.apache.spark.sql.functions.not(s.rlike(InputTable.MAYBE_NUMBER))))
            .limit(5)
            .collectAsList();
    assertEquals(List.of(), missed, "read as numbers, yet skipped");
    long numbers = table.filter(read).count();
    assertTrue(numbers > 1_000, numbers + " numbers");
  }

  /**
   * Cells of every kind (null ids and numbers, NaN, infinities, empty text, and text in the forms a
   * cast to double may or may not read) counted in Java over the rows read on the driver, and by
   * Spark's pass over the rows Spark reads: the same counts.
   */
  @Test
  void cellsCountedOnTheDriverAreCountedAsSparksPassCountsThem(@TempDir Path dir) throws Exception {
    String[] forms = {
      "1", " 2 ", "3.5", "1e3", "-0", "+.5", "1d", "2F", "0x1p3", "inf", "-Infinity", "INF",
      "NaN", "nan", "1_000", "\u0661", "abc", "1,5", "\"\"", "", "1e400", " ", "Infinityx", "+inf",
      "NA", "N/A", "null", "None", " NA", "2147483648", "-7", "7.0"
    };
    StringBuilder csv = new StringBuilder("id,n,x,t,mixed\n");
    String[] xs = {"1.5", "NaN", "Inf", "-Inf", "", "2"};
    for (int i = 0; i < 60; i++) {
      String id = i % 17 == 5 ? "" : String.valueOf(i);
      String n = i % 7 == 3 ? "" : String.valueOf(i * 3);
      String t = i % 5 == 0 ? "\"\"" : i % 5 == 1 ? "" : "w" + i;
      String mixed = forms[i % forms.length].replace("\\u0661", "\u0661");
      csv.append(id).append(',').append(n).append(',').append(xs[i % xs.length]).append(',');
      csv.append(t).append(',').append(mixed).append('\n');
    }
    Path file = dir.resolve("cells.csv");
    Files.writeString(file, csv.toString());
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toString());
    SmallCsv.Table local =
        SmallCsv.read(SPARK, path.getFileSystem(SPARK.sparkContext().hadoopConfiguration()), path);
    Dataset<Row> bySpark =
        SPARK.read().option("header", "true").option("inferSchema", "true").csv(file.toString());
    assertEquals(bySpark.schema(), local.table().schema());
    List<String> text = List.of("t", "mixed");
    List<org.apache.spark.sql.types.StructField> checked =
        List.of(bySpark.schema().fields()).subList(1, 5);
    AuditSpec.Input in = new AuditSpec.Input();
    in.id = "id";
    long[] spark = InputTable.nonNull(bySpark, InputTable.counted(in, text, checked));
    long[] driver = CellCounts.of(local.rows(), bySpark.schema(), "id", text, checked);
    assertEquals(List.of(60L, 56L), List.of(spark[0], spark[1]), "rows, then ids");
    int mixed = 2 + InputTable.PER_TEXT; // t's counts come first
    assertTrue(
        spark[mixed + 1] > 10 && spark[mixed + 1] < spark[mixed],
        "some of the mixed cells are numbers");
    int checkedAt = 2 + 2 * InputTable.PER_TEXT;
    assertTrue(
        spark[checkedAt + 1] > 0 && spark[checkedAt + 2] > 0,
        "bad numbers and text: " + spark[checkedAt + 1]);
    assertEquals(
        java.util.Arrays.toString(spark), java.util.Arrays.toString(driver), "the same counts");
  }

  @Test
  void repeatedIdsOfATableReadOnTheDriverAreNamedAsSparkNamesThem(@TempDir Path dir)
      throws Exception {
    Path csv = dir.resolve("ids.csv");
    Files.writeString(csv, "id,x\n1,0.5\n2,0.25\n1,1.5\n0.0,1\n-0.0,2\n");
    AuditSpec.Input in = new AuditSpec.Input();
    in.path = csv.toString();
    in.id = "id";
    for (boolean small : new boolean[] {true, false}) {
      InputTable table = InputTable.read(SPARK, in, small);
      InvalidFeatureException e =
          assertThrows(InvalidFeatureException.class, table::requireUniqueIds);
      assertEquals(
          "the id column 'id' repeats values, for example 0.0 (2 rows), 1.0 (2 rows); ids must"
              + " be unique: each keys one row's random draws, waterfall and neighbours",
          e.getMessage());
    }
  }

  @Test
  void aHeavyMethodsRowsAreSpreadOverTheCoresWhenTheTableSitsInFewerPartitions(@TempDir Path dir)
      throws Exception {
    Path one = dir.resolve("one.parquet");
    SPARK
        .read()
        .option("header", "true")
        .option("inferSchema", "true")
        .csv("datasets/synthetic/credit.csv")
        .limit(200)
        .coalesce(1)
        .write()
        .parquet(one.toString());
    AuditSpec.Input in = new AuditSpec.Input();
    in.path = one.toString();
    in.id = "id";
    InputTable table = InputTable.read(SPARK, in, false);
    int cores = SPARK.sparkContext().defaultParallelism();
    assertTrue(cores >= 2, "the test session has several cores");
    assertEquals(1, table.table().rdd().getNumPartitions());
    assertEquals(cores, table.spread(table.table()).rdd().getNumPartitions());
    Dataset<Row> many = table.table().repartition(cores + 1);
    assertSame(many, table.spread(many), "enough partitions already");
    in.partitions = 1;
    InputTable named = InputTable.read(SPARK, in, false);
    assertSame(named.table(), named.spread(named.table()), "the spec's partitions kept");

    // Through the command: Kernel SHAP writes one part per core, TreeSHAP the scan's one.
    for (String method : List.of("kernel", "tree")) {
      Path out = dir.resolve(method);
      List<String> args =
          new java.util.ArrayList<>(
              List.of(
                  "explain",
                  "--input",
                  one.toString(),
                  "--id",
                  "id",
                  "--label",
                  "default",
                  "--model",
                  "datasets/models/credit_gbt",
                  "--method",
                  method,
                  "--output",
                  out.toString()));
      if (method.equals("kernel")) {
        args.addAll(List.of("--samples", "64", "--background", "datasets/synthetic/credit.csv"));
      }
      Cli cli = Cli.run(args.toArray(new String[0]));
      assertEquals(0, cli.exitCode(), cli.errors());
      long parts;
      try (var files = Files.list(out.resolve("shap"))) {
        parts = files.filter(f -> f.getFileName().toString().startsWith("part-")).count();
      }
      assertEquals(method.equals("kernel") ? cores : 1, parts, method + "'s output files");
    }
  }

  /** {@code work}'s result, checking that it started {@code expected} Spark jobs. */
  private static <T> T jobs(Supplier<T> work, int expected, String what) {
    SparkJobs.Counted<T> counted = SparkJobs.count(SPARK, work);
    assertEquals(expected, counted.jobs(), "Spark jobs checking " + what);
    return counted.result();
  }

  /**
   * An R export's {@code NA} (and pandas' other markers) in a numeric CSV column: read as missing,
   * the column as int or double, the same whether the table is read on the driver or by Spark; a
   * column with one real stray cell is still refused; the command says so, and profiles it.
   */
  @Test
  void missingValueMarkersInANumericCsvColumnAreReadAsMissing(@TempDir Path dir) throws Exception {
    List<String> lines = Files.readAllLines(Path.of("datasets/synthetic/credit.csv"));
    StringBuilder csv = new StringBuilder(lines.get(0)).append('\n');
    String[] markers = InputTable.MISSING_MARKERS.toArray(String[]::new);
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",", -1);
      if (i % 50 == 3) {
        cells[1] = markers[i % markers.length]; // age
      }
      if (i % 70 == 5) {
        cells[2] = "NA"; // income, a double
      }
      csv.append(String.join(",", cells)).append('\n');
    }
    Path file = dir.resolve("credit-na.csv");
    Files.writeString(file, csv.toString());
    AuditSpec.Input in = new AuditSpec.Input();
    in.path = file.toString();
    in.id = "id";
    List<Row> rows = null;
    for (boolean small : new boolean[] {true, false}) {
      InputTable t = InputTable.read(SPARK, in, small);
      assertEquals("int", t.table().schema().apply("age").dataType().simpleString());
      assertEquals("double", t.table().schema().apply("income").dataType().simpleString());
      assertEquals(40, t.table().filter("age IS NULL").count(), "small " + small);
      assertEquals(29, t.table().filter("income IS NULL").count(), "small " + small);
      assertEquals(2, t.readNotes().size(), t.readNotes().toString());
      assertTrue(t.readNotes().get(0).startsWith("column 'age' holds numbers and, in 40 cells"));
      List<Row> these = t.table().orderBy("id").collectAsList();
      if (rows != null) {
        assertEquals(rows, these, "the same rows on the driver and by Spark");
      }
      rows = these;
    }
    assertEquals(62, rows.get(0).getInt(1), "an age beside the markers kept");
    assertTrue(rows.get(2).isNullAt(1), "row id=2's marker");

    // A stray cell that is no marker is refused as before, naming it.
    Files.writeString(file, csv.toString().replaceFirst(",NA,", ",n.a.,"));
    InvalidFeatureException stray =
        assertThrows(InvalidFeatureException.class, () -> InputTable.read(SPARK, in, true));
    assertTrue(stray.getMessage().contains("for example 'n.a.'"), stray.getMessage());

    Files.writeString(file, csv.toString());
    Path out = dir.resolve("profile");
    Cli cli =
        Cli.run("profile", "--input", file.toString(), "--id", "id", "--output", out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    String summary = Files.readString(out.resolve("summary.json"));
    assertTrue(summary.contains("\"input: column 'age' holds numbers and, in 40 cells"), summary);
    assertTrue(summary.contains("\"nulls\" : 40"), summary);

    // A task's other table (here drift's reference) is read the same way, and says so too.
    Path drift = dir.resolve("drift");
    cli =
        Cli.run(
            "data",
            "--method",
            "drift",
            "--input",
            "datasets/synthetic/credit.csv",
            "--reference",
            file.toString(),
            "--id",
            "id",
            "--output",
            drift.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    summary = Files.readString(drift.resolve("summary.json"));
    assertTrue(
        summary.contains("reference table " + file + ": column 'age' holds numbers"), summary);
  }
}
