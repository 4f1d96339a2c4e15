package io.trustlens.uncertainty.calibration;

import io.trustlens.uncertainty.ExactSums;

/**
 * Platt scaling (Platt 1999; the Newton method with backtracking of Lin, Lin and Weng 2007): per
 * calibrated class c a sigmoid σ(a_c s_c + b_c) of the class's score s_c, the logit of its
 * probability (s = z_1 − z_0 for two classes; z_c − ln Σ_{j≠c} exp z_j one-vs-rest for more).
 * Targets are Platt's smoothed labels t+ = (N+ + 1)/(N+ + 2) and t− = 1/(N− + 2), as scikit-learn
 * uses. Two classes fit one sigmoid (class 1; p_0 = 1 − p_1); more classes fit one per class and
 * renormalise the results to sum to one.
 */
public final class PlattFit {
  private static final int MAX_PASSES = 100;
  private static final double CLIP = 1e-15;

  private PlattFit() {}

  /** The classes that get a sigmoid: class 1 alone for two classes, else every class. */
  public static int fitted(int classes) {
    return classes == 2 ? 1 : classes;
  }

  /** The index of the class that sigmoid {@code k} calibrates. */
  static int classOf(int k, int classes) {
    return classes == 2 ? 1 : k;
  }

  /** Class c's score: the logit of its softmax probability. */
  public static double score(double[] z, int c) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < z.length; j++) {
      if (j != c) {
        max = Math.max(max, z[j]);
      }
    }
    double rest = 0;
    for (int j = 0; j < z.length; j++) {
      if (j != c) {
        rest += Math.exp(z[j] - max);
      }
    }
    return z[c] - (max + Math.log(rest));
  }

  /** The fitted {slopes, intercepts}, one pair per fitted class. */
  public static double[][] fit(LabelledScores data) {
    int classes = data.classes();
    int k = fitted(classes);
    ExactSums counts =
        data.sum(
            classes + 1,
            (z, y, sums) -> {
              sums.add(y, 1);
              sums.add(classes, 1);
            });
    double n = counts.value(classes);
    double[] positive = new double[k];
    double[] negative = new double[k];
    double[] a = new double[k];
    double[] b = new double[k];
    for (int i = 0; i < k; i++) {
      double np = counts.value(classOf(i, classes));
      positive[i] = (np + 1) / (np + 2);
      negative[i] = 1 / (n - np + 2);
      b[i] = Math.log((n - np + 1) / (np + 1));
    }
    double[][] at = evaluate(data, a, b, positive, negative);
    boolean[] done = new boolean[k];
    for (int pass = 0; pass < MAX_PASSES && !allTrue(done); pass++) {
      double[] na = a.clone();
      double[] nb = b.clone();
      double[] da = new double[k];
      double[] db = new double[k];
      for (int i = 0; i < k; i++) {
        if (done[i]) {
          continue;
        }
        double[] s = at[i];
        double haa = s[3] + 1e-12;
        double hbb = s[5] + 1e-12;
        double det = haa * hbb - s[4] * s[4];
        da[i] = -(hbb * s[1] - s[4] * s[2]) / det;
        db[i] = -(-s[4] * s[1] + haa * s[2]) / det;
        na[i] = a[i] + da[i];
        nb[i] = b[i] + db[i];
      }
      double[][] there = evaluate(data, na, nb, positive, negative);
      for (int halving = 0; halving < 60; halving++) {
        boolean worse = false;
        for (int i = 0; i < k; i++) {
          if (!done[i] && there[i][0] > at[i][0] + 1e-12 * Math.abs(at[i][0])) {
            da[i] /= 2;
            db[i] /= 2;
            na[i] = a[i] + da[i];
            nb[i] = b[i] + db[i];
            worse = true;
          }
        }
        if (!worse) {
          break;
        }
        there = evaluate(data, na, nb, positive, negative);
      }
      for (int i = 0; i < k; i++) {
        if (!done[i]) {
          done[i] =
              Math.abs(da[i]) <= 1e-10 * (1 + Math.abs(a[i]))
                  && Math.abs(db[i]) <= 1e-10 * (1 + Math.abs(b[i]));
          a[i] = na[i];
          b[i] = nb[i];
          at[i] = there[i];
        }
      }
    }
    return new double[][] {a, b};
  }

  /** Per fitted class: the loss, its gradient (∂a, ∂b) and Hessian (aa, ab, bb), sums over rows. */
  static double[][] evaluate(
      LabelledScores data, double[] a, double[] b, double[] positive, double[] negative) {
    int classes = data.classes();
    int k = a.length;
    ExactSums s =
        data.sum(
            6 * k,
            (z, y, sums) -> {
              for (int i = 0; i < k; i++) {
                int c = classOf(i, classes);
                double score = score(z, c);
                double t = y == c ? positive[i] : negative[i];
                double f = a[i] * score + b[i];
                double p = 1 / (1 + Math.exp(-f));
                // −[t ln p + (1 − t) ln(1 − p)] = ln(1 + e^f) − t f, computed stably.
                double loss =
                    (f > 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f))) - t * f;
                double w = Math.max(p * (1 - p), CLIP);
                int o = 6 * i;
                sums.add(o, loss);
                sums.add(o + 1, (p - t) * score);
                sums.add(o + 2, p - t);
                sums.add(o + 3, w * score * score);
                sums.add(o + 4, w * score);
                sums.add(o + 5, w);
              }
            });
    double[][] out = new double[k][6];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < 6; j++) {
        out[i][j] = s.value(6 * i + j);
      }
    }
    return out;
  }

  /** Probabilities of every class from logits {@code z}, with fitted {slopes, intercepts}. */
  public static double[] calibrate(double[] z, double[] slopes, double[] intercepts) {
    int classes = z.length;
    double[] p = new double[classes];
    if (classes == 2) {
      p[1] = 1 / (1 + Math.exp(-(slopes[0] * score(z, 1) + intercepts[0])));
      p[0] = 1 - p[1];
      return p;
    }
    double sum = 0;
    for (int c = 0; c < classes; c++) {
      p[c] = 1 / (1 + Math.exp(-(slopes[c] * score(z, c) + intercepts[c])));
      sum += p[c];
    }
    for (int c = 0; c < classes; c++) {
      p[c] /= sum;
    }
    return p;
  }

  private static boolean allTrue(boolean[] v) {
    for (boolean x : v) {
      if (!x) {
        return false;
      }
    }
    return true;
  }
}
