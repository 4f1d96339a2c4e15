package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.Cli;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --verbose} lets Spark's INFO lines through for that command only, and shows an error's
 * stack trace; without it only warnings and errors pass.
 */
class VerboseTest {
  @TempDir Path dir;

  @Test
  void verboseShowsInfoLinesForItsCommandOnlyAndTracesErrors() {
    AtomicInteger infos = new AtomicInteger();
    AbstractAppender capture =
        new AbstractAppender("capture-info", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            if (event.getLevel() == Level.INFO) {
              infos.incrementAndGet();
            }
          }
        };
    capture.start();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    LoggerConfig root = context.getConfiguration().getRootLogger();
    root.addAppender(capture, null, null);
    context.updateLoggers();
    try {
      profile("quiet", false);
      assertEquals(0, infos.get(), "no INFO line without --verbose");
      profile("verbose", true);
      assertTrue(infos.get() > 0, "INFO lines with --verbose");
      int after = infos.get();
      profile("quiet-again", false);
      assertEquals(after, infos.get(), "the level is back after the verbose command");
      Cli failing =
          Cli.run(
              "profile",
              "--input",
              dir.resolve("missing.csv").toString(),
              "--verbose",
              "--output",
              dir.resolve("x").toString());
      assertEquals(1, failing.exitCode());
      assertTrue(failing.errors().contains("\tat io.trustlens."), "a trace: " + failing.errors());
      Cli plain =
          Cli.run(
              "profile",
              "--input",
              dir.resolve("missing.csv").toString(),
              "--output",
              dir.resolve("y").toString());
      assertFalse(plain.errors().contains("\tat "), "one line without --verbose");
    } finally {
      root.removeAppender("capture-info");
      context.updateLoggers();
    }
  }

  private void profile(String name, boolean verbose) {
    Cli cli =
        verbose
            ? Cli.run(
                "profile",
                "--input",
                "datasets/iris.csv",
                "--verbose",
                "--output",
                dir.resolve(name).toString())
            : Cli.run(
                "profile",
                "--input",
                "datasets/iris.csv",
                "--output",
                dir.resolve(name).toString());
    assertEquals(0, cli.exitCode(), cli.errors());
  }
}
