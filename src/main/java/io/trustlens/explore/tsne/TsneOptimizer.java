package io.trustlens.explore.tsne;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Gradient descent on t-SNE's Kullback-Leibler divergence (van der Maaten 2014, JMLR 15): sparse
 * attraction over the input affinities, repulsion by Barnes-Hut over a quadtree or by FFT
 * interpolation ({@link FftRepulsion}, whichever is cheaper for the map's spread), early
 * exaggeration, momentum and per-coordinate gains (delta-bar-delta). Defaults follow openTSNE:
 * exaggeration 12 for 250 iterations at momentum 0.5, then 500 at momentum 0.8, learning rate max(n
 * / 12, 50). Every {@value #RENUMBER} iterations the points are renumbered in the map's quadtree
 * order ({@link Renumbering}), so that neighbours in the map sit near each other in memory. Points
 * are split into fixed blocks handled by a pool of threads; each point's gradient is computed alone
 * and the normaliser is summed in a fixed order, so the map is the same bit for bit for any number
 * of threads.
 */
public final class TsneOptimizer {
  private static final int BLOCK = 1024;

  /** Iterations between renumberings of the points in the map's spatial order. */
  private static final int RENUMBER = 50;

  private int earlyIterations = 250;
  private int iterations = 500;
  private double exaggeration = 12;
  private double learningRate = -1;
  private double theta = 0.5;
  private int threads = Runtime.getRuntime().availableProcessors();
  private String repulsion = "auto";

  /** Repulsion methods {@link #repulsion(String)} accepts. */
  public static final java.util.List<String> REPULSIONS =
      java.util.List.of("auto", "barnes-hut", "fft");

  /** Iterations with exaggeration, then without. */
  public TsneOptimizer iterations(int early, int late) {
    this.earlyIterations = early;
    this.iterations = late;
    return this;
  }

  public TsneOptimizer exaggeration(double value) {
    this.exaggeration = value;
    return this;
  }

  /** The learning rate; non-positive means max(n / 12, 50). */
  public TsneOptimizer learningRate(double value) {
    this.learningRate = value;
    return this;
  }

  /** Barnes-Hut's opening angle: 0 is exact (slow), larger is coarser. */
  public TsneOptimizer theta(double value) {
    this.theta = value;
    return this;
  }

  /**
   * barnes-hut, fft, or auto: each iteration, whichever is cheaper for the map's current spread
   * (FFT interpolation while its grid is small against the number of points).
   */
  public TsneOptimizer repulsion(String value) {
    if (!REPULSIONS.contains(value)) {
      throw new IllegalArgumentException(
          "repulsion is '" + value + "'; expected one of " + REPULSIONS);
    }
    this.repulsion = value;
    return this;
  }

  /** How the last {@link #optimise} repelled: a method, or both with the FFT's share. */
  public String repulsionUsed() {
    if (fftIterations == 0) {
      return "barnes-hut";
    }
    return fftIterations == allIterations
        ? "fft"
        : "barnes-hut, fft in " + fftIterations + " of " + allIterations + " iterations";
  }

  private int fftIterations;
  private int allIterations;

  public TsneOptimizer threads(int value) {
    this.threads = Math.max(1, value);
    return this;
  }

  /** Called after every iteration with its number (for progress). */
  public interface Progress {
    void iteration(int done, int total);
  }

  /**
   * Optimises the map {@code y} ({@code (x, y)} pairs, the initial layout) in place and returns the
   * final KL divergence (with the Barnes-Hut normaliser).
   */
  public double optimise(Affinities p, double[] y, Progress progress) {
    int n = p.size();
    fftRepulsion = new FftRepulsion();
    fftIterations = 0;
    allIterations = 0;
    double rate = learningRate > 0 ? learningRate : Math.max(n / 12.0, 50);
    double[] update = new double[2 * n];
    double[] gains = new double[2 * n];
    java.util.Arrays.fill(gains, 1);
    double[] attract = new double[2 * n];
    double[] repel = new double[2 * n];
    double[] z = new double[n];
    int total = earlyIterations + iterations;
    Renumbering numbering = new Renumbering(p);
    double[] map = y.clone();
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      for (int it = 0; it < total; it++) {
        if (it % RENUMBER == 0) {
          numbering.reorder(new QuadTree(map, n).order(), map, update, gains);
        }
        boolean early = it < earlyIterations;
        double exag = early ? exaggeration : 1;
        double momentum = early ? 0.5 : 0.8;
        gradientParts(pool, numbering, map, attract, repel, z, true);
        double sumZ = 0;
        for (int i = 0; i < n; i++) {
          sumZ += z[i];
        }
        for (int c = 0; c < 2 * n; c++) {
          double grad = 4 * (exag * attract[c] - repel[c] / sumZ);
          boolean sameSign = (grad > 0) == (update[c] > 0);
          gains[c] = sameSign ? Math.max(gains[c] * 0.8, 0.01) : gains[c] + 0.2;
          update[c] = momentum * update[c] - rate * gains[c] * grad;
          map[c] += update[c];
        }
        recentre(map, n);
        if (progress != null) {
          progress.iteration(it + 1, total);
        }
      }
      gradientParts(pool, numbering, map, attract, repel, z, false);
      double sumZ = 0;
      for (int i = 0; i < n; i++) {
        sumZ += z[i];
      }
      numbering.restore(map, y);
      return divergence(p, y, sumZ);
    } finally {
      pool.shutdown();
    }
  }

  private FftRepulsion fftRepulsion = new FftRepulsion();

  private void gradientParts(
      ForkJoinPool pool,
      Renumbering p,
      double[] y,
      double[] attract,
      double[] repel,
      double[] z,
      boolean counted) {
    int n = p.original.length;
    boolean chosen = repulsion.equals("fft");
    if (repulsion.equals("auto")) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 2 * n; c++) {
        lo = Math.min(lo, y[c]);
        hi = Math.max(hi, y[c]);
      }
      chosen = FftRepulsion.cheaper(n, hi - lo);
    }
    boolean fft = chosen;
    if (counted) {
      allIterations++;
      fftIterations += fft ? 1 : 0;
    }
    if (fft) {
      fftRepulsion.compute(y, n, z, repel, pool);
    } else {
      new QuadTree(y, n).repulsion(theta, z, repel, pool);
    }
    float[] value = p.values();
    int blocks = (n + BLOCK - 1) / BLOCK;
    parallel(
        pool,
        blocks,
        b -> {
          for (int i = b * BLOCK, end = Math.min(n, i + BLOCK); i < end; i++) {
            double ax = 0;
            double ay = 0;
            double xi = y[2 * i];
            double yi = y[2 * i + 1];
            for (int e = p.rowStart(i), last = p.rowEnd(i); e < last; e++) {
              int j = p.column[e];
              double dx = xi - y[2 * j];
              double dy = yi - y[2 * j + 1];
              double w = value[e] / (1 + dx * dx + dy * dy);
              ax += w * dx;
              ay += w * dy;
            }
            attract[2 * i] = ax;
            attract[2 * i + 1] = ay;
          }
        });
  }

  /** Runs {@code body} for blocks 0 .. blocks-1 on {@code pool} and waits for all of them. */
  static void parallel(ForkJoinPool pool, int blocks, IntConsumer body) {
    try {
      pool.submit(() -> IntStream.range(0, blocks).parallel().forEach(body)).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private static void recentre(double[] y, int n) {
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += y[2 * i];
      my += y[2 * i + 1];
    }
    mx /= n;
    my /= n;
    for (int i = 0; i < n; i++) {
      y[2 * i] -= mx;
      y[2 * i + 1] -= my;
    }
  }

  /** {@code KL(P || Q) = Σ P_ij log(P_ij / Q_ij)} over the stored affinities. */
  static double divergence(Affinities p, double[] y, double sumZ) {
    double kl = 0;
    for (int i = 0; i < p.size(); i++) {
      for (int e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) {
        int j = p.column[e];
        double dx = y[2 * i] - y[2 * j];
        double dy = y[2 * i + 1] - y[2 * j + 1];
        double q = 1 / (1 + dx * dx + dy * dy) / sumZ;
        double pij = p.value[e];
        if (pij > 0) {
          kl += pij * Math.log(pij / Math.max(q, Double.MIN_NORMAL));
        }
      }
    }
    return kl;
  }
}
