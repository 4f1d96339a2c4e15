package io.trustlens.job;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trustlens score}: predictions of a model (or an ensemble) for every row of a table. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Score a table with a model and write the predictions as a table, with summary.json and"
          + " report.html.",
      "Models: a saved MLlib PipelineModel or PredictionModel directory, or a TorchScript file"
          + " (.pt) with its card (.json) beside it. Several --model options score an ensemble"
          + " (mean of the members)."
    })
final class ScoreCommand implements Callable<Integer> {
  @Mixin TableOptions table;
  @Mixin OutputOptions output;
  @Mixin SparkOptions spark;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "PATH",
      description = "The model; repeat for an ensemble.")
  List<String> models;

  @Option(names = "--batch-size", paramLabel = "N", description = "Rows per model call (1024).")
  Integer batchSize;

  @Override
  public Integer call() {
    AuditSpec spec = new AuditSpec();
    spec.name = "score";
    spec.input = table.toSpec();
    spec.models.put("model", String.join(",", models));
    spec.output = output.output;
    spec.outputFormat = output.outputFormat;
    ScoreSpec task = new ScoreSpec();
    task.type = "score";
    task.model = "model";
    task.batchSize = batchSize;
    spec.tasks.add(task);
    spec.validate("command line");
    return AuditRun.starting(spark, "score", spec, "score").run(output.overwrite);
  }
}
