package io.trustlens.explain.shap;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * Kernel SHAP (Lundberg and Lee 2017, arXiv 1705.07874): Shapley values as the weighted
 * least-squares fit of a linear model to coalition values, with the Shapley kernel weights.
 *
 * <p>Coalitions are chosen as shap does: whole sizes (smallest first, each with its complement
 * size) are enumerated while the budget covers them, and the rest are sampled by size with paired
 * complements. When {@code 2^M - 2} coalitions fit in the budget, all are enumerated and the result
 * is exact.
 *
 * <p>Invariant: efficiency ({@code sum(phi) = v(all) - v(empty)}) is imposed exactly by eliminating
 * the last player from the least-squares problem.
 */
public final class KernelShap implements RowExplainer {
  private final InterventionalGame game;
  private final int samples;
  private final long seed;

  /** Kernel SHAP with a budget of {@code samples} coalitions. */
  public KernelShap(InterventionalGame game, int samples, long seed) {
    if (samples < 2) {
      throw new IllegalArgumentException("samples must be at least 2, not " + samples);
    }
    this.game = game;
    this.samples = samples;
    this.seed = seed;
  }

  /** shap's default budget: {@code 2M + 2048} coalitions. */
  public static int defaultSamples(int players) {
    return 2 * players + 2048;
  }

  @Override
  public ShapleyResult[] explain(double[] x, long key) {
    int m = game.players();
    int w = game.width();
    Design design = m < 2 ? new Design(m) : design(m, RowSeeds.random(seed, key));
    List<boolean[]> all = new ArrayList<>(design.coalitions);
    all.add(new boolean[m]);
    boolean[] full = new boolean[m];
    java.util.Arrays.fill(full, true);
    all.add(full);
    double[] v = game.values(x, all.toArray(new boolean[0][]));
    int n = design.coalitions.size();
    ShapleyResult[] results = new ShapleyResult[w];
    DecompositionSolver normal = m < 2 ? null : normalEquations(design);
    for (int k = 0; k < w; k++) {
      double empty = v[n * w + k];
      double total = v[(n + 1) * w + k];
      double[] phi =
          m < 2 ? new double[] {total - empty} : solve(design, normal, v, k, w, empty, total);
      results[k] = new ShapleyResult(phi, empty, total);
    }
    return results;
  }

  /**
   * {@code XᵀWX} of the design with the last player eliminated by the efficiency constraint
   * (entries of X are {@code z_i - z_last}), decomposed once for every output: Cholesky, or an SVD
   * (the least-norm solution) when too few coalitions leave it singular.
   */
  private static DecompositionSolver normalEquations(Design d) {
    int m = d.players;
    int n = d.coalitions.size();
    double[][] xtx = new double[m - 1][m - 1];
    int[] block = new int[m - 1];
    for (int s = 0; s < n; s++) {
      // The row's non-zero entries are all +1 (players in, last out) or all -1 (players out,
      // last in): the coalition adds its weight to every pair of them.
      boolean[] z = d.coalitions.get(s);
      boolean in = !z[m - 1];
      int t = 0;
      for (int i = 0; i < m - 1; i++) {
        if (z[i] == in) {
          block[t++] = i;
        }
      }
      double weight = d.weights.get(s);
      for (int a = 0; a < t; a++) {
        double[] row = xtx[block[a]];
        for (int b = a; b < t; b++) {
          row[block[b]] += weight;
        }
      }
    }
    for (int i = 0; i < m - 1; i++) {
      for (int j = 0; j < i; j++) {
        xtx[i][j] = xtx[j][i];
      }
    }
    RealMatrix normal = new Array2DRowRealMatrix(xtx, false);
    try {
      return new CholeskyDecomposition(normal).getSolver();
    } catch (NonPositiveDefiniteMatrixException e) {
      return new SingularValueDecomposition(normal).getSolver(); // rank-deficient: least norm
    }
  }

  /** Weighted least squares for output {@code k}, the last player given by efficiency. */
  private static double[] solve(
      Design d, DecompositionSolver normal, double[] v, int k, int w, double empty, double total) {
    int m = d.players;
    int n = d.coalitions.size();
    double[] xty = new double[m - 1];
    for (int s = 0; s < n; s++) {
      boolean[] z = d.coalitions.get(s);
      double last = z[m - 1] ? 1 : 0;
      double y = v[s * w + k] - empty - last * (total - empty);
      double weight = d.weights.get(s);
      for (int i = 0; i < m - 1; i++) {
        double x = (z[i] ? 1 : 0) - last;
        if (x != 0) {
          xty[i] += weight * x * y;
        }
      }
    }
    double[] beta =
        normal.solve(new org.apache.commons.math3.linear.ArrayRealVector(xty, false)).toArray();
    double[] phi = new double[m];
    double sum = 0;
    for (int i = 0; i < m - 1; i++) {
      phi[i] = beta[i];
      sum += beta[i];
    }
    phi[m - 1] = total - empty - sum;
    return phi;
  }

