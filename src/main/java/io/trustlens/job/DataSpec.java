package io.trustlens.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The keys of a {@code data} task in an audit spec, and only those: whether the data can be
 * trusted: a profile, missing values, fairness across groups or drift; type {@code profile} is
 * short for method profile. A key of another task type is unknown here, so a spec naming one fails
 * with its line. Unset keys are null and the task's defaults apply; a key set for a method that
 * does not use it is an error ({@link DataKeys}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class DataSpec extends AuditSpec.Task {
  /** A task of type data. */
  public DataSpec() {
    type = "data";
  }

  /** profile (default), missing, fairness or drift. */
  public String method;

  /** profile and missing: the largest share of null or NaN values in a column (a threshold). */
  public Double maxMissingFraction;

  /** profile: histogram bins per numeric column (default 20). */
  public Integer bins;

  /** profile: the most frequent values listed per column; missing: patterns (default 10). */
  public Integer top;

  /**
   * missing: group columns missingness is tested against besides the label; data fairness: the
   * sensitive columns (one, or two for their intersection too).
   */
  public List<String> sensitive;

  /**
   * missing and fairness: levels kept per grouping (default 50); the rest are pooled, with a
   * warning.
   */
  public Integer maxGroups;

  /**
   * fairness: the positive class, as the label and the prediction hold it (default 1); its
   * probability is the model's output of that index.
   */
  public String positive;

  /**
   * fairness: a column of the input that already holds predicted classes (a scored table); instead
   * of a model.
   */
  public String prediction;

  /**
   * fairness: an explain output (a path, or the name of an earlier explain task of the audit) whose
   * Shapley values give the share of attribution the sensitive columns carry; data drift: the
   * current table's explanations, compared with reference_explanations' importance ranking.
   */
  public String explanations;

  /** drift: the reference table's explain output (a path or an earlier task's name). */
  public String referenceExplanations;

  /** drift: the reference table (a path) the input is compared with. */
  public String reference;

  /** profile: the largest share of rows that repeat an earlier row (a threshold). */
  public Double maxDuplicateRows;

  /**
   * missing: the largest difference of a column's missing rate between the label's classes or a
   * group column's levels (a threshold).
   */
  public Double maxMissingGap;

  /** fairness: the largest demographic parity difference (a threshold). */
  public Double maxParityDifference;

  /** fairness: the smallest demographic parity ratio (a threshold; 0.8: four-fifths). */
  public Double minParityRatio;

  /** fairness: the largest equalized odds difference (a threshold). */
  public Double maxEqualizedOddsDifference;

  /** drift: the largest population stability index of any column (a threshold). */
  public Double maxPsi;

  @Override
  public String method() {
    return method;
  }

  /** Explanations may name an earlier explain task's output. */
  @Override
  public boolean readsEarlierOutputs() {
    return explanations != null || referenceExplanations != null;
  }
}
