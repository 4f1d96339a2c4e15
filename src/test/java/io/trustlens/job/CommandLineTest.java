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
}
