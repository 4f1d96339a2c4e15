package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local launcher ({@code jobs/trustlens}) records its class-data archive only from a command's
 * successful run: an archive recorded by {@code --version} or by a run that failed holds a few
 * hundred classes, and every later run would load the rest from jars.
 */
class LauncherTest {
  @TempDir Path dir;

  private record Run(int code, String output) {}

  private Run launch(Path archive, String... args) throws IOException, InterruptedException {
    return launch(archive, false, args);
  }

  private Run launch(Path archive, boolean jvmWarnings, String... args)
      throws IOException, InterruptedException {
    return launch(archive, jvmWarnings, 60, args);
  }

  private Run launch(Path archive, boolean jvmWarnings, int seconds, String... args)
      throws IOException, InterruptedException {
    return launch(archive, jvmWarnings, seconds, java.util.Map.of(), args);
  }

  private Run launch(
      Path archive,
      boolean jvmWarnings,
      int seconds,
      java.util.Map<String, String> environment,
      String... args)
      throws IOException, InterruptedException {
    List<String> command =
        Stream.concat(Stream.of("bash", "jobs/trustlens"), Stream.of(args)).toList();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("TRUSTLENS_CDS_ARCHIVE", archive.toString());
    builder.environment().remove("TRUSTLENS_CDS");
    builder.environment().remove("TRUSTLENS_HUGE_PAGES");
    builder.environment().put("TRUSTLENS_JVM_WARNINGS", jvmWarnings ? "1" : "0");
    builder.environment().putAll(environment);
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes(); // until the launcher's JVM exits
    assertTrue(process.waitFor(seconds, TimeUnit.SECONDS), "the launcher did not exit");
    return new Run(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** The archive, or the launcher's temporary recording of it ({@code PATH.<pid>}), if any. */
  private List<Path> recorded(Path archive) throws IOException {
    String name = archive.getFileName().toString();
    try (Stream<Path> files = Files.list(archive.getParent())) {
      return files.filter(p -> p.getFileName().toString().startsWith(name)).toList();
    }
  }

  @Test
  void versionAndFailedRunsRecordNoArchive() throws Exception {
    Path archive = dir.resolve("a.jsa");
    Run version = launch(archive, "--version");
    assertEquals(0, version.code(), version.output());
    assertTrue(version.output().contains("trustlens " + Versions.trustlens()), version.output());
    assertEquals(List.of(), recorded(archive), "recorded by --version");

    // A command that stops at its arguments: the JVM records at exit, the launcher discards it.
    Run failed = launch(archive, "explain", "--no-such-option");
    assertNotEquals(0, failed.code(), failed.output());
    assertTrue(failed.output().contains("Unknown option: '--no-such-option'"), failed.output());
    assertEquals(List.of(), recorded(archive), "recorded by a failed run");
    assertFalse(Files.exists(archive));

    Run help = launch(archive, "explain", "--help");
    assertEquals(0, help.code(), help.output());
    assertTrue(help.output().contains("Usage: trustlens explain"), help.output());
    assertEquals(List.of(), recorded(archive), "recorded by a command's --help");
  }

  /**
   * A run keeps its archive only when its command ran through Spark: a command done without a
   * session ({@code make-datasets}) records at exit and the launcher discards it; a command's run
   * (a profile of iris) keeps it, and the next run maps it.
   */
  @Test
  void onlyACommandThatRanThroughSparkKeepsItsArchive() throws Exception {
    Path archive = dir.resolve("c.jsa");
    Run made =
        launch(
            archive,
            false,
            600,
            "make-datasets",
            "--output",
            dir.resolve("made").toString(),
            "--rows",
            "50",
            "--images",
            "10");
    assertEquals(0, made.code(), made.output());
    assertTrue(Files.isDirectory(dir.resolve("made")), made.output());
    assertEquals(List.of(), recorded(archive), "kept from a run without Spark");

    String[] profile = {
      "profile", "--input", "datasets/iris.csv", "--output", dir.resolve("p").toString()
    };
    Run first = launch(archive, false, 600, profile);
    assertEquals(0, first.code(), first.output());
    assertEquals(List.of(archive), recorded(archive), "a command's run keeps its archive");
    assertTrue(Files.size(archive) > 50_000_000, "the archive holds " + Files.size(archive));
    Path again = dir.resolve("q");
    profile[4] = again.toString();
    Run second = launch(archive, false, 600, profile);
    assertEquals(0, second.code(), second.output());
    assertTrue(Files.isDirectory(again), second.output());
  }

  /**
   * The JVM's warning about the incubating vector module (every run prints it first: Spark's module
   * options add the module) stays off the console; the rest of the output, the exit code and the
   * warning itself on request are kept.
   */
  @Test
  void theIncubatorWarningStaysOffTheConsole() throws Exception {
    Path archive = dir.resolve("b.jsa");
    String warning = "WARNING: Using incubator modules: jdk.incubator.vector";
    Run asked = launch(archive, true, "--version");
    assertTrue(asked.output().contains(warning), asked.output()); // the JVM does print it
    Run version = launch(archive, "--version");
    assertEquals(0, version.code(), version.output());
    assertEquals("trustlens " + Versions.trustlens(), version.output().strip());
    Run failed = launch(archive, "explain", "--no-such-option");
    assertEquals(2, failed.code(), failed.output());
    assertFalse(failed.output().contains(warning), failed.output());
    assertTrue(failed.output().startsWith("Unknown option: '--no-such-option'"), failed.output());
  }

  /**
   * Every class that uses the JDK's vector operations keeps the JDK's compile thresholds under the
   * launcher's raised ones: until C2 compiles them they are objects (a small continuous LIME took
   * 16 s against 2.4 s).
   */
  @Test
  void vectorCodeKeepsTheJdksCompileThresholds() throws Exception {
    String launcher = Files.readString(Path.of("jobs/trustlens"));
    List<String> vectorClasses;
    try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
      vectorClasses =
          sources
              .filter(f -> f.toString().endsWith(".java"))
              .filter(f -> read(f).contains("import jdk.incubator.vector."))
              .map(f -> Path.of("src/main/java").relativize(f).toString())
              .map(f -> f.substring(0, f.length() - ".java".length()).replace('/', '.'))
              .toList();
    }
    assertFalse(vectorClasses.isEmpty(), "LIME's continuous sums use vector operations");
    for (String name : vectorClasses) {
      assertTrue(
          launcher.contains("CompileThresholdScaling," + name + "::*,0.01"),
          name + " keeps the raised thresholds in jobs/trustlens");
    }
    assertTrue(
        launcher.contains("CompileCommand=inline,io.trustlens.explain.lime.DrawLanes::*"),
        "the sampler's vector loops are inlined into their callers");
  }

  /**
   * The JVM gets transparent huge pages where the kernel gives them on request ({@code [madvise]}),
   * not where they are off (the JVM would warn on every run); {@code TRUSTLENS_HUGE_PAGES} turns
   * them off (0) or asks for them whatever the kernel says (1).
   */
  @Test
  void hugePagesWhereTheKernelGivesThemOnRequest() throws Exception {
    Path setting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    boolean onRequest = Files.isReadable(setting) && read(setting).contains("[madvise]");
    String flag = "-XX:+UseTransparentHugePages";
    for (String given : new String[] {null, "0", "1"}) {
      java.util.Map<String, String> environment = new java.util.HashMap<>();
      environment.put("TRUSTLENS_JIT", "-XX:+PrintCommandLineFlags");
      if (given != null) {
        environment.put("TRUSTLENS_HUGE_PAGES", given);
      }
      Run run = launch(dir.resolve("h.jsa"), false, 60, environment, "--version");
      assertEquals(0, run.code(), run.output());
      boolean expected = given == null ? onRequest : given.equals("1");
      assertEquals(expected, run.output().contains(flag), given + ": " + run.output());
      if (given == null) {
        assertFalse(run.output().contains("VM warning"), run.output());
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
