package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line is built with the one subcommand a run names, else with all of them. */
class CommandLineTest {
  private static final List<String> ALL =
      List.of(
          "score",
          "explain",
          "explore",
          "uncertainty",
          "profile",
          "data",
          "train",
          "audit",
          "make-datasets",
          "bench",
          "help");

  @Test
  void aRunNamingACommandBuildsOnlyThatOne() {
    for (String name : ALL.subList(0, ALL.size() - 1)) {
      assertEquals(
          List.of(name),
          List.copyOf(TrustLens.commandLine(name, "--help").getSubcommands().keySet()),
          name);
    }
  }

  @Test
  void usageHelpAndAMisspeltNameSeeEveryCommand() {
    for (String[] args :
        new String[][] {{}, {"help"}, {"help", "explain"}, {"--version"}, {"explian"}}) {
      assertEquals(
          ALL,
          List.copyOf(TrustLens.commandLine(args).getSubcommands().keySet()),
          String.join(" ", args));
    }
  }

  @Test
  void aMisspeltOptionIsNamedBeforeTheRequiredOnesItLeftOut() {
    java.io.StringWriter err = new java.io.StringWriter();
    int code =
        TrustLens.execute(
            new java.io.PrintWriter(err, true),
            "explain",
            "--input",
            "datasets/iris.csv",
            "--method",
            "tree",
            "--outptu",
            "/tmp/never-written");
    assertEquals(2, code, err.toString());
    String said = err.toString();
    org.junit.jupiter.api.Assertions.assertTrue(
        said.startsWith("Unknown options: '--outptu', '/tmp/never-written'"), said);
    org.junit.jupiter.api.Assertions.assertTrue(
        said.contains("Possible solutions: --output"), said);
    // Without a misspelt option, the required one left out is the error, as before.
    err.getBuffer().setLength(0);
    code = TrustLens.execute(new java.io.PrintWriter(err, true), "explain", "--method", "tree");
    assertEquals(2, code, err.toString());
    org.junit.jupiter.api.Assertions.assertTrue(
        err.toString().startsWith("Missing required option"), err.toString());
  }

  @Test
  void aMisspeltMethodIsNamedWithTheOneMeant() {
    java.io.StringWriter err = new java.io.StringWriter();
    int code =
        TrustLens.execute(
            new java.io.PrintWriter(err, true),
            "explain",
            "--input",
            "datasets/iris.csv",
            "--model",
            "datasets/models/credit_gbt",
            "--method",
            "kernal",
            "--output",
            "/tmp/never-written-kernal");
    assertEquals(1, code, err.toString());
    org.junit.jupiter.api.Assertions.assertTrue(
        err.toString().contains("method is 'kernal' (did you mean 'kernel'?); expected one of"),
        err.toString());
    org.junit.jupiter.api.Assertions.assertFalse(
        java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/never-written-kernal")));
  }
}
