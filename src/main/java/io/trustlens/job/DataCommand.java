package io.trustlens.job;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trustlens data}: can the table be trusted? Profile, missing values, fairness, drift. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = {
      "Can this data be trusted? --method profile (default: per column counts, missing, infinities,"
          + " distinct, moments, quantiles, histograms, top values, outliers; duplicate rows and"
          + " ids; label balance), missing (rates, co-missing patterns, dependence on the label and"
          + " --sensitive columns), fairness (a classifier's rates per group of --sensitive, parity"
          + " and equalized odds) or drift (the input against --reference: PSI, KS, Wasserstein,"
          + " chi-square, Jensen-Shannon).",
      "Thresholds (--max-...) give exit code 3 when broken, listed in summary.json and at the top"
          + " of report.html."
    })
final class DataCommand implements Callable<Integer> {
  @Mixin TableOptions table;
  @Mixin OutputOptions output;
  @Mixin SparkOptions spark;

  @Option(names = "--method", description = "profile (default), missing, fairness or drift.")
  String method = "profile";

  @Option(
      names = "--model",
      paramLabel = "PATH",
      description =
          "fairness: the classifier whose decisions are measured; drift: also compare its output.")
  String model;

  @Option(
      names = "--sensitive",
      split = ",",
      paramLabel = "COL",
      description =
          "fairness: one or two sensitive columns (two: their intersection too); missing: group"
              + " columns tested besides the label.")
  List<String> sensitive;

  @Option(
      names = "--max-groups",
      description = "missing, fairness: levels kept per grouping (default 50; the rest pooled).")
  Integer maxGroups;

  @Option(names = "--bins", description = "profile: histogram bins (default 20).")
  Integer bins;

  @Option(
      names = "--top",
      description = "profile: frequent values per column; missing: patterns (default 10).")
  Integer top;

  @Option(
      names = "--positive",
      description = "fairness: the positive class as label and prediction hold it (default 1).")
  String positive;

  @Option(
      names = "--prediction",
      paramLabel = "COL",
      description = "fairness: a column of predicted classes, instead of --model.")
  String prediction;

  @Option(
      names = "--reference",
      paramLabel = "PATH",
      description = "drift: the table the input is compared with (the training data, last month).")
  String reference;

  @Option(
      names = "--explanations",
      paramLabel = "PATH",
      description =
          "fairness: an explain output, for the share of attribution the sensitive columns carry;"
              + " drift: the input's explanations (with --reference-explanations).")
  String explanations;

  @Option(
      names = "--reference-explanations",
      paramLabel = "PATH",
      description = "drift: the reference's explain output, to compare importance rankings.")
  String referenceExplanations;

  @Option(names = "--max-missing-fraction", paramLabel = "F", description = "profile, missing.")
  Double maxMissingFraction;

  @Option(names = "--max-duplicate-rows", paramLabel = "F", description = "profile: a share.")
  Double maxDuplicateRows;

  @Option(
      names = "--max-missing-gap",
      paramLabel = "F",
      description = "missing: the largest gap of a column's missing rate between levels.")
  Double maxMissingGap;

  @Option(names = "--max-parity-difference", paramLabel = "F", description = "fairness.")
  Double maxParityDifference;

  @Option(names = "--min-parity-ratio", paramLabel = "F", description = "fairness.")
  Double minParityRatio;

  @Option(names = "--max-equalized-odds-difference", paramLabel = "F", description = "fairness.")
  Double maxEqualizedOddsDifference;

  @Option(names = "--max-psi", paramLabel = "F", description = "drift: the largest PSI.")
  Double maxPsi;

  @Override
  public Integer call() {
    AuditSpec spec = new AuditSpec();
    spec.name = "data " + method;
    spec.input = table.toSpec();
    spec.output = output.output;
    spec.outputFormat = output.outputFormat;
    DataSpec task = new DataSpec();
    task.type = "data";
    task.method = method;
    if (model != null) {
      spec.models.put("model", model);
      task.model = "model";
    }
    task.sensitive = sensitive;
    task.maxGroups = maxGroups;
    task.bins = bins;
    task.top = top;
    task.positive = positive;
    task.prediction = prediction;
    task.reference = reference;
    task.explanations = explanations;
    task.referenceExplanations = referenceExplanations;
    task.maxMissingFraction = maxMissingFraction;
    task.maxDuplicateRows = maxDuplicateRows;
    task.maxMissingGap = maxMissingGap;
    task.maxParityDifference = maxParityDifference;
    task.minParityRatio = minParityRatio;
    task.maxEqualizedOddsDifference = maxEqualizedOddsDifference;
    task.maxPsi = maxPsi;
    spec.tasks.add(task);
    spec.validate("command line");
    return AuditRun.starting(spark, "data " + method, spec, "data").run(output.overwrite);
  }
}