  /** The chosen coalitions (neither empty nor full) and their kernel weights. */
  private static final class Design {
    final int players;
    final List<boolean[]> coalitions = new ArrayList<>();
    final List<Double> weights = new ArrayList<>();
    final Map<Mask, Integer> index = new HashMap<>();

    Design(int players) {
      this.players = players;
    }

    void add(boolean[] z, double weight) {
      Mask id = Mask.of(z);
      Integer at = index.get(id);
      if (at == null) {
        index.put(id, coalitions.size());
        coalitions.add(z);
        weights.add(weight);
      } else {
        weights.set(at, weights.get(at) + weight);
      }
    }
  }

  /** A coalition as packed bits, a cheap key for merging repeated draws. */
  private record Mask(long[] words) {
    static Mask of(boolean[] z) {
      long[] words = new long[(z.length + 63) / 64];
      for (int i = 0; i < z.length; i++) {
        if (z[i]) {
          words[i >> 6] |= 1L << (i & 63);
        }
      }
      return new Mask(words);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Mask m && java.util.Arrays.equals(words, m.words);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(words);
    }
  }

  private Design design(int m, SplittableRandom random) {
    Design d = new Design(m);
    int sizes = (m - 1 + 1) / 2; // ceil((m - 1) / 2)
    int paired = (m - 1) / 2;
    double[] weight = new double[sizes];
    double sum = 0;
    for (int s = 1; s <= sizes; s++) {
      weight[s - 1] = (m - 1.0) / (s * (double) (m - s)) * (s <= paired ? 2 : 1);
      sum += weight[s - 1];
    }
    for (int s = 0; s < sizes; s++) {
      weight[s] /= sum;
    }
    double[] remaining = weight.clone();
    double left = samples;
    int fullSizes = 0;
    for (int s = 1; s <= sizes; s++) {
      double subsets = binomial(m, s) * (s <= paired ? 2 : 1);
      if (left * remaining[s - 1] / subsets < 1.0 - 1e-8) {
        break;
      }
      fullSizes++;
      left -= subsets;
      if (remaining[s - 1] < 1) {
        double scale = 1 - remaining[s - 1];
        for (int t = 0; t < sizes; t++) {
          remaining[t] /= scale;
        }
      }
      double each = weight[s - 1] / binomial(m, s) / (s <= paired ? 2 : 1);
      for (boolean[] z : subsetsOfSize(m, s)) {
        d.add(z, each);
        if (s <= paired) {
          d.add(complement(z), each);
        }
      }
    }
    if (fullSizes < sizes && left > 0) {
      double weightLeft = 0;
      for (int s = fullSizes; s < sizes; s++) {
        weightLeft += weight[s];
      }
      int start = d.coalitions.size();
      double added = 0;
      int budget = (int) left;
      while (budget > 0) {
        int s = pickSize(weight, fullSizes, weightLeft, random) + 1;
        boolean[] z = randomSubset(m, s, random);
        d.add(z, 1.0);
        added += 1;
        budget--;
        if (s <= paired && budget > 0) {
          d.add(complement(z), 1.0);
          added += 1;
          budget--;
        }
      }
      for (int i = start; i < d.coalitions.size(); i++) {
        d.weights.set(i, d.weights.get(i) * weightLeft / added);
      }
    }
    return d;
  }

  private static int pickSize(double[] weight, int from, double total, SplittableRandom random) {
    double u = random.nextDouble() * total;
    for (int s = from; s < weight.length; s++) {
      u -= weight[s];
      if (u < 0) {
        return s;
      }
    }
    return weight.length - 1;
  }

  private static boolean[] randomSubset(int m, int size, SplittableRandom random) {
    boolean[] z = new boolean[m];
    int chosen = 0;
    for (int i = 0; i < m && chosen < size; i++) {
      // Selection sampling (Knuth's Algorithm S): each subset of the size is equally likely.
      if (random.nextInt(m - i) < size - chosen) {
        z[i] = true;
        chosen++;
      }
    }
    return z;
  }

  private static boolean[] complement(boolean[] z) {
    boolean[] c = new boolean[z.length];
    for (int i = 0; i < z.length; i++) {
      c[i] = !z[i];
    }
    return c;
  }

  private static List<boolean[]> subsetsOfSize(int m, int size) {
    List<boolean[]> out = new ArrayList<>();
    int[] idx = new int[size];
    for (int i = 0; i < size; i++) {
      idx[i] = i;
    }
    while (true) {
      boolean[] z = new boolean[m];
      for (int i : idx) {
        z[i] = true;
      }
      out.add(z);
      int i = size - 1;
      while (i >= 0 && idx[i] == m - size + i) {
        i--;
      }
      if (i < 0) {
        return out;
      }
      idx[i]++;
      for (int j = i + 1; j < size; j++) {
        idx[j] = idx[j - 1] + 1;
      }
    }
  }

  static double binomial(int n, int k) {
    double r = 1;
    for (int i = 1; i <= k; i++) {
      r = r * (n - k + i) / i;
    }
    return r;
  }

  @Override
  public long evaluations() {
    return game.evaluations();
  }
}
