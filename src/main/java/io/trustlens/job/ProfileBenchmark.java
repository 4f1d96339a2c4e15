package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.randn;
import static org.apache.spark.sql.functions.when;

import io.trustlens.data.Drift;
import io.trustlens.data.Missingness;
import io.trustlens.data.RecordsRead;
import io.trustlens.data.TableProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code bench profile}: wall time and passes over a Parquet table of N synthetic rows x 20 columns
 * (12 numeric with 2% nulls, 8 text of 2 to 100,000 levels) for the data methods, against Spark's
 * own {@code df.summary()} of the same table in the same session. Passes are the records read from
 * the files over the table's rows.
 */
final class ProfileBenchmark {
  private static final int NUMERIC = 12;
  private static final long[] LEVELS = {2, 5, 10, 50, 100, 1_000, 10_000, 100_000};

  private final long rows;
  private final List<String> masters;

  ProfileBenchmark(long rows, List<String> masters) {
    this.rows = rows;
    this.masters = masters;
  }

  void run() throws Exception {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-10s %-26s %10s %8s %12s%n",
            "master",
            "case",
            "seconds",
            "passes",
            "rows/s"));
    for (String master : masters) {
      SparkSession spark = BenchCommand.session(master);
      Path dir = Files.createTempDirectory("trustlens-profile-bench");
      String path = dir.resolve("table").toString();
      long t0 = System.nanoTime();
      table(spark, rows, 4 * spark.sparkContext().defaultParallelism()).write().parquet(path);
      System.out.printf(
          Locale.ROOT,
          "  %s: wrote %,d rows in %.1f s%n",
          master,
          rows,
          (System.nanoTime() - t0) / 1e9);
      Dataset<Row> table = spark.read().parquet(path);
      List<String> columns = new ArrayList<>(List.of(table.columns()));
      columns.remove("id");
      Dataset<Row> half = table.filter(col("id").mod(2).equalTo(0));
      Dataset<Row> other = table.filter(col("id").mod(2).equalTo(1));
      out.append(line(spark, master, "df.summary()", () -> table.summary().collectAsList()));
      out.append(
          line(
              spark,
              master,
              "profile",
              () -> TableProfile.of(table, new TableProfile.Options("id", "c0", 20, 10))));
      out.append(
          line(
              spark,
              master,
              "missing (by c0, c2)",
              () -> Missingness.of(table, List.of("c0", "c2"), 10, 50)));
      out.append(
          line(spark, master, "drift (half against half)", () -> Drift.of(half, other, columns)));
      deleteQuietly(dir);
    }
    System.out.print(out);
    System.out.println(
        "passes: records read from the Parquet files over the table's rows (drift reads both"
            + " halves, so its count is of whole-table reads).");
  }

  private String line(SparkSession spark, String master, String name, Supplier<?> job) {
    try (RecordsRead read = RecordsRead.start(spark)) {
      long t0 = System.nanoTime();
      job.get();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double passes = (double) read.records() / rows;
      String row =
          String.format(
              Locale.ROOT,
              "%-10s %-26s %10.1f %8.2f %,12.0f%n",
              master,
              name,
              seconds,
              passes,
              rows / seconds);
      System.out.print("  " + row);
      return row;
    }
  }

  /** N rows: an id, 12 numeric columns (2% null) and 8 text columns of growing cardinality. */
  static Dataset<Row> table(SparkSession spark, long n, int partitions) {
    List<Column> cols = new ArrayList<>();
    cols.add(col("id"));
    for (int i = 0; i < NUMERIC; i++) {
      Column v = randn(i).multiply(i + 1).plus(10 * i);
      cols.add(when(rand(100 + i).lt(0.02), lit(null)).otherwise(v).as("x" + i));
    }
    for (int j = 0; j < LEVELS.length; j++) {
      cols.add(
          concat(
                  lit("v"),
                  floor(rand(200 + j).multiply(LEVELS[j]))
                      .cast(DataTypes.LongType)
                      .cast(DataTypes.StringType))
              .as("c" + j));
    }
    return spark.range(0, n, 1, partitions).select(cols.toArray(new Column[0]));
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      System.err.println("trustlens: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
