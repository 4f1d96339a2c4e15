package io.trustlens.job;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** Options that choose and configure the Spark session of a command. */
public final class SparkOptions {
  @Option(
      names = "--master",
      description =
          "Spark master URL (local mode 'local[*]' unless spark-submit or spark.master set one).")
  String master;

  @Option(
      names = "--conf",
      paramLabel = "KEY=VALUE",
      description = "A Spark setting, repeatable: --conf spark.sql.shuffle.partitions=8")
  Map<String, String> conf = new LinkedHashMap<>();

  /** The session for a command named {@code app}, created or reused. */
  public SparkSession session(String app) {
    SparkSession.Builder builder = SparkSession.builder().appName("trustlens " + app);
    if (master != null) {
      builder.master(master);
    } else if (System.getProperty("spark.master") == null) {
      builder.master("local[*]");
    }
    if (System.getProperty("spark.ui.showConsoleProgress") == null) {
      builder.config("spark.ui.showConsoleProgress", "true");
    }
    builder.config("spark.sql.session.timeZone", "UTC");
    builder.config("spark.sql.debug.maxToStringFields", "1000");
    // Executors started by a cluster manager get the driver's cap on oneDNN's instruction set
    // (see jobs/trustlens) unless the job sets its own.
    String isa = System.getenv("ONEDNN_MAX_CPU_ISA");
    if (isa != null && !conf.containsKey("spark.executorEnv.ONEDNN_MAX_CPU_ISA")) {
      builder.config("spark.executorEnv.ONEDNN_MAX_CPU_ISA", isa);
    }
    conf.forEach(builder::config);
    long t0 = System.nanoTime();
    SparkSession session = builder.getOrCreate();
    lastStartSeconds = (System.nanoTime() - t0) / 1e9;
    return session;
  }

  /** Seconds the last {@link #session} call took (near 0 when it reused a running session). */
  static double lastStartSeconds() {
    return lastStartSeconds;
  }

  private static volatile double lastStartSeconds;
}
