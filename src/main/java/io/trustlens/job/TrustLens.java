package io.trustlens.job;

import java.io.PrintWriter;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code trustlens} command line: one subcommand per job. Run it with {@code jobs/trustlens}
 * locally or with {@code spark-submit --class io.trustlens.job.TrustLens trustlens.jar} on a
 * cluster.
 */
@Command(
    name = "trustlens",
    mixinStandardHelpOptions = true,
    versionProvider = TrustLens.Version.class,
    description = "Trust audits of machine-learning models at dataset scale, on Apache Spark.",
    subcommands = {
      ScoreCommand.class,
      ExplainCommand.class,
      ExploreCommand.class,
      UncertaintyCommand.class,
      ProfileCommand.class,
      DataCommand.class,
      TrainCommand.class,
      AuditCommand.class,
      MakeDatasetsCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 done; 1 error (bad input, model or spec; no output is left);",
      "2 usage error; 3 done, but a threshold declared in the audit spec is broken."
    })
public final class TrustLens implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Runs a command and exits with its code. */
  public static void main(String[] args) {
    startedByMain = true;
    int code = execute(args);
    SparkSession.getActiveSession()
        .foreach(
            s -> {
              s.stop();
              return null;
            });
    System.exit(code);
  }

  private static volatile boolean startedByMain;
  private static volatile long commandStart = System.currentTimeMillis();

  /**
   * When the command's own time began, in epoch milliseconds: the JVM's start when the JVM was
   * started for it ({@code jobs/trustlens}, spark-submit), else the call of {@link #execute} (a
   * notebook's or an application's long-running JVM, whose age is none of the command's cost).
   */
  static long commandStart() {
    return startedByMain
        ? java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()
        : commandStart;
  }

  /** Runs a command in this JVM (reusing an active Spark session) and returns its exit code. */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.err, true), args);
  }

  /** Runs a command, writing errors to {@code err}, and returns its exit code. */
  public static int execute(PrintWriter err, String... args) {
    commandStart = System.currentTimeMillis();
    CommandLine cl = new CommandLine(new TrustLens());
    cl.setErr(err);
    cl.setExecutionExceptionHandler(
        (error, command, parsed) -> {
          endProgressBar();
          command.getErr().println("trustlens: error: " + UserErrors.message(error));
          if (Boolean.getBoolean("trustlens.debug") || SparkOptions.verboseRun()) {
            error.printStackTrace(command.getErr());
          }
          return 1;
        });
    try {
      return cl.execute(args);
    } finally {
      SparkOptions.endVerbose();
    }
  }

  /**
   * Ends the line of Spark's console progress bar, as Spark does after each job that finishes, so
   * that an error from a job that failed starts a line of its own.
   */
  private static void endProgressBar() {
    scala.Option<org.apache.spark.SparkContext> active =
        org.apache.spark.SparkContext$.MODULE$.getActive();
    if (active.isDefined() && active.get().progressBar().isDefined()) {
      active.get().progressBar().get().finishAll();
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"trustlens " + Versions.trustlens()};
    }
  }
}
