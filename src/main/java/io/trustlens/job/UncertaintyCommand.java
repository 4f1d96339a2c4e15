package io.trustlens.job;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trustlens uncertainty}: how sure a model (or an ensemble) is, per row and overall. */
@Command(
    name = "uncertainty",
    mixinStandardHelpOptions = true,
    description = {
      "Per row: the spread of an ensemble's members (several --model) or of a model's Monte"
          + " Carlo dropout passes (--mc-dropout T): mean probability, standard deviation,"
          + " predictive and expected entropy, mutual information, vote disagreement. With"
          + " --autoencoder: each row's reconstruction error and an unfamiliar flag. With"
          + " --bayesian-network: the spread of a Bayesian network's weight samples."
          + " With --label: calibration on held-out rows (reliability diagrams, ECE, MCE, Brier,"
          + " log loss) before and after a calibrator fitted on the calibration rows, and"
          + " conformal prediction sets (classifiers) or intervals (regressions) at coverage"
          + " 1 - alpha. Writes the table with uncertainty_* columns, summary.json and"
          + " report.html; exits 3 when --max-ece, --min-coverage or --max-unfamiliar is broken."
    })
final class UncertaintyCommand implements Callable<Integer> {
  @Mixin TableOptions table;
  @Mixin OutputOptions output;
  @Mixin SparkOptions spark;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "PATH",
      description = "The model; repeat for an ensemble whose members' disagreement is measured.")
  List<String> models;

  @Option(names = "--batch-size", paramLabel = "N", description = "Rows per model call (1024).")
  Integer batchSize;

  @Option(
      names = "--calibrator",
      paramLabel = "NAME",
      description = "temperature (default), platt, isotonic or none; needs --label.")
  String calibrator;

  @Option(
      names = "--bins",
      paramLabel = "B",
      description = "Bins of the reliability diagrams (15).")
  Integer bins;

  @Option(
      names = "--binning",
      paramLabel = "KIND",
      description = "equal_width (default) or equal_mass.")
  String binning;

  @Option(
      names = "--calibration-fraction",
      paramLabel = "F",
      description =
          "Share of labelled rows that fit the calibrator and the conformal threshold (0.5); the"
              + " rest measure them. Rows are split by a hash of (seed, id).")
  Double calibrationFraction;

  @Option(
      names = "--alpha",
      paramLabel = "A",
      description = "Conformal miscoverage: sets hold the label for >= 1 - A of rows (0.1).")
  Double alpha;

  @Option(
      names = "--conformal",
      paramLabel = "SCORE",
      description = "lac (default) or aps for classifiers, absolute for regressions, or none.")
  String conformal;

  @Option(
      names = "--max-ece",
      paramLabel = "E",
      description = "Threshold: the largest held-out ECE of the final probabilities.")
  Double maxEce;

  @Option(
      names = "--min-coverage",
      paramLabel = "C",
      description = "Threshold: the smallest held-out conformal coverage.")
  Double minCoverage;

  @Option(
      names = "--mc-dropout",
      paramLabel = "T",
      description =
          "Monte Carlo dropout: T stochastic passes per row of one TorchScript model that exports"
              + " forward_mc(x, noise); their spread fills the uncertainty_* columns.")
  Integer mcDropout;

  @Option(
      names = "--explanation-spread",
      paramLabel = "METHOD",
      description =
          "With several --model: every member explains each row (tree, kernel or permutation);"
              + " adds per player the spread of their Shapley values and a flag where they"
              + " dispute a top player's sign.")
  String explanationSpread;

  @Option(
      names = "--autoencoder",
      description =
          "Fit an autoencoder to the reference rows (--reference; else the input itself) and"
              + " add each row's reconstruction error and an unfamiliar flag.")
  Boolean autoencoder;

  @Option(
      names = "--bayesian-network",
      description =
          "Fit a Bayesian neural network (Bayes by Backprop) to the reference rows' label (--reference;"
              + " else the input itself) and add the spread of its weight samples (bnn_* columns).")
  Boolean bayesianNetwork;

  @Option(
      names = "--autoencoder-model",
      paramLabel = "DIR",
      description = "Score with a saved autoencoder (an earlier run's autoencoder/ folder).")
  String autoencoderModel;

  @Option(
      names = "--reference",
      paramLabel = "PATH",
      description =
          "The table the autoencoder and the Bayesian network learn: the model's training data,"
              + " same columns (and the label, for the network).")
  String reference;

  @Option(
      names = "--novelty-percentile",
      paramLabel = "P",
      description = "Rows beyond this percentile of the training errors are unfamiliar (99).")
  Double noveltyPercentile;

  @Option(
      names = "--max-unfamiliar",
      paramLabel = "F",
      description = "Threshold: the largest share of unfamiliar rows.")
  Double maxUnfamiliar;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "Seed of the row split and of the dropout noise (42).")
  Long seed;

  @Override
  public Integer call() {
    AuditSpec spec = new AuditSpec();
    spec.name = "uncertainty";
    spec.input = table.toSpec();
    spec.models.put("model", String.join(",", models));
    spec.output = output.output;
    spec.outputFormat = output.outputFormat;
    if (seed != null) {
      spec.seed = seed;
    }
    UncertaintySpec task = new UncertaintySpec();
    task.type = "uncertainty";
    task.model = "model";
    task.batchSize = batchSize;
    task.calibrator = calibrator;
    task.bins = bins;
    task.binning = binning;
    task.calibrationFraction = calibrationFraction;
    task.alpha = alpha;
    task.conformal = conformal;
    task.maxEce = maxEce;
    task.minCoverage = minCoverage;
    task.mcDropout = mcDropout;
    task.autoencoder = autoencoder;
    task.explanationSpread = explanationSpread;
    task.bayesianNetwork = bayesianNetwork;
    task.autoencoderModel = autoencoderModel;
    task.reference = reference;
    task.noveltyPercentile = noveltyPercentile;
    task.maxUnfamiliar = maxUnfamiliar;
    spec.tasks.add(task);
    spec.validate("command line");
    return AuditRun.starting(spark, "uncertainty", spec, "uncertainty").run(output.overwrite);
  }
}
