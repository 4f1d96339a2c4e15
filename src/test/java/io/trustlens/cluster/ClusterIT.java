package io.trustlens.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.job.TrustLens;
import io.trustlens.testing.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Commands through spark-submit on a real standalone cluster (separate master, worker and executor
 * JVMs) give exactly the local-mode output, also under faults: a task that throws once in every
 * stage, an executor killed mid-stage, a worker killed and replaced, a driver killed mid-run.
 */
class ClusterIT {
  private static final Path ROOT = Path.of("target/cluster-it").toAbsolutePath();
  private static final String MLP = "datasets/models/torch/breast_cancer_mlp.pt";
  private static StandaloneCluster cluster;
  private static SparkSession local;

  @BeforeAll
  static void start() throws Exception {
    cluster = StandaloneCluster.startIn(ROOT);
    local = StandaloneCluster.local();
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /**
   * A TorchScript model shipped with {@code --files}, scored and explained through its gradients
   * and as a black box while one task of every stage throws once: every table as in local mode.
   */
  @Test
  void torchScriptModelShippedWithFilesScoresAndExplainsAsInLocalMode() throws Exception {
    Path mlp = Path.of(MLP).toAbsolutePath();
    Path spec = ROOT.resolve("torch.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: torch",
            "input: {path: "
                + Path.of("datasets/breast_cancer.csv").toAbsolutePath()
                + ", label: malignant, partitions: 4}",
            "models: {mlp: " + mlp + "}",
            "tasks:",
            "  - {type: score, model: mlp, name: scores}",
            "  - {type: explain, model: mlp, method: integrated_gradients, steps: 16, name: ig}",
            "  - {type: explain, model: mlp, method: smoothgrad, samples: 8, name: smoothgrad}",
            "  - {type: explain, model: mlp, method: kernel, samples: 64, name: kernel}",
            ""));
    Path out = ROOT.resolve("torch-cluster");
    runOnCluster(
        "torch",
        List.of(
            "--files",
            mlp.toString(),
            "--jars",
            pluginJar().toString(),
            "--conf",
            "spark.plugins=" + FailOncePlugin.class.getName()),
        "audit",
        spec.toString(),
        "--output",
        out.toString());
    assertTrue(driverLog("torch").contains(FailOncePlugin.MESSAGE), driverLog("torch"));
    Path expected = ROOT.resolve("torch-local");
    assertEquals(0, TrustLens.execute("audit", spec.toString(), "--output", expected.toString()));
    Map<String, List<String>> want = tables(expected);
    assertEquals(4, want.size(), "tables: " + want.keySet());
    assertEquals(569, want.get("scores").size());
    assertEquals(want, tables(out), "every table as in local mode");
  }

  @Test
  void jobSurvivesAnExecutorKilledMidJobWithIdenticalOutput() throws Exception {
    // A table big enough for the scoring stage to run for several seconds on two one-core
    // executors: the demo rows repeated 500 times with fresh ids, scored in 40 partitions
    // (after a shuffle, whose lost map output the retry must also recompute).
    Path big = ROOT.resolve("credit-big");
    StandaloneCluster.creditRepeated(local, 500).repartition(60).write().parquet(big.toString());
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
    assertSameRows(expected, out, 1_000_000);
    System.out.println("killed an executor with " + killedAt + " scoring tasks committed");
  }

