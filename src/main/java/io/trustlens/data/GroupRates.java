package io.trustlens.data;

import java.io.Serializable;

/**
 * A group's counts for a binary decision (the model selects the positive class or not) against a
 * binary truth (the label is the positive class or not), and the rates fairlearn's MetricFrame
 * reports from them. A rate whose denominator is zero is NaN.
 *
 * @param group the group's name (a level, or levels joined by " & " for an intersection)
 * @param rows rows in the group
 * @param positives rows whose label is the positive class
 * @param selected rows the model assigns the positive class
 * @param truePositives rows both positive and selected
 * @param scoreSum the sum of the model's probability of the positive class (NaN if none)
 */
public record GroupRates(
    String group, long rows, long positives, long selected, long truePositives, double scoreSum)
    implements Serializable {

  /** The label's positive share, P(y = 1). */
  public double baseRate() {
    return ratio(positives, rows);
  }

  /** P(prediction = 1): the rate compared by demographic parity. */
  public double selectionRate() {
    return ratio(selected, rows);
  }

  /** P(prediction = 1 | y = 1). */
  public double truePositiveRate() {
    return ratio(truePositives, positives);
  }

  /** P(prediction = 1 | y = 0). */
  public double falsePositiveRate() {
    return ratio(selected - truePositives, rows - positives);
  }

  /** P(y = 1 | prediction = 1). */
  public double precision() {
    return ratio(truePositives, selected);
  }

  /** The share of rows whose decision matches the label. */
  public double accuracy() {
    return ratio(rows - positives - selected + 2 * truePositives, rows);
  }

  /** The mean probability of the positive class, to set against {@link #baseRate()}. */
  public double meanScore() {
    return rows == 0 ? Double.NaN : scoreSum / rows;
  }

  /** Calibration within the group: mean probability minus the base rate. */
  public double calibrationGap() {
    return meanScore() - baseRate();
  }

  private static double ratio(double a, double b) {
    return b == 0 ? Double.NaN : a / b;
  }
}
