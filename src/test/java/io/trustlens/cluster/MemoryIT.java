package io.trustlens.cluster;

import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Commands on a table larger than an executor's memory: the loopback cluster's two one-core
 * executors get 512 MB each and the driver 768 MB, the table is the demo rows repeated to {@code
 * trustlens.memory.rows} rows (8,000,000: about 0.7 GB as Spark rows, 1.2 GB as the Java objects a
 * whole-partition buffer would hold; 32 partitions of 250,000 rows), and each command must finish
 * and write every row. Opt-in, for its time (some 20 minutes on a 2-core machine):
 *
 * <pre>mvn verify -Dit.test=MemoryIT -Dtrustlens.memory.rows=8000000 -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * <p>The methods that score many perturbations a row (Kernel SHAP, permutation, LIME, gradients)
 * would take hours on millions of rows, so their table is larger than executor memory by its rows'
 * width instead: the breast-cancer rows repeated to {@code trustlens.memory.wide.rows} rows
 * (400,000) with a 1,984-character payload column each (0.8 GB; 4 partitions of 200 MB, each larger
 * than an executor's heap beyond Spark's reserve), explained by the TorchScript MLP with few
 * samples, every column (the payload too) written back beside the explanations:
 *
 * <pre>mvn verify -Dit.test=MemoryIT -Dtrustlens.memory.wide.rows=400000 -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@EnabledIf("sizeGiven")
class MemoryIT {
  private static final Path ROOT = Path.of("target/memory-it").toAbsolutePath();
  private static StandaloneCluster cluster;
  private static SparkSession local;
  private static long rows;
  private static long wideRows;

  /** Characters of the wide table's payload column a row. */
  private static final int PAYLOAD = 7936;

  private static final String MLP =
      Path.of("datasets/models/torch/breast_cancer_mlp.pt").toAbsolutePath().toString();
  private static final List<String> FIGURES = new ArrayList<>();

  static boolean sizeGiven() {
    return Long.getLong("trustlens.memory.rows") != null
        || Long.getLong("trustlens.memory.wide.rows") != null;
  }

  @BeforeAll
  static void start() throws Exception {
    rows = Long.getLong("trustlens.memory.rows", 0);
    wideRows = Long.getLong("trustlens.memory.wide.rows", 0);
    cluster = StandaloneCluster.startIn(ROOT);
    local = StandaloneCluster.local();
    if (rows > 0) {
      long copies = (rows + 1999) / 2000;
      StandaloneCluster.creditRepeated(local, copies)
          .limit((int) rows)
          .repartition((int) Math.max(1, rows / 250_000))
          .write()
          .parquet(ROOT.resolve("big").toString());
    }
    if (wideRows > 0) {
      long copies = (wideRows + 568) / 569;
      local
          .read()
          .option("header", "true")
          .option("inferSchema", "true")
          .csv("datasets/breast_cancer.csv")
          .withColumn("row", monotonically_increasing_id())
          .crossJoin(local.range(copies).withColumnRenamed("id", "copy"))
          .withColumn("id", expr("row * " + copies + " + copy"))
          .withColumn(
              "payload", expr("repeat(sha2(cast(id as string), 256), " + PAYLOAD / 64 + ")"))
          .drop("row", "copy")
          .limit((int) wideRows)
          .repartition((int) Math.max(1, wideRows / 100_000))
          .write()
          .parquet(ROOT.resolve("wide").toString());
    }
  }

