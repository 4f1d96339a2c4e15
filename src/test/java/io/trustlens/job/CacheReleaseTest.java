package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing a command caches outlives it, whether it succeeds or fails: explore knn and t-SNE cache
 * the input in canonical order, uncertainty its scored table.
 */
class CacheReleaseTest {
  @TempDir Path dir;

  private static int persisted() {
    return SparkTestSession.get().sparkContext().getPersistentRDDs().size();
  }

  private void runs(int exit, String... args) {
    int before = persisted();
    Cli cli = Cli.run(args);
    assertEquals(exit, cli.exitCode(), cli.errors());
    assertEquals(before, persisted(), "RDDs left persisted by " + String.join(" ", args));
  }

  @Test
  void successfulAndFailedRunsLeaveNothingCached() {
    String[] wine = {"--input", "datasets/wine.csv", "--label", "cultivar"};
    runs(
        0,
        OutputFormatsTest.concat(
            OutputFormatsTest.concat(new String[] {"explore"}, wine),
            "--method",
            "knn",
            "--output",
            dir.resolve("knn").toString()));
    runs(
        0,
        OutputFormatsTest.concat(
            OutputFormatsTest.concat(new String[] {"explore"}, wine),
            "--method",
            "tsne",
            "--perplexity",
            "5",
            "--iterations",
            "50",
            "--output",
            dir.resolve("tsne").toString()));
    runs(
        1,
        OutputFormatsTest.concat(
            OutputFormatsTest.concat(new String[] {"explore"}, wine),
            "--method",
            "knn",
            "--neighbours",
            "500",
            "--output",
            dir.resolve("knn-too-many").toString()));
    runs(
        0,
        "uncertainty",
        "--input",
        "datasets/synthetic/credit.csv",
        "--id",
        "id",
        "--label",
        "default",
        "--model",
        "datasets/models/credit_gbt",
        "--output",
        dir.resolve("u").toString());
  }
}
