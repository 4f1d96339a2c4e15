package io.trustlens.explain.lime;

import io.trustlens.feature.FeatureGroup;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What LIME's tabular perturbations are drawn from, computed from a reference table's rows as
 * lime's {@code LimeTabularExplainer} computes them from its training data (Ribeiro et al. 2016,
 * arXiv 1602.04938). Each player (a feature group) is one of:
 *
 * <ul>
 *   <li>a numeric feature (one slot): its mean and scale (population standard deviation, 1 when it
 *       is 0, as scikit-learn's {@code StandardScaler}); its quartile boundaries (numpy's {@code
 *       percentile} at 25, 50 and 75 with linear interpolation, repeated boundaries merged); and
 *       per bin (bin {@code b} holds values in {@code (q[b-1], q[b]]}) its share of the rows, mean,
 *       standard deviation plus 1e-11, and bounds (the column's minimum or maximum at the ends);
 *   <li>a categorical feature (a one-hot block of several slots): its distinct blocks in the
 *       reference rows, in ascending order, with their shares.
 * </ul>
 *
 * <p>Invariant: shares are positive and sum to one per player; a bin with no reference rows has
 * share 0 and is never drawn.
 *
 * @param names each player's name
 * @param slots each player's feature slots
 * @param mean numeric players: the mean (0 for categorical ones)
 * @param scale numeric players: the scale (1 for categorical ones)
 * @param boundaries numeric players: the quartile boundaries (empty for categorical ones)
 * @param shares per player, per bin or category: its share of the reference rows
 * @param binMean numeric players, per bin: the mean
 * @param binStd numeric players, per bin: the standard deviation plus 1e-11
 * @param binMin numeric players, per bin: the lower bound
 * @param binMax numeric players, per bin: the upper bound
 * @param categories categorical players, per category: the block's values
 * @param rows the reference rows they were computed from
 */
public record TabularStatistics(
    String[] names,
    int[][] slots,
    double[] mean,
    double[] scale,
    double[][] boundaries,
    double[][] shares,
    double[][] binMean,
    double[][] binStd,
    double[][] binMin,
    double[][] binMax,
    double[][][] categories,
    long rows)
    implements Serializable {

  /** The statistics of {@code n} reference rows of {@code d} features ({@code rows}, row-major). */
  public static TabularStatistics of(double[] rows, int d, List<FeatureGroup> groups) {
    int n = rows.length / d;
    if (n == 0) {
      throw new IllegalArgumentException("LIME's statistics need at least one reference row");
    }
    int m = groups.size();
    TabularStatistics s =
        new TabularStatistics(
            new String[m],
            new int[m][],
            new double[m],
            new double[m],
            new double[m][],
            new double[m][],
            new double[m][],
            new double[m][],
            new double[m][],
            new double[m][],
            new double[m][][],
            n);
    for (int j = 0; j < m; j++) {
      FeatureGroup g = groups.get(j);
      s.names[j] = g.name();
      s.slots[j] = g.slots().clone();
      if (g.slots().length == 1) {
        s.numeric(j, column(rows, d, g.slots()[0]));
      } else {
        s.categorical(j, rows, d, g.slots());
      }
    }
    return s;
  }

  /** The number of players. */
  public int players() {
    return names.length;
  }

  /** Whether player {@code j} is numeric (else categorical). */
  public boolean isNumeric(int j) {
    return slots[j].length == 1;
  }

  /** The bin of value {@code x} of numeric player {@code j}: the boundaries strictly below it. */
  public int bin(int j, double x) {
    double[] q = boundaries[j];
    int b = 0;
    while (b < q.length && q[b] < x) {
      b++;
    }
    return b;
  }

  /** The category of categorical player {@code j} in row {@code x}, or -1 if none matches. */
  public int category(int j, double[] x, int offset) {
    double[][] c = categories[j];
    for (int k = 0; k < c.length; k++) {
      boolean same = true;
      for (int t = 0; t < slots[j].length && same; t++) {
        same = c[k][t] == x[offset + slots[j][t]];
      }
      if (same) {
        return k;
      }
    }
    return -1;
  }

  private static double[] column(double[] rows, int d, int slot) {
    double[] c = new double[rows.length / d];
    for (int i = 0; i < c.length; i++) {
      c[i] = rows[i * d + slot];
    }
    return c;
  }

  private void numeric(int j, double[] values) {
    int n = values.length;
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    double mu = sum / n;
    double ss = 0;
    for (double v : values) {
      ss += (v - mu) * (v - mu);
    }
    double sd = Math.sqrt(ss / n);
    mean[j] = mu;
    scale[j] = sd == 0 ? 1 : sd;
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double[] q = Arrays.stream(new double[] {25, 50, 75}).map(p -> percentile(sorted, p)).toArray();
    q = Arrays.stream(q).distinct().toArray();
    boundaries[j] = q;
    int bins = q.length + 1;
    double[] count = new double[bins];
    double[] binSum = new double[bins];
    for (double v : values) {
      int b = bin(j, v);
      count[b]++;
      binSum[b] += v;
    }
    double[] binSs = new double[bins];
    for (double v : values) {
      int b = bin(j, v);
      double dv = v - binSum[b] / count[b];
      binSs[b] += dv * dv;
    }
    shares[j] = new double[bins];
    binMean[j] = new double[bins];
    binStd[j] = new double[bins];
    binMin[j] = new double[bins];
    binMax[j] = new double[bins];
    for (int b = 0; b < bins; b++) {
      shares[j][b] = count[b] / n;
      binMean[j][b] = count[b] == 0 ? 0 : binSum[b] / count[b];
      binStd[j][b] = (count[b] == 0 ? 0 : Math.sqrt(binSs[b] / count[b])) + 1e-11;
      binMin[j][b] = b == 0 ? sorted[0] : q[b - 1];
      binMax[j][b] = b == bins - 1 ? sorted[n - 1] : q[b];
    }
    categories[j] = new double[0][];
  }

  /** numpy's default percentile: linear interpolation between the closest ranks. */
  static double percentile(double[] sorted, double p) {
    double rank = p / 100 * (sorted.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
  }

  private void categorical(int j, double[] rows, int d, int[] groupSlots) {
    int n = rows.length / d;
    Map<List<Double>, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      List<Double> block = new ArrayList<>(groupSlots.length);
      for (int s : groupSlots) {
        block.add(rows[i * d + s]);
      }
      counts.merge(block, 1, Integer::sum);
    }
    List<List<Double>> keys = new ArrayList<>(counts.keySet());
    keys.sort(TabularStatistics::compareBlocks);
    categories[j] = new double[keys.size()][];
    shares[j] = new double[keys.size()];
    for (int k = 0; k < keys.size(); k++) {
      categories[j][k] = keys.get(k).stream().mapToDouble(Double::doubleValue).toArray();
      shares[j][k] = counts.get(keys.get(k)) / (double) n;
    }
    mean[j] = 0;
    scale[j] = 1;
    boundaries[j] = new double[0];
    binMean[j] = new double[0];
    binStd[j] = new double[0];
    binMin[j] = new double[0];
    binMax[j] = new double[0];
  }

  private static int compareBlocks(List<Double> a, List<Double> b) {
    for (int t = 0; t < a.size(); t++) {
      int c = Double.compare(a.get(t), b.get(t));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
