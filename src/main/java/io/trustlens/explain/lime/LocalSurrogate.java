package io.trustlens.explain.lime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * LIME's explanation model (Ribeiro et al. 2016, arXiv 1602.04938): a ridge regression with an
 * intercept fitted to the model's outputs on a row's neighbourhood, each sample weighted by the
 * kernel, as lime fits scikit-learn's {@code Ridge(alpha=1)} with {@code sample_weight}: minimises
 * {@code sum w (y - b - x·beta)^2 + alpha |beta|^2}. Features kept:
 *
 * <ul>
 *   <li>{@code none}: every player;
 *   <li>{@code highest_weights}: the K players with the largest {@code |beta_j x0_j|} of a ridge
 *       with alpha 0.01 on all of them ({@code x0}: the row's own interpretable values);
 *   <li>{@code lasso}: the last point of the lasso path (LARS with the lasso modification, Efron et
 *       al. 2004, on the weighted, centred data) with at most K non-zero coefficients.
 * </ul>
 *
 * <p>The fit's local fidelity is the weighted R² on the neighbourhood; its prediction at the row is
 * {@code b + x0·beta}. Players not kept get weight 0.
 */
public final class LocalSurrogate implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Whether this JVM sums real-valued neighbourhoods with vector instructions ({@link
   * WeightedGram}; the same bits either way).
   */
  public static boolean vectorSums() {
    return Lanes.VECTORS;
  }

  /** The ways of keeping features. */
  public static final List<String> SELECTIONS = List.of("none", "highest_weights", "lasso");

  private final double alpha;
  private final String selection;
  private final int keep;
  private final boolean sparse;

  /** A surrogate with ridge penalty {@code alpha}, keeping {@code keep} players by selection. */
  public LocalSurrogate(double alpha, String selection, int keep) {
    this(alpha, selection, keep, true);
  }

  /** As above; {@code sparse} false sums 0/1 values densely too (for tests of the sparse sums). */
  LocalSurrogate(double alpha, String selection, int keep, boolean sparse) {
    if (!(alpha >= 0) || !SELECTIONS.contains(selection) || keep < 1) {
      throw new IllegalArgumentException(
          "a surrogate needs alpha >= 0, selection in " + SELECTIONS + " and keep >= 1");
    }
    this.alpha = alpha;
    this.selection = selection;
    this.keep = keep;
    this.sparse = sparse;
  }

  /**
   * One row's explanation.
   *
   * @param weights the players' coefficients (0 where not kept)
   * @param intercept the surrogate's intercept
   * @param score the weighted R² on the neighbourhood
   * @param prediction the surrogate at the row
   */
  public record Fit(double[] weights, double intercept, double score, double prediction) {}

  /**
   * Fits {@code n} samples of {@code m} interpretable values ({@code x}, row-major; the row itself
   * first) to outputs {@code y} with kernel weights {@code w}.
   */
  public Fit fit(double[] x, double[] y, double[] w, int n, int m) {
    return fit(sparse ? Neighbourhood.of(x, n, m) : Neighbourhood.valuesOf(x, n, m), y, w);
  }

  /** Fits a row's neighbourhood to outputs {@code y} with kernel weights {@code w}. */
  public Fit fit(Neighbourhood x, double[] y, double[] w) {
    int m = x.players();
    Moments all = new Moments(x, y, w);
    int[] kept =
        switch (selection) {
          case "highest_weights" -> highestWeights(all, x, m);
          case "lasso" -> lasso(all);
          default -> all(m);
        };
    double[] beta = all.ridge(kept, alpha);
    double[] weights = new double[m];
    double intercept = all.yMean;
    double prediction = 0;
    for (int k = 0; k < kept.length; k++) {
      int j = kept[k];
      weights[j] = beta[k];
      intercept -= beta[k] * all.xMean[j];
      prediction += beta[k] * x.value(0, j);
    }
    prediction += intercept;
    // The weighted residual sum of squares from the moments, not sample by sample: for any beta,
    // sum w (yc - xc beta)^2 = Syy - 2 beta xty + beta G beta (centred; yc - xc beta = y - fit).
    double residual = all.residual(kept, beta);
    double total = all.yy;
    double score = total == 0 ? (residual == 0 ? 1 : 0) : 1 - residual / total;
    return new Fit(weights, intercept, score, prediction);
  }

  private static int[] all(int m) {
    int[] a = new int[m];
    for (int j = 0; j < m; j++) {
      a[j] = j;
    }
    return a;
  }

  private int[] highestWeights(Moments all, Neighbourhood x, int m) {
    if (keep >= m) {
      return all(m);
    }
    double[] beta = all.ridge(all(m), 0.01);
    Integer[] order = new Integer[m];
    for (int j = 0; j < m; j++) {
      order[j] = j;
    }
    Arrays.sort(
        order,
        (a, b) ->
            Double.compare(Math.abs(beta[b] * x.value(0, b)), Math.abs(beta[a] * x.value(0, a))));
    int[] kept = new int[keep];
    for (int k = 0; k < keep; k++) {
      kept[k] = order[k];
    }
    Arrays.sort(kept);
    return kept;
  }

  private int[] lasso(Moments all) {
    List<double[]> path = lassoPath(all.gram, all.xty);
    int[] nonzero = all(all.m);
    for (int i = path.size() - 1; i > 0; i--) {
      nonzero = nonZero(path.get(i));
      if (nonzero.length <= keep) {
        break;
      }
    }
    return nonzero;
  }

  private static int[] nonZero(double[] beta) {
    return java.util.stream.IntStream.range(0, beta.length).filter(j -> beta[j] != 0).toArray();
  }

  /**
   * The lasso path by LARS with the lasso modification (Efron, Hastie, Johnstone and Tibshirani
   * 2004), from the Gram matrix {@code G = XᵀX} and {@code c = Xᵀy} of centred data: the
   * coefficients at every knot, all zero first. At each knot the correlations of the active players
   * {@code c_j - (G beta)_j} are equal in size to the largest of all, signs matching their
   * coefficients (the lasso's optimality conditions); a coefficient that would change sign leaves
   * the active set.
   */
  static List<double[]> lassoPath(double[][] gram, double[] xty) {
    int m = xty.length;
    double[] beta = new double[m];
    List<double[]> path = new ArrayList<>();
    path.add(beta.clone());
    boolean[] active = new boolean[m];
    List<Integer> set = new ArrayList<>();
    double tiny = 1e-12;
    int dropped = -1;
    for (int step = 0; step < 8 * m + 8; step++) {
      double[] c = correlations(gram, xty, beta);
      double big = 0;
      for (int j = 0; j < m; j++) {
        big = Math.max(big, Math.abs(c[j]));
      }
      if (big <= tiny * (1 + maxAbs(xty))) {
        break;
      }
      if (set.size() < m) {
        int add = -1;
        for (int j = 0; j < m; j++) {
          if (!active[j] && j != dropped && (add < 0 || Math.abs(c[j]) > Math.abs(c[add]))) {
            add = j;
          }
        }
        if (add >= 0 && (set.isEmpty() || Math.abs(c[add]) >= big * (1 - 1e-9))) {
          active[add] = true;
          set.add(add);
        }
      }
      dropped = -1;
      int k = set.size();
      double[][] ga = new double[k][k];
      double[] sign = new double[k];
      for (int a = 0; a < k; a++) {
        sign[a] = Math.signum(c[set.get(a)]);
        for (int b = 0; b < k; b++) {
          ga[a][b] = gram[set.get(a)][set.get(b)];
        }
      }
      double[] u;
      try {
        DecompositionSolver solver =
            new CholeskyDecomposition(new Array2DRowRealMatrix(ga, false), 1e-10, 1e-14)
                .getSolver();
        u = solver.solve(new ArrayRealVector(sign, false)).toArray();
      } catch (NonPositiveDefiniteMatrixException e) {
        // The new player is a combination of the active ones: the path ends here.
        set.remove(set.size() - 1);
        break;
      }
      double norm = 0;
      for (int a = 0; a < k; a++) {
        norm += sign[a] * u[a];
      }
      double aa = 1 / Math.sqrt(norm);
      double[] dir = new double[m];
      for (int a = 0; a < k; a++) {
        dir[set.get(a)] = aa * u[a];
      }
      double[] change = new double[m];
      for (int j = 0; j < m; j++) {
        double s = 0;
        for (int a = 0; a < k; a++) {
          s += gram[j][set.get(a)] * dir[set.get(a)];
        }
        change[j] = s;
      }
      double gamma = big / aa;
      for (int j = 0; j < m; j++) {
        if (active[j]) {
          continue;
        }
        for (double g :
            new double[] {(big - c[j]) / (aa - change[j]), (big + c[j]) / (aa + change[j])}) {
          if (g > tiny && g < gamma) {
            gamma = g;
          }
        }
      }
      int leaving = -1;
      for (int a = 0; a < k; a++) {
        int j = set.get(a);
        double g = -beta[j] / dir[j];
        if (g > tiny && g < gamma) {
          gamma = g;
          leaving = j;
        }
      }
      for (int j : set) {
        beta[j] += gamma * dir[j];
      }
      if (leaving >= 0) {
        beta[leaving] = 0;
        active[leaving] = false;
        set.remove(Integer.valueOf(leaving));
        dropped = leaving;
      }
      path.add(beta.clone());
      if (set.size() == m && leaving < 0 && gamma == big / aa) {
        break;
      }
    }
    return path;
  }

  private static double[] correlations(double[][] gram, double[] xty, double[] beta) {
    int m = xty.length;
    double[] c = new double[m];
    for (int j = 0; j < m; j++) {
      double s = xty[j];
      for (int k = 0; k < m; k++) {
        s -= gram[j][k] * beta[k];
      }
      c[j] = s;
    }
    return c;
  }

  private static double maxAbs(double[] v) {
    double best = 0;
    for (double x : v) {
      best = Math.max(best, Math.abs(x));
    }
    return best;
  }

  /** Weighted means, the centred weighted Gram matrix and {@code Xᵀy}, computed once per row. */
  private static final class Moments {
    final int m;
    final double[] xMean;
    final double yMean;

    /** {@code sum w (y - ybar)^2}. */
    final double yy;

    final double[][] gram;
    final double[] xty;

    Moments(Neighbourhood x, double[] y, double[] w) {
      int n = x.samples();
      this.m = x.players();
      double total = 0;
      double ySum = 0;
      for (int i = 0; i < n; i++) {
        total += w[i];
        ySum += w[i] * y[i];
      }
      yMean = ySum / total;
      double squares = 0;
      for (int i = 0; i < n; i++) {
        squares += w[i] * (y[i] - yMean) * (y[i] - yMean);
      }
      yy = squares;
      // Real values: the means and the centred sums' upper triangle; indicators: below.
      WeightedGram.Sums sums =
          x.isIndicators()
              ? WeightedGram.Sums.zeros(m)
              : WeightedGram.compute(x.values(), y, w, n, m, total, yMean);
      xMean = sums.mean();
      gram = sums.gram();
      xty = sums.xty();
      if (x.isIndicators()) {
        indicators(x, y, w, total);
      }
      for (int j = 0; j < m; j++) {
        for (int k = 0; k < j; k++) {
          gram[j][k] = gram[k][j];
        }
      }
    }

    /**
     * The upper triangle for 0/1 indicators: the raw sums {@code sum w x_j}, {@code sum w x_j x_k}
     * and {@code sum w x_j (y - ybar)}, then centred as {@code sum w x_j x_k - W xbar_j xbar_k}.
     * The pairs' sums come from {@link #byDistance} where the weights allow, else from each
     * sample's ones (a sample costing its ones squared rather than the players squared).
     */
    private void indicators(Neighbourhood x, double[] y, double[] w, double total) {
      if (!byDistance(x, y, w)) {
        bySample(x, y, w);
      }
      for (int j = 0; j < m; j++) {
        xMean[j] = gram[j][j] / total; // x_j x_j = x_j: the diagonal is sum w x_j
      }
      for (int j = 0; j < m; j++) {
        for (int k = j; k < m; k++) {
          gram[j][k] -= total * xMean[j] * xMean[k];
        }
      }
    }

    /** The raw sums of {@link #indicators} over each sample's ones, sample by sample. */
    private void bySample(Neighbourhood x, double[] y, double[] w) {
      int n = x.samples();
      int words = x.words();
      long[] bits = x.bits();
      int[] ones = new int[m];
      for (int i = 0; i < n; i++) {
        double wi = w[i];
        if (wi == 0) {
          continue;
        }
        int count = 0;
        for (int word = 0; word < words; word++) {
          for (long b = bits[i * words + word]; b != 0; b &= b - 1) {
            ones[count++] = (word << 6) + Long.numberOfTrailingZeros(b);
          }
        }
        double wy = wi * (y[i] - yMean);
        for (int a = 0; a < count; a++) {
          double[] row = gram[ones[a]];
          xty[ones[a]] += wy;
          for (int b = a; b < count; b++) {
            row[ones[b]] += wi;
          }
        }
      }
    }

    /**
     * The raw sums {@code sum w x_j x_k} ({@code j <= k}) and {@code sum w x_j (y - ybar)} of 0/1
     * indicators whose weights depend on a sample's distance from the row alone, as LIME's kernel
     * makes them. The samples are put in order of distance, each distance starting a 64-bit word of
     * its own, and each word holds its 64 samples' indicators of one player; for each word and pair
     * of players the sum gains the word's weight times the number of its samples where both are 1
     * (a population count of the two words ANDed, exact). A pair costs a word per 64 samples of a
     * distance, not a term per sample. Returns false, having computed nothing, when two samples at
     * one distance have different weights, or when the words' pairs would outnumber the samples'
     * pairs of ones (the caller then sums sample by sample).
     */
    private boolean byDistance(Neighbourhood x, double[] y, double[] w) {
      int n = x.samples();
      int words = x.words();
      long[] bits = x.bits();
      int[] distance = new int[n];
      double[] weight = new double[m + 1];
      int[] count = new int[m + 1];
      long pairsOfOnes = 0; // the terms of the sums sample by sample
      for (int i = 0; i < n; i++) {
        int d = 0;
        int ones = 0;
        for (int word = 0; word < words; word++) {
          d += Long.bitCount(bits[i * words + word] ^ bits[word]);
          ones += Long.bitCount(bits[i * words + word]);
        }
        pairsOfOnes += (long) ones * (ones + 1) / 2;
        if (count[d]++ == 0) {
          weight[d] = w[i];
        } else if (Double.doubleToRawLongBits(weight[d]) != Double.doubleToRawLongBits(w[i])) {
          return false;
        }
        distance[i] = d;
      }
      // Distance d's samples fill words from place[d] / 64 on; each word's weight.
      int[] place = new int[m + 1];
      int columnWords = 0;
      for (int d = 0; d <= m; d++) {
        place[d] = columnWords << 6;
        columnWords += (count[d] + 63) >>> 6;
      }
      if ((long) columnWords * m * (m + 1) / 2 > pairsOfOnes) {
        return false; // many distances of few samples each: sample by sample costs less
      }
      double[] wordWeight = new double[columnWords];
      for (int d = 0; d <= m; d++) {
        Arrays.fill(
            wordWeight, place[d] >>> 6, (place[d] >>> 6) + ((count[d] + 63) >>> 6), weight[d]);
      }
      long[] columns = new long[columnWords * m]; // word-major: a word's players side by side
      for (int i = 0; i < n; i++) {
        int at = place[distance[i]]++;
        long bit = 1L << at;
        int row = (at >>> 6) * m;
        double wy = w[i] == 0 ? 0 : w[i] * (y[i] - yMean); // as the sums sample by sample
        for (int word = 0; word < words; word++) {
          for (long b = bits[i * words + word]; b != 0; b &= b - 1) {
            int j = (word << 6) + Long.numberOfTrailingZeros(b);
            columns[row + j] |= bit;
            xty[j] += wy;
          }
        }
      }
      for (int word = 0; word < columnWords; word++) {
        double ww = wordWeight[word];
        int row = word * m;
        for (int j = 0; j < m; j++) {
          long a = columns[row + j];
          if (a == 0) {
            continue;
          }
          double[] sums = gram[j];
          for (int k = j; k < m; k++) {
            sums[k] += ww * Long.bitCount(a & columns[row + k]);
          }
        }
      }
      return true;
    }

    /**
     * {@code sum w (y - fit)^2} of the surrogate with coefficients {@code beta} of the players
     * {@code kept} (the intercept making the weighted mean of the residuals 0): {@code Syy - 2
     * beta·xty + beta G beta}, at least 0 (rounding can leave a perfect fit's a few ulps below).
     */
    double residual(int[] kept, double[] beta) {
      double linear = 0;
      double quadratic = 0;
      for (int p = 0; p < kept.length; p++) {
        double[] row = gram[kept[p]];
        double g = 0;
        for (int q = 0; q < kept.length; q++) {
          g += row[kept[q]] * beta[q];
        }
        linear += beta[p] * xty[kept[p]];
        quadratic += beta[p] * g;
      }
      return Math.max(0, yy - 2 * linear + quadratic);
    }

    /** The ridge coefficients of the players {@code kept} with penalty {@code alpha}. */
    double[] ridge(int[] kept, double alpha) {
      int k = kept.length;
      if (k == 0) {
        return new double[0];
      }
      double[][] a = new double[k][k];
      double[] b = new double[k];
      for (int p = 0; p < k; p++) {
        b[p] = xty[kept[p]];
        for (int q = 0; q < k; q++) {
          a[p][q] = gram[kept[p]][kept[q]];
        }
        a[p][p] += alpha;
      }
      Array2DRowRealMatrix matrix = new Array2DRowRealMatrix(a, false);
      DecompositionSolver solver;
      try {
        solver = new CholeskyDecomposition(matrix).getSolver();
      } catch (NonPositiveDefiniteMatrixException e) {
        solver = new SingularValueDecomposition(matrix).getSolver(); // alpha 0, collinear
      }
      return solver.solve(new ArrayRealVector(b, false)).toArray();
    }
  }
}