  @AfterAll
  static void stop() {
    FIGURES.forEach(System.out::println);
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @EnabledIfSystemProperty(named = "trustlens.memory.rows", matches = "\\d+")
  void score() throws Exception {
    run("score", "predictions", "score", "--model", "datasets/models/credit_gbt");
  }

  @Test
  @EnabledIfSystemProperty(named = "trustlens.memory.rows", matches = "\\d+")
  void explainTree() throws Exception {
    run(
        "explain tree",
        "shap",
        "explain",
        "--method",
        "tree",
        "--model",
        "datasets/models/credit_gbt",
        "--label",
        "default");
  }

  @Test
  @EnabledIfSystemProperty(named = "trustlens.memory.rows", matches = "\\d+")
  void explainOcclusion() throws Exception {
    run(
        "explain occlusion",
        "occlusion",
        "explain",
        "--method",
        "occlusion",
        "--model",
        "datasets/models/credit_gbt",
        "--label",
        "default");
  }

  @Test
  @EnabledIfSystemProperty(named = "trustlens.memory.rows", matches = "\\d+")
  void profile() throws Exception {
    run("data profile", null, "data", "--method", "profile", "--label", "default");
  }

  @Test
  @EnabledIfSystemProperty(named = "trustlens.memory.rows", matches = "\\d+")
  void explorePca() throws Exception {
    run(
        "explore pca",
        "pca",
        "explore",
        "--method",
        "pca",
        "--scale",
        "--features",
        "age,income,debt_ratio,years_employed");
  }

  @Test
  @EnabledIfSystemProperty(named = "trustlens.memory.wide.rows", matches = "\\d+")
  void explainKernel() throws Exception {
    wide("explain kernel", "shap", "--method", "kernel", "--samples", "64", "--background", "10");
  }

  @Test
  @EnabledIfSystemProperty(named = "trustlens.memory.wide.rows", matches = "\\d+")
  void explainPermutation() throws Exception {
    wide("explain permutation", "shap", "--method", "permutation", "--samples", "2");
  }

  @Test
  @EnabledIfSystemProperty(named = "trustlens.memory.wide.rows", matches = "\\d+")
  void explainLime() throws Exception {
    wide("explain lime", "lime", "--method", "lime", "--samples", "200");
  }

  @Test
  @EnabledIfSystemProperty(named = "trustlens.memory.wide.rows", matches = "\\d+")
  void explainIntegratedGradients() throws Exception {
    wide("explain integrated gradients", "ig", "--method", "integrated_gradients", "--steps", "16");
  }

  /** Explains the wide table with the MLP; its payload column must come back with every row. */
  private static void wide(String name, String table, String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("explain", "--model", MLP));
    command.addAll(List.of(options));
    run(name, "wide", wideRows, table, command.toArray(new String[0]));
    Path out = ROOT.resolve(name.replace(' ', '-')).resolve(table);
    assertEquals(
        wideRows,
        local.read().parquet(out.toString()).where("length(payload) = " + PAYLOAD).count(),
        name + ": the payload written back");
  }

  private static void run(String name, String table, String... command) throws Exception {
    run(name, "big", rows, table, command);
  }

  /**
   * Runs a command on the cluster over input {@code input} of {@code count} rows; checks its exit
   * and, when it writes one, its table's rows.
   */
  private static void run(String name, String input, long count, String table, String... command)
      throws Exception {
    Path out = ROOT.resolve(name.replace(' ', '-'));
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(
        List.of(
            "--input", ROOT.resolve(input).toString(), "--id", "id", "--output", out.toString()));
    Path log = ROOT.resolve(name.replace(' ', '-') + ".log");
    long t0 = System.nanoTime();
    Process p =
        cluster.submit(
            log,
            List.of(
                "--conf",
                "spark.executor.memory=512m",
                "--conf",
                "spark.ui.showConsoleProgress=false"),
            args.toArray(new String[0]));
    int exit = ProgressWait.exit(p, name + " on " + count + " rows", cluster::activity);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, exit, Files.readString(log));
    if (table != null) {
      assertEquals(count, local.read().parquet(out.resolve(table).toString()).count(), name);
    }
    FIGURES.add(
        String.format(
            Locale.ROOT,
            "memory: %s on %,d rows of %s, 512 MB executors: %.0f s (%.0f rows/s)",
            name,
            count,
            input,
            seconds,
            count / seconds));
  }
}
