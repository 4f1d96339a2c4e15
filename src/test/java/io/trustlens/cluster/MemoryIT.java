package io.trustlens.cluster;

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
 */
@EnabledIfSystemProperty(named = "trustlens.memory.rows", matches = "\\d+")
class MemoryIT {
  private static final Path ROOT = Path.of("target/memory-it").toAbsolutePath();
  private static StandaloneCluster cluster;
  private static SparkSession local;
  private static long rows;
  private static final List<String> FIGURES = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    rows = Long.getLong("trustlens.memory.rows");
    cluster = StandaloneCluster.startIn(ROOT);
    local = StandaloneCluster.local();
    long copies = (rows + 1999) / 2000;
    StandaloneCluster.creditRepeated(local, copies)
        .limit((int) rows)
        .repartition((int) Math.max(1, rows / 250_000))
        .write()
        .parquet(ROOT.resolve("big").toString());
  }

  @AfterAll
  static void stop() {
    FIGURES.forEach(System.out::println);
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void score() throws Exception {
    run("score", "predictions", "score", "--model", "datasets/models/credit_gbt");
  }

  @Test
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
  void profile() throws Exception {
    run("data profile", null, "data", "--method", "profile", "--label", "default");
  }

  @Test
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

  /** Runs a command on the cluster; checks its exit and, when it writes one, its table's rows. */
  private static void run(String name, String table, String... command) throws Exception {
    Path out = ROOT.resolve(name.replace(' ', '-'));
    List<String> args = new ArrayList<>(List.of(command));
    args.addAll(
        List.of(
            "--input", ROOT.resolve("big").toString(), "--id", "id", "--output", out.toString()));
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
    int exit = ProgressWait.exit(p, name + " on " + rows + " rows", cluster::activity);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, exit, Files.readString(log));
    if (table != null) {
      assertEquals(rows, local.read().parquet(out.resolve(table).toString()).count(), name);
    }
    FIGURES.add(
        String.format(
            Locale.ROOT,
            "memory: %s on %,d rows, 512 MB executors: %.0f s (%.0f rows/s)",
            name,
            rows,
            seconds,
            rows / seconds));
  }
}
