package io.trustlens.uncertainty.calibration;

import io.trustlens.uncertainty.ExactSums;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The sums behind {@link CalibrationMetrics}, gathered row by row on each partition and merged: per
 * curve (0 the top label, 1 + c class c) and bin the count, the confidences and the outcomes, and
 * the Brier and log-loss terms. Sums are exact, so merged metrics do not depend on the
 * partitioning.
 */
public final class CalibrationSums implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Probabilities may miss a sum of one by this much (float32 softmax rounds). */
  public static final double SUM_TOLERANCE = 1e-6;

  private static final double CLIP = 1e-15;

  private final int classes;
  private final double[][] edges;
  private final long[][] counts;
  private final ExactSums sums;
  private long rows;
  private long correct;

  /**
   * Empty sums.
   *
   * @param edges the inner bin edges of each of the {@code 1 + classes} curves
   */
  public CalibrationSums(int classes, double[][] edges) {
    this.classes = classes;
    this.edges = edges;
    int bins = edges[0].length + 1;
    this.counts = new long[classes + 1][bins];
    this.sums = new ExactSums((classes + 1) * bins * 2 + 2);
  }

  private int bins() {
    return counts[0].length;
  }

  /**
   * Adds one row.
   *
   * @param p the row's class probabilities, checked by {@link #check}
   * @param label the row's class index
   */
  public void add(double[] p, int label) {
    int top = 0;
    for (int c = 1; c < classes; c++) {
      if (p[c] > p[top]) {
        top = c;
      }
    }
    add(0, p[top], top == label ? 1 : 0);
    double brier = 0;
    for (int c = 0; c < classes; c++) {
      int outcome = c == label ? 1 : 0;
      add(1 + c, p[c], outcome);
      brier += (p[c] - outcome) * (p[c] - outcome);
    }
    int tail = (classes + 1) * bins() * 2;
    sums.add(tail, brier);
    sums.add(tail + 1, -Math.log(Math.max(p[label], CLIP)));
    rows++;
    correct += top == label ? 1 : 0;
  }

  private void add(int curve, double confidence, int outcome) {
    int b = Binning.bin(edges[curve], confidence);
    counts[curve][b]++;
    int i = (curve * bins() + b) * 2;
    sums.add(i, confidence);
    sums.add(i + 1, outcome);
  }

  /** Adds {@code other}'s rows; returns this. */
  public CalibrationSums merge(CalibrationSums other) {
    for (int k = 0; k < counts.length; k++) {
      for (int b = 0; b < bins(); b++) {
        counts[k][b] += other.counts[k][b];
      }
    }
    sums.merge(other.sums);
    rows += other.rows;
    correct += other.correct;
    return this;
  }

  /** The metrics of the rows added; {@code classNames} names the per-class curves. */
  public CalibrationMetrics metrics(List<String> classNames, Binning binning) {
    List<ReliabilityDiagram> perClass = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      perClass.add(diagram(1 + c, classNames.get(c)));
    }
    int tail = (classes + 1) * bins() * 2;
    return new CalibrationMetrics(
        rows,
        sums.value(tail) / rows,
        sums.value(tail + 1) / rows,
        (double) correct / rows,
        binning,
        diagram(0, "top label"),
        perClass);
  }

  private ReliabilityDiagram diagram(int curve, String name) {
    int bins = bins();
    double[] confidence = new double[bins];
    double[] outcome = new double[bins];
    for (int b = 0; b < bins; b++) {
      int i = (curve * bins + b) * 2;
      confidence[b] = sums.value(i);
      outcome[b] = sums.value(i + 1);
    }
    return ReliabilityDiagram.of(name, edges[curve], counts[curve].clone(), confidence, outcome);
  }

  /**
   * Why {@code p} and {@code label} cannot be measured, or null when they can: probabilities
   * outside [0, 1] or not summing to one, a label that is not a class index.
   */
  public static String check(double[] p, double label, int classes) {
    if (p.length != classes) {
      return "has " + p.length + " probabilities; the model has " + classes + " classes";
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      if (!(p[c] >= 0 && p[c] <= 1)) {
        return "has probability " + p[c] + " for class " + c + ", outside [0, 1]";
      }
      sum += p[c];
    }
    if (Math.abs(sum - 1) > SUM_TOLERANCE) {
      return "has probabilities that sum to " + sum + ", not 1";
    }
    return checkLabel(label, classes);
  }

  /** Why {@code label} is not a class index of {@code classes}, or null. */
  public static String checkLabel(double label, int classes) {
    if (!(label >= 0 && label < classes && label == Math.rint(label))) {
      return "has label "
          + label
          + ", which is not a class the model knows (0 to "
          + (classes - 1)
          + ")";
    }
    return null;
  }
}
