package io.trustlens.job;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trustlens profile}: short for {@code trustlens data --method profile}. */
@Command(
    name = "profile",
    mixinStandardHelpOptions = true,
    description =
        "Profile a table (short for data --method profile): per column type, counts, nulls, NaN,"
            + " infinities, empty strings, approximate distinct count, min, max, mean, standard"
            + " deviation, quantiles, histogram, top values, outliers, constant columns; duplicate"
            + " rows and ids; label balance. Three passes over the table, whatever its width.")
final class ProfileCommand implements Callable<Integer> {
  @Mixin TableOptions table;
  @Mixin OutputOptions output;
  @Mixin SparkOptions spark;

  @Option(
      names = "--max-missing-fraction",
      paramLabel = "F",
      description = "Exit with 3 when a column's share of null or NaN values exceeds F.")
  Double maxMissingFraction;

  @Option(
      names = "--max-duplicate-rows",
      paramLabel = "F",
      description = "Exit with 3 when more than this share of rows repeat an earlier row.")
  Double maxDuplicateRows;

  @Option(names = "--bins", description = "Histogram bins (default 20).")
  Integer bins;

  @Option(names = "--top", description = "Most frequent values listed per column (default 10).")
  Integer top;

  @Override
  public Integer call() {
    AuditSpec spec = new AuditSpec();
    spec.name = "profile";
    spec.input = table.toSpec();
    spec.output = output.output;
    spec.outputFormat = output.outputFormat;
    DataSpec task = new DataSpec();
    task.type = "profile";
    task.maxMissingFraction = maxMissingFraction;
    task.maxDuplicateRows = maxDuplicateRows;
    task.bins = bins;
    task.top = top;
    spec.tasks.add(task);
    spec.validate("command line");
    return AuditRun.starting(spark, "profile", spec, "profile").run(output.overwrite);
  }
}
