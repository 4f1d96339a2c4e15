package io.trustlens.cluster;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A real Spark standalone cluster on 127.0.0.1: one master and two one-core workers, each its own
 * JVM started from the Maven classpath (a SPARK_HOME whose {@code jars/} links to those jars), as
 * on a cluster where Spark is installed and TrustLens arrives as one jar. Each worker lists two
 * GPUs ({@link #GPUS}) through a discovery script, for jobs that ask for them; none is used.
 */
final class StandaloneCluster implements AutoCloseable {
  private final Path root;
  private final Path home;
  private final List<Process> daemons = new ArrayList<>();
  private final int masterPort = freePort();
  private final int masterUiPort = freePort();
  private int replacements;

  /** The GPU addresses each worker lists (a discovery script; no GPU is used). */
  static final List<String> GPUS = List.of("3", "5");

  /**
   * Empties {@code root} and starts a cluster there; also makes this JVM's local Spark session
   * (local[2]), for the undisturbed runs and for reading outputs, available as {@link #local()}.
   */
  static StandaloneCluster startIn(Path root) throws Exception {
    if (Files.exists(root)) {
      try (var walk = Files.walk(root)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(root);
    StandaloneCluster cluster = new StandaloneCluster(root);
    cluster.start();
    return cluster;
  }

  /** The demo loan rows repeated {@code copies} times, each copy with fresh ids. */
  static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> creditRepeated(
      org.apache.spark.sql.SparkSession spark, long copies) {
    return spark
        .read()
        .option("header", "true")
        .option("inferSchema", "true")
        .csv("datasets/synthetic/credit.csv")
        .crossJoin(spark.range(copies).withColumnRenamed("id", "copy"))
        .selectExpr(
            "id * " + copies + " + copy as id",
            "age",
            "income",
            "debt_ratio",
            "years_employed",
            "region",
            "default");
  }

  /** The test JVM's own local session (local[2]). */
  static org.apache.spark.sql.SparkSession local() {
    return org.apache.spark.sql.SparkSession.builder()
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
  }

  StandaloneCluster(Path root) throws IOException {
    this.root = root;
    this.home = root.resolve("spark-home");
    Path jars = Files.createDirectories(home.resolve("jars"));
    String classpath = Files.readString(Path.of(System.getProperty("trustlens.classpath"))).trim();
    for (String jar : classpath.split(File.pathSeparator)) {
      Path link = jars.resolve(Path.of(jar).getFileName());
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of(jar));
      }
    }
  }

  /** Starts the master and the workers and waits until both workers are registered. */
  void start() throws Exception {
    daemons.add(
        daemon(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            "" + masterPort,
            "--webui-port",
            "" + masterUiPort));
    waitFor(() -> masterJson().contains("\"aliveworkers\""), "the master to start");
    for (int i = 1; i <= 2; i++) {
      daemons.add(worker("worker" + i, freePort()));
    }
    waitFor(() -> masterJson().contains("\"aliveworkers\" : 2"), "two workers to register");
  }

  private Process worker(String name, int port) throws IOException {
    Path gpus = root.resolve("gpus.sh");
    if (!Files.exists(gpus)) { // written once: a replacement worker must not truncate it mid-read
      Files.writeString(
          gpus,
          "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\""
              + String.join("\", \"", GPUS)
              + "\"]}'\n");
      gpus.toFile().setExecutable(true);
    }
    return daemon(
        name,
        List.of(
            "-Dspark.worker.resource.gpu.amount=" + GPUS.size(),
            "-Dspark.worker.resource.gpu.discoveryScript=" + gpus),
        "org.apache.spark.deploy.worker.Worker",
        "--host",
        "127.0.0.1",
        "--port",
        "" + port,
        "--cores",
        "1",
        "--memory",
        "1g",
        "--webui-port",
        "" + freePort(),
        "--work-dir",
        Files.createDirectories(root.resolve("work-" + name)).toString(),
        masterUrl());
  }

  /**
   * Kills worker {@code i} (1 or 2) with the executors it started, as when a machine is lost, and
   * starts a new worker in its place; returns once the master lists the new one.
   */
  void replaceWorker(int i) throws Exception {
    Process old = daemons.get(i);
    old.descendants().forEach(ProcessHandle::destroyForcibly);
    old.destroyForcibly();
    old.waitFor();
    replacements++;
    int port = freePort();
    daemons.set(i, worker("worker" + i + "-new" + replacements, port));
    waitFor(
        () -> masterJson().matches("(?s).*\"port\" : " + port + ",.*?\"state\" : \"ALIVE\".*"),
        "the new worker (port " + port + ") to register");
  }

  String masterUrl() {
    return "spark://127.0.0.1:" + masterPort;
  }

  /**
   * Runs spark-submit (client mode) with the cluster jar; returns its exit code, console output in
   * {@code log} and the driver's log file (a failing task's lines, traces) in {@code log.full}.
   */
  Process submit(Path log, List<String> sparkOptions, String... commandArgs) throws IOException {
    List<String> cmd = java();
    cmd.add("-Dlog4j2.configurationFile=" + Path.of("conf/log4j2.properties").toAbsolutePath());
    cmd.add("-Dtrustlens.log=" + log.toAbsolutePath() + ".full");
    cmd.add("org.apache.spark.deploy.SparkSubmit");
    cmd.addAll(List.of("--master", masterUrl(), "--deploy-mode", "client"));
    cmd.addAll(List.of("--class", "io.trustlens.job.TrustLens"));
    cmd.addAll(List.of("--conf", "spark.driver.host=127.0.0.1"));
    cmd.addAll(List.of("--conf", "spark.executor.memory=768m"));
    cmd.addAll(
        List.of(
            "--conf",
            "spark.executor.extraJavaOptions=-Dai.djl.offline=true -DOPT_OUT_TRACKING=true"
                + " -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1"));
    cmd.addAll(sparkOptions);
    cmd.add(Path.of(System.getProperty("trustlens.jar")).toAbsolutePath().toString());
    cmd.addAll(Arrays.asList(commandArgs));
    return start(cmd, log);
  }

  private Process daemon(String name, String mainClass, String... args) throws IOException {
    return daemon(name, List.of(), mainClass, args);
  }

  private Process daemon(String name, List<String> javaOptions, String mainClass, String... args)
      throws IOException {
    List<String> cmd = java();
    cmd.addAll(javaOptions);
    cmd.add(mainClass);
    cmd.addAll(Arrays.asList(args));
    return start(cmd, root.resolve(name + ".log"));
  }

  private List<String> java() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx768m");
    cmd.addAll(Arrays.asList(System.getProperty("trustlens.jvm.flags").trim().split("\\s+")));
    cmd.add("-cp");
    cmd.add(home.resolve("jars") + File.separator + "*");
    return cmd;
  }

  private Process start(List<String> cmd, Path log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", home.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    env.put("DJL_OFFLINE", "true");
    env.put("OPT_OUT_TRACKING", "true");
    return pb.start();
  }

  /** The executor JVMs this cluster's workers started. */
  List<ProcessHandle> executors() {
    return ProcessHandle.allProcesses()
        .filter(
            p -> {
              String line = p.info().commandLine().orElse("");
              return line.contains("CoarseGrainedExecutorBackend")
                  && line.contains(home.toString());
            })
        .toList();
  }

  String masterJson() {
    return get("http://127.0.0.1:" + masterUiPort + "/json/");
  }

  static String get(String url) {
    try {
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .build()
          .send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      return "no answer: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /**
   * Waits for {@code condition} while the cluster shows activity (its logs and the executors' work
   * folders grow); see {@link ProgressWait}.
   */
  void waitFor(java.util.function.BooleanSupplier condition, String what)
      throws InterruptedException {
    ProgressWait.until(
        what,
        () -> condition.getAsBoolean() ? java.util.Optional.of(true) : java.util.Optional.empty(),
        this::activity,
        () -> daemons.stream().allMatch(Process::isAlive));
  }

  /**
   * What moves while the cluster works: the daemons' and drivers' logs in the root and the
   * executors' logs under the workers' folders (at INFO, a line per finished task).
   */
  String activity() {
    try (var children = Files.list(root)) {
      return ProgressWait.filesUnder(children.filter(p -> !p.equals(home)).toArray(Path[]::new));
    } catch (IOException e) {
      return "root unreadable: " + e;
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (Process p : daemons) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    executors().forEach(ProcessHandle::destroyForcibly);
  }
}
