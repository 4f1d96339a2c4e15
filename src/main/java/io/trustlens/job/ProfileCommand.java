package io.trustlens.job;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trustlens profile}: counts, nulls, NaN and ranges of every column of a table. */
@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    description =
        "Profile a table: row count and per column nulls, NaN, min, max and mean, in summary.json"
            + " and report.html.")
final class ProfileCommand implements Callable<Integer> {
  @Mixin TableOptions table;
  @Mixin OutputOptions output;
  @Mixin SparkOptions spark;

  @Option(
      names = "--max-missing-fraction",
      paramLabel = "F",
      description = "Exit with 3 when a column's share of null or NaN values exceeds F.")
  Double maxMissingFraction;

  @Override
  public Integer call() {
    AuditSpec spec = new AuditSpec();
    spec.name = "profile";
    spec.input = table.toSpec();
    spec.output = output.output;
    spec.outputFormat = output.outputFormat;
    AuditSpec.Task task = new AuditSpec.Task();
    task.type = "profile";
    task.maxMissingFraction = maxMissingFraction;
    spec.tasks.add(task);
    spec.validate("command line");
    return new AuditRun(spark.session("profile"), spec, "profile").run(output.overwrite);
  }
}
