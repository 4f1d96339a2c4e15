package io.trustlens.job;

import java.io.PrintWriter;
import java.util.List;
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
    footer = {
      "",
      "Exit codes: 0 done; 1 error (bad input, model or spec; no output is left);",
      "2 usage error; 3 done, but a threshold declared in the audit spec is broken."
    })
public final class TrustLens implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The subcommands, in the order the usage lists them. */
  static final List<Class<?>> COMMANDS =
      List.of(
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
          CommandLine.HelpCommand.class);

  /**
   * The command line for {@code args}: with only the subcommand they name, when they name one, else
   * with all (usage, {@code help}, a misspelt name). picocli builds the model of every option of
   * every subcommand it is given, reflecting over their classes (Java 5 class files, which the
   * launcher's class-data archive cannot hold): building the ten took 580-740 ms, one 430-500 ms.
   */
  static CommandLine commandLine(String... args) {
    CommandLine cl = new CommandLine(new TrustLens());
    String first = args.length > 0 ? args[0] : "";
    List<Class<?>> named =
        COMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(first)).toList();
    for (Class<?> c : named.isEmpty() || first.equals("help") ? COMMANDS : named) {
      cl.addSubcommand(c);
    }
    return cl;
  }

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
    markClassesWorthSharing(code, System.getProperty(RECORD_MARKER));
    System.exit(code);
  }

  /**
   * The system property through which {@code jobs/trustlens} names a file when this JVM records its
   * class-data archive at exit: the launcher keeps the archive only when this run created the file.
   */
  static final String RECORD_MARKER = "trustlens.cds.record";

  /**
   * Creates {@code marker} (when not null) if this run's classes are worth sharing with later runs:
   * a command that ran through its Spark session and ended done (0, or 3 for a broken threshold). A
   * command's {@code --help}, {@code --version}, a run stopped by its arguments or by bad input
   * load a few hundred of the 20,000 classes a command loads, and {@code bench} makes its own
   * session over synthetic tables, reading and writing no files: an archive of their classes left
   * every later run loading most of its classes from jars (measured: {@code explain --method tree}
   * on {@code breast_cancer.csv} 10.8-11.0 s after {@code explain --help} had recorded the archive,
   * 6.6-6.7 s after {@code explain} had; the demo audit 12.2-12.7 s after {@code bench explain},
   * 8.2-8.6 s after itself).
   */
  static void markClassesWorthSharing(int code, String marker) {
    if (marker == null || !(code == 0 || code == 3) || !SparkOptions.commandSessionStarted()) {
      return;
    }
    try {
      java.nio.file.Files.createFile(java.nio.file.Path.of(marker));
    } catch (java.io.IOException | RuntimeException e) {
      // No marker, no archive: later runs load their classes from jars, as without one.
    }
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
    CommandLine cl = commandLine(args);
    cl.setErr(err);
    CommandLine.IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
    cl.setParameterExceptionHandler(
        (error, given) -> usage.handleParseException(unknownFirst(error), given));
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
   * A misspelt option reported as such: picocli checks the required options before the unknown
   * ones, so {@code --outptu DIR} said only "Missing required option: '--output'" and never named
   * the typo. With an unknown option among the arguments, that one is the error (with picocli's
   * suggestions of the options meant).
   */
  static CommandLine.ParameterException unknownFirst(CommandLine.ParameterException error) {
    CommandLine command = error.getCommandLine();
    List<String> unknown = command.getUnmatchedArguments();
    return error instanceof CommandLine.UnmatchedArgumentException || unknown.isEmpty()
        ? error
        : new CommandLine.UnmatchedArgumentException(command, unknown);
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
