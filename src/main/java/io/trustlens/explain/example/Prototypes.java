package io.trustlens.explain.example;

import io.trustlens.explore.knn.Points;
import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Prototype attention (the subject's formula; Snell, Swersky and Zemel 2017, Prototypical Networks,
 * arXiv 1703.05175): prototypes {@code p_i} in the space rows are compared in, each with a label
 * {@code ŷ_i} (a distribution over classes, or a value for regression). A row {@code f(x)} attends
 * to them with weights
 *
 * <pre>  a_i(x) = softmax_i s(f(x), p_i)</pre>
 *
 * where {@code s} is the inner product {@code ⟨f(x), p_i⟩} ({@code dot}, the subject's formula) or
 * {@code −‖f(x) − p_i‖²} ({@code neg_squared_distance}, the prototypical networks' choice), and the
 * prototypes predict {@code Σ_i a_i ŷ_i}. Invariants: the weights are positive and sum to 1; adding
 * a constant to every similarity changes nothing (the softmax subtracts the largest first).
 * Prototypes come from training rows: some rows themselves, each class's mean (Snell et al.'s
 * prototype), or k-means centres with their members' class shares.
 */
public final class Prototypes implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The similarities a row's weights can be taken from. */
  public static final java.util.List<String> SIMILARITIES =
      java.util.List.of("dot", "neg_squared_distance");

  private final double[] vectors;
  private final double[] labels;
  private final String[] names;
  private final int d;
  private final int outputs;
  private final boolean dot;

  /**
   * Prototypes of {@code d} values each ({@code vectors}, row-major) with {@code outputs} label
   * values each ({@code labels}, row-major: class shares, or one value for regression), named
   * {@code names}, compared by {@code similarity}.
   */
  public Prototypes(
      double[] vectors, int d, double[] labels, int outputs, String[] names, String similarity) {
    if (!SIMILARITIES.contains(similarity)) {
      throw new IllegalArgumentException(
          "similarity is '" + similarity + "'; expected one of " + SIMILARITIES);
    }
    int m = names.length;
    if (m == 0 || vectors.length != m * d || labels.length != m * outputs) {
      throw new IllegalArgumentException(
          m + " prototypes need " + m * d + " values and " + m * outputs + " labels");
    }
    this.vectors = vectors;
    this.labels = labels;
    this.names = names;
    this.d = d;
    this.outputs = outputs;
    this.dot = similarity.equals("dot");
  }

  public int size() {
    return names.length;
  }

  public int dimensions() {
    return d;
  }

  /** Label values per prototype: classes, or 1 for regression. */
  public int outputs() {
    return outputs;
  }

  public String name(int i) {
    return names[i];
  }

  public String[] names() {
    return names.clone();
  }

  public double[] vectors() {
    return vectors.clone();
  }

  public double[] labels() {
    return labels.clone();
  }

  /** Writes the attention weights of a row {@code f} into {@code weights} (one per prototype). */
  public void attend(double[] f, double[] weights) {
    int m = names.length;
    double top = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < m; i++) {
      double s = 0;
      int o = i * d;
      if (dot) {
        for (int j = 0; j < d; j++) {
          s += f[j] * vectors[o + j];
        }
      } else {
        for (int j = 0; j < d; j++) {
          double e = f[j] - vectors[o + j];
          s -= e * e;
        }
      }
      weights[i] = s;
      top = Math.max(top, s);
    }
    double sum = 0;
    for (int i = 0; i < m; i++) {
      weights[i] = Math.exp(weights[i] - top);
      sum += weights[i];
    }
    for (int i = 0; i < m; i++) {
      weights[i] /= sum;
    }
  }

  /** {@code Σ_i a_i ŷ_i}: the prototypes' prediction under {@code weights}. */
  public double[] predict(double[] weights) {
    double[] y = new double[outputs];
    for (int i = 0; i < names.length; i++) {
      for (int c = 0; c < outputs; c++) {
        y[c] += weights[i] * labels[i * outputs + c];
      }
    }
    return y;
  }

  /** The prototypes by weight, heaviest first (ties to the lower index). */
  public static int[] heaviest(double[] weights, int count) {
    Integer[] order = new Integer[weights.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        (a, b) -> {
          int c = Double.compare(weights[b], weights[a]);
          return c != 0 ? c : Integer.compare(a, b);
        });
    int n = Math.min(count, order.length);
    int[] top = new int[n];
    for (int i = 0; i < n; i++) {
      top[i] = order[i];
    }
    return top;
  }

  /** The label of a row as prototype label values: one-hot of class {@code y}, or the value. */
  private static void label(double y, int outputs, double[] out, int offset) {
    if (outputs == 1) {
      out[offset] = y;
    } else {
      out[offset + (int) y] += 1;
    }
  }

  /**
   * The rows {@code rows} of {@code points} themselves, with their labels ({@code y}) and names.
   */
  public static Prototypes rows(
      Points points, double[] y, int outputs, String[] names, int[] rows, String similarity) {
    int d = points.dimensions();
    double[] v = new double[rows.length * d];
    double[] l = new double[rows.length * outputs];
    String[] n = new String[rows.length];
    for (int a = 0; a < rows.length; a++) {
      for (int j = 0; j < d; j++) {
        v[a * d + j] = points.get(rows[a], j);
      }
      label(y[rows[a]], outputs, l, a * outputs);
      n[a] = names[rows[a]];
    }
    return new Prototypes(v, d, l, outputs, n, similarity);
  }

  /** One prototype per class present: the mean of its rows (classes {@code 0 .. outputs − 1}). */
  public static Prototypes classMeans(Points points, double[] y, int outputs, String similarity) {
    if (outputs < 2) {
      throw new IllegalArgumentException("class means need a classifier's classes");
    }
    int d = points.dimensions();
    double[] sums = new double[outputs * d];
    long[] counts = new long[outputs];
    for (int i = 0; i < points.size(); i++) {
      int c = (int) y[i];
      counts[c]++;
      for (int j = 0; j < d; j++) {
        sums[c * d + j] += points.get(i, j);
      }
    }
    int present = (int) Arrays.stream(counts).filter(n -> n > 0).count();
    double[] v = new double[present * d];
    double[] l = new double[present * outputs];
    String[] n = new String[present];
    int a = 0;
    for (int c = 0; c < outputs; c++) {
      if (counts[c] == 0) {
        continue;
      }
      for (int j = 0; j < d; j++) {
        v[a * d + j] = sums[c * d + j] / counts[c];
      }
      l[a * outputs + c] = 1;
      n[a] = "class " + c + " mean (" + counts[c] + " rows)";
      a++;
    }
    return new Prototypes(v, d, l, outputs, n, similarity);
  }

  /**
   * {@code k} k-means centres of the rows (k-means++ seeding, then Lloyd's iterations until no row
   * changes centre or {@code iterations} pass; Arthur and Vassilvitskii 2007), each labelled with
   * its members' class shares (or mean value); a centre left without rows is dropped.
   */
  public static Prototypes kmeans(
      Points points, double[] y, int outputs, int k, int iterations, long seed, String similarity) {
    int n = points.size();
    int d = points.dimensions();
    if (k < 1 || k > n) {
      throw new IllegalArgumentException(k + " centres asked of " + n + " rows");
    }
    double[] centres = seeds(points, k, new SplittableRandom(seed));
    int[] member = new int[n];
    Arrays.fill(member, -1);
    for (int it = 0; it < iterations; it++) {
      boolean moved = false;
      for (int i = 0; i < n; i++) {
        int best = nearest(points, i, centres, k);
        if (best != member[i]) {
          member[i] = best;
          moved = true;
        }
      }
      if (!moved) {
        break;
      }
      double[] sums = new double[k * d];
      long[] counts = new long[k];
      for (int i = 0; i < n; i++) {
        counts[member[i]]++;
        for (int j = 0; j < d; j++) {
          sums[member[i] * d + j] += points.get(i, j);
        }
      }
      for (int c = 0; c < k; c++) {
        if (counts[c] > 0) {
          for (int j = 0; j < d; j++) {
            centres[c * d + j] = sums[c * d + j] / counts[c];
          }
        }
      }
    }
    long[] counts = new long[k];
    double[] l = new double[k * outputs];
    for (int i = 0; i < n; i++) {
      counts[member[i]]++;
      label(y[i], outputs, l, member[i] * outputs);
    }
    int present = (int) Arrays.stream(counts).filter(c -> c > 0).count();
    double[] v = new double[present * d];
    double[] shares = new double[present * outputs];
    String[] names = new String[present];
    int a = 0;
    for (int c = 0; c < k; c++) {
      if (counts[c] == 0) {
        continue;
      }
      System.arraycopy(centres, c * d, v, a * d, d);
      for (int o = 0; o < outputs; o++) {
        shares[a * outputs + o] = l[c * outputs + o] / counts[c];
      }
      names[a] = "centre " + a + " (" + counts[c] + " rows)";
      a++;
    }
    return new Prototypes(v, d, shares, outputs, names, similarity);
  }

  /** k-means++: the first centre a uniform row, each next one a row drawn by D² weight. */
  private static double[] seeds(Points points, int k, SplittableRandom random) {
    int n = points.size();
    int d = points.dimensions();
    double[] centres = new double[k * d];
    double[] d2 = new double[n];
    Arrays.fill(d2, Double.POSITIVE_INFINITY);
    int pick = random.nextInt(n);
    for (int c = 0; c < k; c++) {
      for (int j = 0; j < d; j++) {
        centres[c * d + j] = points.get(pick, j);
      }
      double total = 0;
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          double e = points.get(i, j) - centres[c * d + j];
          s += e * e;
        }
        d2[i] = Math.min(d2[i], s);
        total += d2[i];
      }
      if (total == 0) {
        pick = random.nextInt(n);
        continue;
      }
      double u = random.nextDouble() * total;
      pick = n - 1;
      for (int i = 0; i < n; i++) {
        u -= d2[i];
        if (u < 0) {
          pick = i;
          break;
        }
      }
    }
    return centres;
  }

  private static int nearest(Points points, int i, double[] centres, int k) {
    int d = points.dimensions();
    int best = 0;
    double bestD = Double.POSITIVE_INFINITY;
    for (int c = 0; c < k; c++) {
      double s = 0;
      for (int j = 0; j < d; j++) {
        double e = points.get(i, j) - centres[c * d + j];
        s += e * e;
      }
      if (s < bestD) {
        bestD = s;
        best = c;
      }
    }
    return best;
  }
}
