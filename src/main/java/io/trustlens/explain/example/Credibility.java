package io.trustlens.explain.example;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Deep k-Nearest Neighbors' conformal credibility (Papernot and McDaniel 2018, arXiv 1803.04765,
 * Algorithm 1). For an input with neighbours found in each of {@code L} representations (the
 * paper's layers), the <em>nonconformity</em> of a label {@code j} is the number of neighbours,
 * over every layer, whose label is not {@code j}: {@code α(x, j) = Σ_λ |{i ∈ Ω_λ : y_i ≠ j}|}. A
 * calibration set held out of the index gives the scores {@code A = {α(x, y) : (x, y) held out}}
 * with each row's true label. Then for each label
 *
 * <pre>  p_j(x) = |{α ∈ A : α ≥ α(x, j)}| / |A|</pre>
 *
 * the prediction is {@code argmax_j p_j} (the label with most neighbour votes; ties to the lower
 * label), its <em>credibility</em> is that {@code p}, and its <em>confidence</em> is {@code 1 −}
 * the second largest {@code p}. Invariants: {@code 0 ≤ p_j ≤ 1}; {@code p_j} falls as {@code α(x,
 * j)} grows; with every neighbour agreeing on {@code j}, {@code p_j = 1}.
 */
public final class Credibility implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int[] calibration;
  private final int classes;

  private Credibility(int[] sortedScores, int classes) {
    this.calibration = sortedScores;
    this.classes = classes;
  }

  /**
   * The credibility of {@code classes} labels (0 .. classes − 1) calibrated on {@code scores}, the
   * nonconformity of each held-out row with its true label.
   */
  public static Credibility calibrate(int[] scores, int classes) {
    if (scores.length == 0) {
      throw new IllegalArgumentException("no calibration rows: credibility needs some");
    }
    if (classes < 2) {
      throw new IllegalArgumentException("credibility needs 2 or more labels, not " + classes);
    }
    int[] sorted = scores.clone();
    Arrays.sort(sorted);
    return new Credibility(sorted, classes);
  }

  /** {@code α(x, label)}: how many of the neighbours' labels (every layer's) differ from it. */
  public static int nonconformity(int[] neighbourLabels, int label) {
    int a = 0;
    for (int y : neighbourLabels) {
      if (y != label) {
        a++;
      }
    }
    return a;
  }

  /** The share of calibration scores at least {@code alpha}. */
  public double pValue(int alpha) {
    // the first place holding a score ≥ alpha
    int lo = 0;
    int hi = calibration.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (calibration[mid] < alpha) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return (calibration.length - lo) / (double) calibration.length;
  }

  public int classes() {
    return classes;
  }

  public int calibrationRows() {
    return calibration.length;
  }

  /** The calibration scores, ascending. */
  public int[] scores() {
    return calibration.clone();
  }

  /** What the neighbours' labels (every layer's, as label indices) say of an input. */
  public Verdict judge(int[] neighbourLabels) {
    int[] votes = new int[classes];
    for (int y : neighbourLabels) {
      votes[y]++;
    }
    double[] p = new double[classes];
    int best = 0;
    for (int j = 0; j < classes; j++) {
      p[j] = pValue(neighbourLabels.length - votes[j]);
      if (p[j] > p[best]) {
        best = j;
      }
    }
    double second = 0;
    for (int j = 0; j < classes; j++) {
      if (j != best) {
        second = Math.max(second, p[j]);
      }
    }
    return new Verdict(best, p[best], 1 - second, p);
  }

  /** A prediction with its credibility, confidence, and every label's p-value. */
  public record Verdict(int prediction, double credibility, double confidence, double[] p) {}
}
