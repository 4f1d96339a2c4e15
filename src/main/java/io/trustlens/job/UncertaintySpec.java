package io.trustlens.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The keys of an {@code uncertainty} task in an audit spec, and only those: how sure the model is:
 * calibration, conformal sets, ensemble spread, Monte Carlo dropout, a Bayesian network and
 * novelty. A key of another task type is unknown here, so a spec naming one fails with its line.
 * Unset keys are null and the task's defaults apply; a key set for a method that does not use it is
 * an error ({@link UncertaintyKeys}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class UncertaintySpec extends AuditSpec.Task {
  /** A task of type uncertainty. */
  public UncertaintySpec() {
    type = "uncertainty";
  }

  /** Rows per model call. */
  public Integer batchSize;

  /** temperature (default), platt, isotonic or none. */
  public String calibrator;

  /** bins of the reliability diagrams (default 15). */
  public Integer bins;

  /** equal_width (default) or equal_mass bins. */
  public String binning;

  /**
   * the share of labelled rows that fit the calibrator and the conformal threshold (default 0.5);
   * the other rows measure them.
   */
  public Double calibrationFraction;

  /** the conformal miscoverage alpha (default 0.1). */
  public Double alpha;

  /** the conformal score, lac (default) or aps; absolute for regressions; none. */
  public String conformal;

  /** the largest held-out ECE of the final probabilities (a threshold). */
  public Double maxEce;

  /** the smallest held-out conformal coverage (a threshold). */
  public Double minCoverage;

  /**
   * Monte Carlo dropout passes per row, T (one TorchScript model that exports forward_mc(x,
   * noise)); unset: no Monte Carlo dropout.
   */
  public Integer mcDropout;

  /**
   * fit a Bayesian neural network (Bayes by Backprop) to the reference rows' label and add the
   * spread of its weight samples per row (bnn_* columns).
   */
  public Boolean bayesianNetwork;

  /**
   * explain every ensemble member (tree, kernel or permutation) and add the spread of their Shapley
   * values per row and player, with a flag where they dispute a sign.
   */
  public String explanationSpread;

  /** fit an autoencoder and score each row's reconstruction error (novelty). */
  public Boolean autoencoder;

  /** a saved autoencoder (an earlier run's autoencoder/) to score with. */
  public String autoencoderModel;

  /**
   * the table the autoencoder learns (the training data; same columns); unset: the input itself,
   * with a warning.
   */
  public String reference;

  /** the training errors' percentile beyond which a row is unfamiliar (99). */
  public Double noveltyPercentile;

  /** the largest share of unfamiliar rows (a threshold). */
  public Double maxUnfamiliar;
}
