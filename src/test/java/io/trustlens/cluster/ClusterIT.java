package io.trustlens.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.job.TrustLens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code score} through spark-submit on a real standalone cluster (separate master, worker and
 * executor JVMs) gives exactly the local-mode output, also when an executor is killed mid-job.
 */
class ClusterIT {
  private static final Path ROOT = Path.of("target/cluster-it").toAbsolutePath();
  private static final String MLP = "datasets/models/torch/breast_cancer_mlp.pt";
  private static StandaloneCluster cluster;
  private static SparkSession local;

  @BeforeAll
  static void start() throws Exception {
    deleteRecursively(ROOT);
    Files.createDirectories(ROOT);
    cluster = new StandaloneCluster(ROOT);
    cluster.start();
    local =
        SparkSession.builder()
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void torchScriptModelShippedWithFilesScoresAsInLocalMode() throws Exception {
    Path mlp = Path.of(MLP).toAbsolutePath();
    String[] args = {
      "score",
      "--input",
      "datasets/breast_cancer.csv",
      "--label",
      "malignant",
      "--model",
      mlp.toString(),
      "--partitions",
      "4"
    };
    Path out = ROOT.resolve("torch-cluster");
    runOnCluster(
        "torch", List.of("--files", mlp.toString()), concat(args, "--output", out.toString()));
    Path expected = ROOT.resolve("torch-local");
    assertEquals(0, TrustLens.execute(concat(args, "--output", expected.toString())));
    assertSameRows(expected, out, 569);
  }

  @Test
  void mllibPipelineScoresAsInLocalMode() throws Exception {
    String[] args = {
      "score",
      "--input",
      "datasets/synthetic/credit.csv",
      "--id",
      "id",
      "--label",
      "default",
      "--model",
      "datasets/models/credit_gbt",
      "--partitions",
      "4"
    };
    Path out = ROOT.resolve("gbt-cluster");
    runOnCluster("gbt", List.of(), concat(args, "--output", out.toString()));
    Path expected = ROOT.resolve("gbt-local");
    assertEquals(0, TrustLens.execute(concat(args, "--output", expected.toString())));
    assertSameRows(expected, out, 2000);
  }

  @Test
  void jobSurvivesAnExecutorKilledMidJobWithIdenticalOutput() throws Exception {
    // A table big enough for the scoring stage to run for several seconds on two one-core
    // executors: the demo rows repeated 1,500 times with fresh ids, scored in 40 partitions
    // (after a shuffle, whose lost map output the retry must also recompute).
    Path big = ROOT.resolve("credit-big");
    local
        .read()
        .option("header", "true")
        .option("inferSchema", "true")
        .csv("datasets/synthetic/credit.csv")
        .crossJoin(local.range(1500).withColumnRenamed("id", "copy"))
        .selectExpr(
            "id * 1500 + copy as id",
            "age",
            "income",
            "debt_ratio",
            "years_employed",
            "region",
            "default")
        .repartition(60)
        .write()
        .parquet(big.toString());
    String[] args = {
      "score",
      "--input",
      big.toString(),
      "--id",
      "id",
      "--model",
      "datasets/models/credit_gbt",
      "--batch-size",
      "256",
      "--partitions",
      "40"
    };
    Path out = ROOT.resolve("killed-cluster");
    Process submit =
        cluster.submit(
            ROOT.resolve("killed.log"),
            List.of("--conf", "spark.ui.showConsoleProgress=false"),
            concat(args, "--output", out.toString()));
    String killedAt = killOneExecutorMidJob(submit);
    int exit = ProgressWait.exit(submit, "the job to finish", ClusterIT::jobProgress);
    String log = Files.readString(ROOT.resolve("killed.log"));
    assertEquals(0, exit, log);
    Path expected = ROOT.resolve("killed-local");
    assertEquals(0, TrustLens.execute(concat(args, "--output", expected.toString())));
    assertSameRows(expected, out, 3_000_000);
    System.out.println("killed an executor with " + killedAt + " scoring tasks committed");
  }

  /**
   * Waits, while the job makes progress, until the scoring stage has committed some but not all of
   * its 40 tasks (each committed task leaves a {@code task_*} folder in the output's {@code
   * _temporary}), then kills one executor JVM.
   */
  private static String killOneExecutorMidJob(Process submit) throws Exception {
    return ProgressWait.until(
        "the scoring stage mid-way (2 to 30 of 40 tasks committed)",
        () -> {
          long committed = committedTasks();
          if (committed > 30) {
            throw new AssertionError("the stage ran past mid-way between two looks: " + committed);
          }
          if (committed < 2) {
            return java.util.Optional.empty();
          }
          List<ProcessHandle> executors = cluster.executors();
          assertFalse(executors.isEmpty(), "executors are running");
          executors.get(0).destroyForcibly();
          return java.util.Optional.of(committed + "/40");
        },
        ClusterIT::jobProgress,
        submit::isAlive);
  }

  /** Committed tasks and the cluster's logs: what moves while a job runs. */
  private static String jobProgress() {
    return committedTasks() + " tasks committed; " + cluster.activity();
  }

  private static long committedTasks() {
    try (var walk = Files.walk(ROOT, 6)) {
      return walk.filter(
              p ->
                  p.getFileName().toString().startsWith("task_")
                      && p.toString().contains(".killed-cluster.tmp-"))
          .count();
    } catch (java.io.IOException | java.io.UncheckedIOException racedWithTheJob) {
      return 0;
    }
  }

  private static void runOnCluster(String name, List<String> options, String... args)
      throws Exception {
    Path log = ROOT.resolve(name + ".log");
    Process p = cluster.submit(log, options, args);
    int exit = ProgressWait.exit(p, "spark-submit of " + name + " to finish", cluster::activity);
    String text = Files.readString(log);
    assertEquals(0, exit, text);
    assertTrue(text.contains("") && Files.exists(Path.of(args[args.length - 1], "summary.json")));
    String summary = Files.readString(Path.of(args[args.length - 1], "summary.json"));
    assertTrue(summary.contains("\"master\" : \"" + cluster.masterUrl() + "\""), summary);
  }

  private static void assertSameRows(Path expected, Path actual, long rows) {
    Dataset<Row> a = local.read().parquet(expected.resolve("predictions").toString());
    Dataset<Row> b = local.read().parquet(actual.resolve("predictions").toString());
    assertEquals(rows, a.count());
    assertEquals(rows, b.count());
    assertEquals(0, a.exceptAll(b).count(), "rows only in local mode");
    assertEquals(0, b.exceptAll(a).count(), "rows only on the cluster");
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static void deleteRecursively(Path path) throws Exception {
    if (Files.exists(path)) {
      try (var walk = Files.walk(path)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
