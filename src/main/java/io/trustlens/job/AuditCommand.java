package io.trustlens.job;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code trustlens audit spec.yaml}: the tasks an audit spec lists, in one output directory. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Run the tasks an audit spec (YAML) lists over its input table and models; write one table"
          + " per output, summary.json and report.html.",
      "Exits with 3 when a threshold declared in the spec is broken. See conf/demo.yaml."
    })
final class AuditCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "SPEC", description = "The audit spec (YAML).")
  Path specFile;

  @Option(names = "--output", description = "Write here instead of the spec's output.")
  String output;

  @Option(names = "--overwrite", description = "Replace the output directory if it exists.")
  boolean overwrite;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Override a key of the spec by its dotted path (repeatable): output=DIR,"
              + " input.path=PATH, tasks.2.max_psi=0.2 (tasks counted from 1); the value is YAML."
              + " The spec may also read environment variables: ${NAME} or ${NAME:-default}.")
  java.util.List<String> sets = new java.util.ArrayList<>();

  @Option(
      names = "--baseline",
      paramLabel = "DIR",
      description =
          "Compare with an earlier run's output (its summary.json): every figure both report, and"
              + " explain tasks' importance ranks; thresholds: baseline.max_change and"
              + " baseline.min_rank_correlation in the spec (or --set).")
  String baseline;

  @Mixin SparkOptions spark;

  @Override
  public Integer call() {
    java.util.List<String> overrides = new java.util.ArrayList<>(sets);
    if (baseline != null) {
      overrides.add(0, "baseline.path=" + baseline);
    }
    AuditSpec spec = AuditSpecParser.load(specFile, output, overrides, System.getenv());
    return AuditRun.starting(spark, "audit " + spec.name, spec, "audit " + specFile).run(overwrite);
  }
}
