package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.trustlens.data.TableProfile;
import io.trustlens.testing.SparkTestSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CSV file read on the driver has the types and rows Spark's own reader gives it. */
class SmallCsvTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  @TempDir Path dir;

  /** Files that exercise Spark's inference and parsing, by name. */
  private static final Map<String, String> FILES =
      Map.ofEntries(
          Map.entry("numbers", "a,b,c\n1,2.5,3000000000\n-4,1e3,5\n7,NaN,8\n"),
          Map.entry("mixed", "x,y\n1,abc\n2.5,\n,true\n3,\"quoted, comma\"\n"),
          Map.entry("infinities", "v,w\nInfinity,Inf\n-Infinity,-Inf\n1,2\n"),
          Map.entry("booleans and dates", "flag,day,at\ntrue,2024-01-31,2024-01-31 10:00:00\n"),
          Map.entry("same names", "a,a,A,\n1,2,3,4\n5,6,7,8\n"),
          Map.entry("short and long rows", "a,b,c\n1,2\n3,4,5,6\n7,8,9\n"),
          Map.entry("blank lines and CRLF", "a,b\r\n1,x\r\n\r\n   \r\n\t\r\n2,y\r\n"),
          Map.entry("the header again", "a,b\n1,2\na,b\n3,4\n"),
          Map.entry("header only", "a,b\n"),
          Map.entry("no last line end", "id,text\n1,\"two\nlines\"\n2,\"\"\n3,\"say \"\"hi\"\"\""),
          Map.entry("bare CR", "a,b\r1,2\r3,4\r"),
          Map.entry("unicode", "name,value\nZoë,1\n東京,2\n"),
          Map.entry("big integers", "n\n12345678901234567890123\n1\n"),
          Map.entry("spaces", "a, b\n 1, 2\n3 ,4 \n"),
          Map.entry("blank first lines", "\n  \n\t\na,b\n1,2\n"),
          Map.entry("a tab line first", "\t\na,b\n1,2\n"),
          Map.entry("doubled quotes", "id,\"c\"\"q\"\n1,\"Smith \"\"Jr\"\", John\"\n2,a\\\"b\n"));

  @Test
  void everyFileHasSparksTypesAndRowsInTheFilesOrder() throws Exception {
    FileSystem fs = FileSystem.getLocal(SPARK.sparkContext().hadoopConfiguration());
    for (Map.Entry<String, String> e : FILES.entrySet()) {
      Path file = dir.resolve(e.getKey().replace(' ', '_') + ".csv");
      Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
      SmallCsv.Table local =
          SmallCsv.read(SPARK, fs, new org.apache.hadoop.fs.Path(file.toString()));
      assertNotNull(local, e.getKey());
      var spark =
          SPARK
              .read()
              .option("header", "true")
              .option("inferSchema", "true")
              .option("escape", SmallCsv.ESCAPE)
              .csv(file.toString());
      assertEquals(spark.schema(), local.table().schema(), e.getKey() + ": the types");
      List<Row> expected = spark.collectAsList();
      assertEquals(expected.toString(), local.rows().toString(), e.getKey() + ": the rows");
      assertEquals(
          expected.toString(),
          local.table().collectAsList().toString(),
          e.getKey() + ": the table's rows");
    }
  }

  /**
   * A quote inside a quoted cell or header is doubled, as RFC 4180, pandas, R and spreadsheets
   * write it, whether the file is read on the driver or by Spark (Spark's default escape, a
   * backslash, kept the quotes in the cell's value).
   */
  @Test
  void aQuoteInAQuotedCellIsADoubledQuoteOnBothReads() throws Exception {
    Path file = dir.resolve("rfc.csv");
    Files.writeString(file, "id,\"c\"\"q\"\n1,\"Smith \"\"Jr\"\", John\"\n");
    AuditSpec.Input in = new AuditSpec.Input();
    in.path = file.toString();
    for (String onDriver : List.of("true", "false")) {
      SPARK.conf().set(SmallCsv.ENABLED, onDriver);
      try {
        InputTable table = InputTable.read(SPARK, in, true);
        assertEquals(List.of("id", "c\"q"), List.of(table.table().columns()), onDriver);
        assertEquals(
            "Smith \"Jr\", John", table.table().first().getString(1), "on the driver: " + onDriver);
      } finally {
        SPARK.conf().unset(SmallCsv.ENABLED);
      }
    }
  }

  @Test
  void filesSparkShouldReadAreLeftToIt() throws Exception {
    FileSystem fs = FileSystem.getLocal(SPARK.sparkContext().hadoopConfiguration());
    Path bom = dir.resolve("bom.csv");
    Files.write(bom, ("\uFEFFa,b\n1,2\n").getBytes(StandardCharsets.UTF_8));
    Path blank = dir.resolve("blank.csv");
    Files.writeString(blank, "\n   \n");
    Path big = dir.resolve("big.csv");
    StringBuilder rows = new StringBuilder("a,b\n");
    while (rows.length() <= SmallCsv.MAX_BYTES) {
      rows.append("0.123456789,9.87654321\n");
    }
    Files.writeString(big, rows);
    Path gz = dir.resolve("small.csv.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8));
    }
    Path folder = dir.resolve("parts");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("part-0.csv"), "a,b\n1,2\n");
    for (Path p : List.of(bom, blank, big, gz, folder)) {
      assertNull(
          SmallCsv.read(SPARK, fs, new org.apache.hadoop.fs.Path(p.toString())), p.toString());
    }
    Path small = dir.resolve("small.csv");
    Files.writeString(small, "a,b\n1,2\n");
    SPARK.conf().set(SmallCsv.ENABLED, "false");
    try {
      assertNull(SmallCsv.read(SPARK, fs, new org.apache.hadoop.fs.Path(small.toString())));
    } finally {
      SPARK.conf().unset(SmallCsv.ENABLED);
    }
    assertNotNull(SmallCsv.read(SPARK, fs, new org.apache.hadoop.fs.Path(small.toString())));
  }

  /**
   * A profile of the rows read on the driver, run there without a Spark job, has every figure of
   * the same profile through Spark: 5,000 rows, and 8,192 (the quantile summaries compressed at
   * their last value), with duplicate ids and rows, blank, NaN and infinite cells and a label.
   */
  @Test
  void aProfileOfTheDriversRowsHasEveryFigureOfSparksPasses() throws Exception {
    FileSystem fs = FileSystem.getLocal(SPARK.sparkContext().hadoopConfiguration());
    for (int n : new int[] {5000, 8192}) {
      StringBuilder csv = new StringBuilder("id,x,y,text,label\n");
      java.util.SplittableRandom r = new java.util.SplittableRandom(n);
      String last = "";
      for (int i = 0; i < n; i++) {
        int id = i % 97 == 0 ? i - 1 : i; // some ids twice
        String x =
            i % 50 == 0
                ? ""
                : i % 77 == 0 ? "NaN" : i % 91 == 0 ? "Infinity" : "" + r.nextGaussian();
        String text = i % 13 == 0 ? "" : "w" + r.nextInt(40);
        int y = i % 31 == 0 ? 7 : r.nextInt(1000);
        String rest = x + ',' + y + ',' + text + ',' + r.nextInt(3);
        last = i % 101 == 0 ? last : rest; // some rows equal to an earlier one but for the id
        csv.append(id).append(',').append(last).append('\n');
      }
      Path file = dir.resolve("profile" + n + ".csv");
      Files.writeString(file, csv.toString(), StandardCharsets.UTF_8);
      SmallCsv.Table local =
          SmallCsv.read(SPARK, fs, new org.apache.hadoop.fs.Path(file.toString()));
      TableProfile.Options options = new TableProfile.Options("id", "label", 20, 10);
      TableProfile spark = TableProfile.of(local.table(), options);
      TableProfile driver = TableProfile.of(local.table(), options, local.internalRows());
      assertEquals(n, driver.rows());
      assertEquals(describe(spark), describe(driver), n + " rows");
    }
  }

  /** Every figure of a profile, arrays by their values. */
  private static String describe(TableProfile p) {
    StringBuilder s = new StringBuilder();
    s.append(p.rows()).append(' ').append(p.duplicates()).append(' ').append(p.label());
    for (TableProfile.ColumnProfile c : p.columns()) {
      s.append('\n').append(c.name()).append(' ').append(c.type()).append(' ').append(c.kind());
      for (Object v :
          new Object[] {
            c.values(), c.nulls(), c.nans(), c.infinities(), c.empty(), c.distinct(), c.min(),
            c.max(), c.mean(), c.stddev(), c.outliers(), c.top(), c.topExact(), c.constant(),
            c.nearConstant()
          }) {
        s.append(' ').append(v);
      }
      s.append(' ').append(java.util.Arrays.toString(c.quantiles()));
      if (c.histogram() != null) {
        s.append(' ').append(java.util.Arrays.toString(c.histogram().edges()));
        s.append(' ').append(java.util.Arrays.toString(c.histogram().counts()));
      }
    }
    return s.toString();
  }
}
