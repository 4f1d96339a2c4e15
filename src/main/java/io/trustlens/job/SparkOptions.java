package io.trustlens.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

  @Option(
      names = "--verbose",
      description =
          "Spark's and the libraries' INFO lines on the console and in the log file (default:"
              + " warnings and errors only), and an error's stack trace.")
  boolean verbose;

  /** The root log level before a verbose command raised it; null when none did. */
  private static volatile org.apache.logging.log4j.Level quietLevel;

  /** Whether the running command asked for {@code --verbose}. */
  static boolean verboseRun() {
    return quietLevel != null;
  }

  /** Puts the log level back after a verbose command (commands run in one JVM in tests). */
  static void endVerbose() {
    org.apache.logging.log4j.Level level = quietLevel;
    if (level != null) {
      org.apache.logging.log4j.core.config.Configurator.setRootLevel(level);
      quietLevel = null;
      io.trustlens.model.NativeBlas.verbose(false);
    }
  }

  /** The session for a command named {@code app}, created or reused. */
  public SparkSession session(String app) {
    return session(app, () -> {});
  }

  /**
   * The session for a command named {@code app}, created or reused; {@code whileStarting} is run
   * just before Spark starts it (once Spark's own objects are set up).
   */
  SparkSession session(String app, Runnable whileStarting) {
    if (verbose && quietLevel == null) {
      quietLevel = org.apache.logging.log4j.LogManager.getRootLogger().getLevel();
      org.apache.logging.log4j.core.config.Configurator.setRootLevel(
          org.apache.logging.log4j.Level.INFO);
    }
    io.trustlens.model.NativeBlas.skipProbesOfMissingLibraries();
    io.trustlens.model.NativeBlas.verbose(verbose);
    SparkSession.Builder builder = SparkSession.builder().appName("trustlens " + app);
    if (master != null) {
      requireReachable(master);
    }
    settings().forEach(builder::config);
    whileStarting.run();
    long t0 = System.nanoTime();
    SparkSession session = builder.getOrCreate();
    lastStartSeconds = (System.nanoTime() - t0) / 1e9;
    commandSessionStarted = true;
    return session;
  }

  /**
   * What {@link #session} sets, beyond Spark's own {@code spark.*} system properties: the master,
   * the console's progress bar, UTC, no class loader per session, every {@code --conf}, and in
   * local mode {@link NioLocalFileSystem} for {@code file:} paths.
   */
  private Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    if (master != null) {
      settings.put("spark.master", master);
    } else if (System.getProperty("spark.master") == null) {
      settings.put("spark.master", "local[*]");
    }
    // Spark's progress bar on a terminal only: in a scheduled job's log it is a run of rewritten
    // lines. (The launcher tells from stderr itself; under spark-submit, an interactive console.)
    if (System.getProperty("spark.ui.showConsoleProgress") == null && System.console() != null) {
      settings.put("spark.ui.showConsoleProgress", "true");
    }
    settings.put("spark.sql.session.timeZone", "UTC");
    settings.put("spark.sql.debug.maxToStringFields", "1000");
    // Executors started by a cluster manager get the driver's cap on oneDNN's instruction set
    // (see jobs/trustlens) unless the job sets its own.
    String isa = System.getenv("ONEDNN_MAX_CPU_ISA");
    if (isa != null && !conf.containsKey("spark.executorEnv.ONEDNN_MAX_CPU_ISA")) {
      settings.put("spark.executorEnv.ONEDNN_MAX_CPU_ISA", isa);
    }
    // No session of a command adds artifacts (jars, classes) of its own, so its tasks need no class
    // loader of the session's: with one, each task's executor asked the driver over the network for
    // classes named "long" and "double" (Java serialization's primitive types) before finding them.
    if (System.getProperty(SESSION_ARTIFACTS) == null) {
      settings.put(SESSION_ARTIFACTS, "false");
    }
    settings.putAll(conf);
    // A local run's folders and files get their permissions without a chmod process each (the
    // executors are this JVM; a setting of the user's wins). Only where the JVM's own class path
    // has the class (the launcher's): under spark-submit it comes with the application jar, which
    // a thread outside Spark's class loader (Hadoop's, opening a file: path) may not see.
    String runsOn = settings.getOrDefault("spark.master", System.getProperty("spark.master", ""));
    if ((runsOn.equals("local") || runsOn.startsWith("local["))
        && System.getProperty(NioLocalFileSystem.SETTING) == null
        && NioLocalFileSystem.onSystemClassPath()) {
      settings.putIfAbsent(NioLocalFileSystem.SETTING, NioLocalFileSystem.class.getName());
    }
    return settings;
  }

  /** Spark's setting that gives each session its own artifacts and class loader on executors. */
  static final String SESSION_ARTIFACTS = "spark.sql.artifact.isolation.enabled";

  /**
   * The configuration a session that {@link #session} starts gets, as Spark's builder makes it (a
   * session already running keeps its own): for work done before the session is up.
   */
  org.apache.spark.SparkConf expectedConf() {
    org.apache.spark.SparkConf expected = new org.apache.spark.SparkConf();
    settings().forEach(expected::set);
    return expected;
  }

  /** How long a standalone master gets to accept a connection before it is called unreachable. */
  static final int CONNECT_MILLIS = 5_000;

  /**
   * Fails fast, naming the address, when a standalone master ({@code spark://host:port}, several
   * for HA) accepts no connection: Spark itself retries for a minute and then reports only a
   * stopped context.
   */
  static void requireReachable(String master) {
    if (!master.startsWith("spark://")) {
      return;
    }
    List<String> failures = new ArrayList<>();
    for (String hostPort : master.substring("spark://".length()).split(",")) {
      int colon = hostPort.lastIndexOf(':');
      String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      int port;
      try {
        port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new SpecException("--master " + master + ": '" + hostPort + "' has no port number");
      }
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress(host, port), CONNECT_MILLIS);
        return; // one master answering is enough
      } catch (java.io.IOException e) {
        failures.add(hostPort + " (" + e.getMessage() + ")");
      }
    }
    throw new SpecException(
        "cannot reach the Spark master at "
            + String.join(", ", failures)
            + ": is it running, and is --master right?");
  }

  /** Whether a command started (or reused) its Spark session through these options in this JVM. */
  static boolean commandSessionStarted() {
    return commandSessionStarted;
  }

  private static volatile boolean commandSessionStarted;

  /** Seconds the last {@link #session} call took (near 0 when it reused a running session). */
  static double lastStartSeconds() {
    return lastStartSeconds;
  }

  private static volatile double lastStartSeconds;
}
