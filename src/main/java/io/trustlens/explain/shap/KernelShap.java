package io.trustlens.explain.shap;

import io.trustlens.feature.RowSeeds;
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

  /**
   * What a row holds for {@code players} players and {@code samples} coalitions: the normal
   * equations ({@code (M-1)²} doubles) and the coalitions ({@code samples·M} booleans).
   */
  public static double bytesPerRow(int players, int samples) {
    double m = players;
    return 8 * (m - 1) * (m - 1) + (double) samples * m;
  }

  @Override
  public ShapleyResult[] explain(double[] x, long key) {
    int m = game.players();
    int w = game.width();
    if (m < 2) {
      double[] v = game.values(x, new boolean[][] {new boolean[m], full(m)});
      ShapleyResult[] results = new ShapleyResult[w];
      for (int k = 0; k < w; k++) {
        results[k] = new ShapleyResult(new double[] {v[w + k] - v[k]}, v[k], v[w + k]);
      }
      return results;
    }
    CoalitionSample design = design(m, RowSeeds.random(seed, key));
    int n = design.size();
    boolean[][] all = new boolean[n + 2][];
    for (int s = 0; s < n; s++) {
      all[s] = design.toBooleans(s);
    }
    all[n] = new boolean[m];
    all[n + 1] = full(m);
    double[] v = game.values(x, all);
    Blocks blocks = new Blocks(design);
    DecompositionSolver normal = normalEquations(design, blocks);
    double[][] phi = solve(design, blocks, normal, v, w);
    ShapleyResult[] results = new ShapleyResult[w];
    for (int k = 0; k < w; k++) {
      results[k] = new ShapleyResult(phi[k], v[n * w + k], v[(n + 1) * w + k]);
    }
    return results;
  }

  private static boolean[] full(int m) {
    boolean[] z = new boolean[m];
    java.util.Arrays.fill(z, true);
    return z;
  }

  /**
   * Each coalition's row of the design with the last player eliminated by the efficiency constraint
   * (entries {@code z_i - z_last}): its non-zero entries are all +1 (players in, last out) or all
   * -1 (players out, last in), so a row is its sign and the players it names.
   */
  private static final class Blocks {
    final int[] start;
    final int[] players;
    final boolean[] lastIn;

    Blocks(CoalitionSample d) {
      int m = d.players();
      int n = d.size();
      start = new int[n + 1];
      lastIn = new boolean[n];
      int[] list = new int[n * (m - 1)];
      int t = 0;
      for (int s = 0; s < n; s++) {
        lastIn[s] = d.has(s, m - 1);
        t = d.list(s, !lastIn[s], m - 1, list, t);
        start[s + 1] = t;
      }
      players = java.util.Arrays.copyOf(list, t);
    }
  }

  /**
   * {@code XᵀWX} of the design, built once for every output: each coalition adds its weight to
   * every pair of its row's players. Decomposed by Cholesky, or by an SVD (the least-norm solution)
   * when too few coalitions leave it singular.
   */
  private static DecompositionSolver normalEquations(CoalitionSample d, Blocks blocks) {
    int m = d.players();
    double[][] xtx = new double[m - 1][m - 1];
    for (int s = 0; s < d.size(); s++) {
      double weight = d.weight(s);
      for (int a = blocks.start[s]; a < blocks.start[s + 1]; a++) {
        double[] row = xtx[blocks.players[a]];
        for (int b = a; b < blocks.start[s + 1]; b++) {
          row[blocks.players[b]] += weight;
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

  /**
   * Weighted least squares for every output: {@code phi[k]}, the last player's value given by
   * efficiency. The targets are the coalition values less the empty value and, when the last player
   * is in, less its whole share {@code v(all) - v(empty)}.
   */
  private static double[][] solve(
      CoalitionSample d, Blocks blocks, DecompositionSolver normal, double[] v, int w) {
    int m = d.players();
    int n = d.size();
    double[] empty = java.util.Arrays.copyOfRange(v, n * w, (n + 1) * w);
    double[] total = java.util.Arrays.copyOfRange(v, (n + 1) * w, (n + 2) * w);
    double[][] xty = new double[w][m - 1];
    double[] wy = new double[w];
    for (int s = 0; s < n; s++) {
      double weight = blocks.lastIn[s] ? -d.weight(s) : d.weight(s);
      for (int k = 0; k < w; k++) {
        double y = v[s * w + k] - empty[k] - (blocks.lastIn[s] ? total[k] - empty[k] : 0);
        wy[k] = weight * y;
      }
      for (int a = blocks.start[s]; a < blocks.start[s + 1]; a++) {
        int i = blocks.players[a];
        for (int k = 0; k < w; k++) {
          xty[k][i] += wy[k];
        }
      }
    }
    double[][] phi = new double[w][];
    for (int k = 0; k < w; k++) {
      double[] beta =
          normal
              .solve(new org.apache.commons.math3.linear.ArrayRealVector(xty[k], false))
              .toArray();
      phi[k] = new double[m];
      double sum = 0;
      for (int i = 0; i < m - 1; i++) {
        phi[k][i] = beta[i];
        sum += beta[i];
      }
      phi[k][m - 1] = total[k] - empty[k] - sum;
    }
    return phi;
  }

  /**
   * The coalitions and their weights: whole sizes while the budget covers them, then draws. A draw
   * picks a size group with probability proportional to the kernel's mass of one coalition it adds:
   * a paired group (sizes s and m − s) adds a coalition and its complement, so it is picked in
   * proportion to k(s) = (m − 1) / (s (m − s)), half its group's mass 2 k(s); the middle size of an
   * even m adds one coalition and is picked in proportion to its own mass k(m/2). Every size then
   * gets its kernel share of the drawn coalitions.
   */
  CoalitionSample design(int m, SplittableRandom random) {
    CoalitionSample d = new CoalitionSample(m, samples);
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
      d.addAllOfSize(s, each, s <= paired);
    }
    if (fullSizes < sizes && left > 0) {
      double weightLeft = 0;
      double[] perDraw = new double[sizes];
      double drawTotal = 0;
      for (int s = fullSizes; s < sizes; s++) {
        weightLeft += weight[s];
        perDraw[s] = weight[s] / (s + 1 <= paired ? 2 : 1);
        drawTotal += perDraw[s];
      }
      int start = d.size();
      double added = 0;
      int budget = (int) left;
      while (budget > 0) {
        int s = pickSize(perDraw, fullSizes, drawTotal, random) + 1;
        boolean pair = s <= paired && budget > 1;
        d.addRandom(s, random, pair);
        added += pair ? 2 : 1;
        budget -= pair ? 2 : 1;
      }
      d.scaleWeights(start, weightLeft / added);
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
