package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An input given as a pattern of Hadoop's glob syntax ({@code data/2024-*.csv}), as Spark reads
 * them: every match read, the format checks made on the first, and a pattern that matches nothing
 * refused as a missing input. The existence check alone refused every pattern ("input not found").
 */
class InputPatternsTest {
  @TempDir Path dir;

  @Test
  void aPatternReadsEveryMatchingFile() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("datasets/synthetic/credit.csv"));
    String header = lines.get(0);
    Files.write(dir.resolve("loans-2024-01.csv"), lines.subList(0, 1201));
    List<String> second = new java.util.ArrayList<>(List.of(header));
    second.addAll(lines.subList(1201, lines.size()));
    Files.write(dir.resolve("loans-2024-02.csv"), second);
    Files.writeString(dir.resolve("notes.txt"), "not a table\n");
    SparkSession spark = SparkTestSession.get();
    AuditSpec.Input in = new AuditSpec.Input();
    in.path = dir.resolve("loans-2024-*.csv").toString();
    in.id = "id";
    for (boolean small : new boolean[] {true, false}) {
      InputTable table = InputTable.read(spark, in, small);
      assertEquals(lines.size() - 1, table.rows(), "small " + small);
      assertEquals(List.of(header.split(",")), List.of(table.table().columns()), "small " + small);
    }

    in.path = dir.resolve("loans-2023-*.csv").toString();
    InvalidFeatureException none =
        assertThrows(InvalidFeatureException.class, () -> InputTable.read(spark, in, true));
    assertEquals("input not found: no path matches " + in.path, none.getMessage());

    // The first match is checked as a plain path is: a Parquet file among CSV ones is named.
    spark
        .read()
        .option("header", "true")
        .csv(dir.resolve("loans-2024-01.csv").toString())
        .write()
        .parquet(dir.resolve("loans-2024-00.csv").toString());
    in.path = dir.resolve("loans-2024-*.csv").toString();
    InvalidFeatureException mixed =
        assertThrows(InvalidFeatureException.class, () -> InputTable.read(spark, in, true));
    assertTrue(mixed.getMessage().contains("is a Parquet file, read as csv"), mixed.getMessage());
  }

  @Test
  void aCommandScoresAPatternOfParquetFolders() throws Exception {
    SparkSession spark = SparkTestSession.get();
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> credit =
        spark
            .read()
            .option("header", "true")
            .option("inferSchema", "true")
            .csv("datasets/synthetic/credit.csv");
    credit.filter("id < 700").write().parquet(dir.resolve("day=1").toString());
    credit.filter("id >= 700").write().parquet(dir.resolve("day=2").toString());
    Path out = dir.resolve("scored");
    Cli cli =
        Cli.run(
            "score",
            "--input",
            dir.resolve("day=*").toString(),
            "--id",
            "id",
            "--label",
            "default",
            "--model",
            "datasets/models/credit_gbt",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    com.fasterxml.jackson.databind.JsonNode summary =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(out.resolve("summary.json").toFile());
    assertEquals(2000, summary.at("/tasks/0/rows_scored").asLong(), summary.toString());
    assertEquals(2000, spark.read().parquet(out.resolve("predictions").toString()).count());
    assertFalse(InputTable.isPattern("datasets/synthetic/credit.csv"));
    assertTrue(InputTable.isPattern("data/day={1,2}"));
  }
}
