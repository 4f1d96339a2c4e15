package io.trustlens.job;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trustlens explain}: per-row Shapley values of a model's predictions. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = {
      "Explain every row's prediction with Shapley values: columns shap (one value per feature,"
          + " or per one-hot group), shap_base, shap_gap (output - base - sum) and shap_class;"
          + " global importance in summary.json and report.html.",
      "Methods: exact (all coalitions, up to 16 players), kernel (Kernel SHAP), permutation"
          + " (antithetic orders), linear (MLlib linear/logistic, margin space), tree (TreeSHAP,"
          + " MLlib DT/RF/GBT, raw space), tree_interventional (TreeSHAP against the background)."
    })
final class ExplainCommand implements Callable<Integer> {
  @Mixin TableOptions table;
  @Mixin OutputOptions output;
  @Mixin SparkOptions spark;

  @Option(names = "--model", required = true, paramLabel = "PATH", description = "The model.")
  String model;

  @Option(
      names = "--method",
      description = "exact, kernel (default), permutation, linear, tree or tree_interventional.")
  String method = "kernel";

  @Option(
      names = "--samples",
      description = "Coalitions for kernel (default 2M+2048) or orders for permutation (32).")
  Integer samples;

  @Option(
      names = "--background",
      description = "Background: rows to sample (default 100), kmeans:K, or a table path.")
  String background;

  @Option(names = "--seed", description = "Random seed (default 42).")
  long seed = 42;

  @Option(
      names = "--target",
      description = "The output to explain: predicted (default), a class index or output name.")
  String target;

  @Option(
      names = "--waterfall-rows",
      split = ",",
      paramLabel = "ID",
      description = "Ids of rows to draw as waterfalls in the report (needs --id).")
  java.util.List<String> waterfallRows;

  @Override
  public Integer call() {
    AuditSpec spec = new AuditSpec();
    spec.name = "explain";
    spec.input = table.toSpec();
    spec.models.put("model", model);
    spec.output = output.output;
    spec.outputFormat = output.outputFormat;
    spec.seed = seed;
    AuditSpec.Task task = new AuditSpec.Task();
    task.type = "explain";
    task.model = "model";
    task.method = method;
    task.samples = samples;
    task.background = background;
    task.target = target;
    task.waterfallRows = waterfallRows;
    spec.tasks.add(task);
    spec.validate("command line");
    return new AuditRun(spark.session("explain"), spec, "explain").run(output.overwrite);
  }
}