  /**
   * Executors given GPUs take, in each task, the GPU Spark assigned that task: each worker lists
   * two GPUs through a discovery script (addresses 3 and 5, {@link StandaloneCluster#GPUS}), the
   * job asks for one per executor and one per task, and every task's {@link
   * io.trustlens.model.Devices#forCurrentTask()} (where a TorchScript model would load) is that
   * GPU.
   */
  @Test
  void eachTaskRunsOnTheGpuSparkAssignedIt() throws Exception {
    Path log = Files.createDirectories(ROOT.resolve("task-devices"));
    runOnCluster(
        "gpus",
        List.of(
            "--jars",
            pluginJar().toString(),
            "--conf",
            "spark.plugins=" + TaskDevicePlugin.class.getName(),
            "--conf",
            TaskDevicePlugin.FOLDER + "=" + log,
            "--conf",
            "spark.executor.resource.gpu.amount=1",
            "--conf",
            "spark.task.resource.gpu.amount=1"),
        "score",
        "--input",
        "datasets/synthetic/credit.csv",
        "--id",
        "id",
        "--model",
        "datasets/models/credit_gbt",
        "--partitions",
        "4",
        "--output",
        ROOT.resolve("gpu-scores").toString());
    List<String> tasks = new java.util.ArrayList<>();
    try (var files = Files.list(log)) {
      for (Path f : files.toList()) {
        tasks.addAll(Files.readAllLines(f));
      }
    }
    assertTrue(tasks.size() >= 4, "a line per task: " + tasks);
    java.util.Set<String> used = new java.util.TreeSet<>();
    for (String task : tasks) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("\\d+ \\d+ gpu=(\\d+) device=(.*)").matcher(task);
      assertTrue(m.matches(), "a task with one GPU: " + task);
      assertTrue(StandaloneCluster.GPUS.contains(m.group(1)), "a worker's GPU: " + task);
      assertEquals("gpu(" + m.group(1) + ")", m.group(2), task);
      used.add(m.group(1));
    }
    System.out.println("tasks ran on the GPUs " + used + ": " + tasks.size() + " tasks");
  }

  /**
   * Every kind of command as one audit (profile and missing values, score, explanations of the
   * Shapley, LIME, occlusion and design families, and the PCA and nearest-neighbour maps) under
   * every fault: the driver killed mid-run leaves no output that looks complete; the rerun, while
   * one task of every stage throws once, an executor is killed and later a worker is killed and
   * replaced, finishes with every table equal, bit for bit, to an undisturbed local run's.
   */
  @Test
  void auditOfEveryCommandSurvivesFaultsWithIdenticalOutput() throws Exception {
    Path spec = ROOT.resolve("faults.yaml");
    Files.writeString(spec, faultsSpec());
    Path out = ROOT.resolve("faults-cluster");
    String[] args = {"audit", spec.toString(), "--output", out.toString()};

    Process driver = cluster.submit(ROOT.resolve("faults-killed.log"), List.of(), args);
    waitForTables(driver, out, 1, "the first table of the run whose driver is killed");
    driver.destroyForcibly();
    driver.waitFor();
    assertFalse(Files.exists(out), "a killed run leaves no output folder");
    assertEquals(1, temporaryFolders(out).size(), "the killed run's hidden folder is left");

    Path jar = pluginJar();
    Process run =
        cluster.submit(
            ROOT.resolve("faults.log"),
            List.of(
                "--jars",
                jar.toString(),
                "--conf",
                "spark.plugins=" + FailOncePlugin.class.getName(),
                "--conf",
                "spark.ui.showConsoleProgress=false"),
            args);
    waitForTables(run, out, 2, "two tables before an executor is killed");
    List<ProcessHandle> executors = cluster.executors();
    assertFalse(executors.isEmpty(), "executors are running");
    executors.get(0).destroyForcibly();
    waitForTables(run, out, 5, "five tables before a worker is killed");
    cluster.replaceWorker(2);
    int exit = ProgressWait.exit(run, "the audit under faults to finish", cluster::activity);
    String log = driverLog("faults");
    assertEquals(0, exit, log);
    assertTrue(log.contains(FailOncePlugin.MESSAGE), "tasks threw once: " + log);
    assertTrue(log.contains("Lost executor"), "executors were lost: " + log);
    assertEquals(List.of(), temporaryFolders(out), "the rerun removed the killed run's folder");

    Path expected = ROOT.resolve("faults-local");
    assertEquals(0, TrustLens.execute("audit", spec.toString(), "--output", expected.toString()));
    Map<String, List<String>> want = tables(expected);
    assertEquals(FAULT_TABLES, want.size(), "tables: " + want.keySet());
    assertEquals(want, tables(out), "every table as in the undisturbed run");
  }

  /** The tables the faults audit writes: one per task, three for missing values. */
  private static final int FAULT_TABLES = 13;

  private static String faultsSpec() {
    String credit = Path.of("datasets/synthetic/credit.csv").toAbsolutePath().toString();
    String gbt = Path.of("datasets/models/credit_gbt").toAbsolutePath().toString();
    return String.join(
        "\n",
        "name: faults",
        "input: {path: " + credit + ", id: id, label: default, partitions: 6}",
        "models: {gbt: " + gbt + "}",
        "seed: 7",
        "tasks:",
        "  - {type: data, method: profile, name: profile}",
        "  - {type: data, method: missing, name: missing}",
        "  - {type: score, model: gbt, name: scores}",
        "  - {type: explain, model: gbt, method: tree, name: tree}",
        "  - {type: explain, model: gbt, method: permutation, samples: 4, name: permutation}",
        "  - {type: explain, model: gbt, method: lime, samples: 100, name: lime}",
        "  - {type: explain, model: gbt, method: occlusion, name: occlusion}",
        "  - {type: explain, model: gbt, method: tree_rules, name: rules}",
        "  - {type: explore, method: pca, scale: true, name: pca}",
        "  - {type: explore, method: knn, neighbours: 4, name: knn}",
        "  - {type: explore, method: tsne, perplexity: 10, iterations: 250, name: tsne}",
        "");
  }

  /** Waits while the run makes progress until {@code count} tables are committed in its folder. */
  private static void waitForTables(Process run, Path out, int count, String what)
      throws Exception {
    ProgressWait.until(
        what,
        () -> {
          if (!run.isAlive()) {
            throw new AssertionError("the run ended before " + what);
          }
          return committedTables(out) >= count
              ? java.util.Optional.of(true)
              : java.util.Optional.empty();
        },
        () -> committedTables(out) + " tables; " + cluster.activity(),
        run::isAlive);
  }

  private static long committedTables(Path out) {
    long n = 0;
    for (Path tmp : temporaryFolders(out)) {
      try (var tables = Files.list(tmp)) {
        n += tables.filter(t -> Files.exists(t.resolve("_SUCCESS"))).count();
      } catch (java.io.IOException | java.io.UncheckedIOException racedWithTheRun) {
        // the folder moved into place between two looks
      }
    }
    return n;
  }

  private static List<Path> temporaryFolders(Path out) {
    try (var siblings = Files.list(out.getParent())) {
      return siblings
          .filter(p -> p.getFileName().toString().startsWith("." + out.getFileName() + ".tmp-"))
          .toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A jar of {@link FailOncePlugin} and {@link TaskDevicePlugin} for spark-submit's {@code --jars}.
   */
  private static Path pluginJar() throws Exception {
    Path jar = ROOT.resolve("plugins.jar");
    Path classes =
        Path.of(FailOncePlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> prefixes =
        List.of(
            FailOncePlugin.class.getName().replace('.', '/'),
            TaskDevicePlugin.class.getName().replace('.', '/'));
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
        var files = Files.walk(classes)) {
      for (Path c :
          files
              .filter(f -> prefixes.stream().anyMatch(classes.relativize(f).toString()::startsWith))
              .toList()) {
        out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(c).toString()));
        out.write(Files.readAllBytes(c));
        out.closeEntry();
      }
    }
    return jar;
  }

  private static Map<String, List<String>> tables(Path out) throws Exception {
    return Tables.outputs(local, out);
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

  /**
   * The console output of the driver run {@code name} and its log file, where a failing task's
   * lines go ({@code conf/log4j2.properties}).
   */
  private static String driverLog(String name) throws java.io.IOException {
    Path full = ROOT.resolve(name + ".log.full");
    return Files.readString(ROOT.resolve(name + ".log"))
        + (Files.exists(full) ? Files.readString(full) : "");
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
}
