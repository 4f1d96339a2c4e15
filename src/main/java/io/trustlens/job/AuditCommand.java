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

  @Mixin SparkOptions spark;

  @Override
  public Integer call() {
    AuditSpec spec = AuditSpecParser.load(specFile, output);
    return new AuditRun(spark.session("audit " + spec.name), spec, "audit " + specFile)
        .run(overwrite);
  }
}
