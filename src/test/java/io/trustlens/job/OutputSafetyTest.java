package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --overwrite} never deletes what the run reads: an output directory that is, or holds, the
 * input, a model or another table a task reads is refused before any work ({@code profile --input
 * out/credit.csv --output out --overwrite} deleted the table it had just profiled).
 */
class OutputSafetyTest {
  @TempDir Path dir;

  @Test
  void anOutputHoldingTheInputIsRefusedAndTheInputKept() throws Exception {
    Path input = dir.resolve("credit.csv");
    byte[] bytes = Files.readAllBytes(Path.of("datasets/synthetic/credit.csv"));
    Files.write(input, bytes);
    Cli cli =
        Cli.run(
            "profile",
            "--input",
            input.toString(),
            "--id",
            "id",
            "--output",
            dir.toString(),
            "--overwrite");
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(
        cli.errors()
            .contains(
                "output directory "
                    + dir
                    + " holds "
                    + input
                    + ", which this run reads; --overwrite would delete it"),
        cli.errors());
    assertArrayEquals(bytes, Files.readAllBytes(input));

    // The same for a model a task reads, and for the input itself as the output.
    Path models = dir.resolve("models");
    copy(Path.of("datasets/models/credit_gbt"), models.resolve("gbt"));
    cli =
        Cli.run(
            "score",
            "--input",
            input.toString(),
            "--id",
            "id",
            "--model",
            models.resolve("gbt").toString(),
            "--output",
            models.toString(),
            "--overwrite");
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains(" holds " + models.resolve("gbt")), cli.errors());
    assertTrue(Files.isDirectory(models.resolve("gbt").resolve("metadata")));

    cli =
        Cli.run(
            "train",
            "--input",
            input.toString(),
            "--label",
            "default",
            "--id",
            "id",
            "--estimator",
            "dt",
            "--output",
            dir.toString(),
            "--overwrite");
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(cli.errors().contains(" holds " + input + ", which this run reads"), cli.errors());
    assertArrayEquals(bytes, Files.readAllBytes(input));

    // train refuses an existing output without --overwrite before it fits, as the others do.
    cli =
        Cli.run(
            "train",
            "--input",
            input.toString(),
            "--label",
            "default",
            "--estimator",
            "dt",
            "--output",
            models.toString());
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(
        cli.errors().contains("output directory " + models + " exists; choose another or pass"),
        cli.errors());

    // An output inside a folder the run reads as a table would join that table's files.
    Path folder = dir.resolve("loans");
    org.apache.spark.sql.SparkSession spark = io.trustlens.testing.SparkTestSession.get();
    spark
        .read()
        .option("header", "true")
        .option("inferSchema", "true")
        .csv(input.toString())
        .write()
        .parquet(folder.toString());
    cli =
        Cli.run(
            "profile",
            "--input",
            folder.toString(),
            "--output",
            folder.resolve("profile").toString());
    assertEquals(1, cli.exitCode(), cli.errors());
    assertTrue(
        cli.errors()
            .contains(
                "output directory "
                    + folder.resolve("profile")
                    + " lies inside "
                    + folder
                    + ", a folder this run reads"),
        cli.errors());
    assertTrue(Files.notExists(folder.resolve("profile")));

    // An output apart from everything read is replaced as before.
    Path apart = dir.resolve("apart");
    Files.createDirectories(apart);
    cli =
        Cli.run(
            "profile",
            "--input",
            input.toString(),
            "--id",
            "id",
            "--output",
            apart.toString(),
            "--overwrite");
    assertEquals(0, cli.exitCode(), cli.errors());
    assertTrue(Files.exists(apart.resolve("summary.json")));
    // A run may replace the run it compares itself with: the baseline is read before any write.
    Path spec = dir.resolve("nightly.yaml");
    Files.writeString(
        spec,
        "input: {path: '"
            + input
            + "', id: id}\noutput: '"
            + apart
            + "'\ntasks:\n  - {type: profile}\n");
    cli = Cli.run("audit", spec.toString(), "--overwrite", "--baseline", apart.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    assertTrue(
        Files.readString(apart.resolve("report.html")).contains("Against the baseline"),
        "compared with the run it replaced");
  }

  private static void copy(Path from, Path to) throws java.io.IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
