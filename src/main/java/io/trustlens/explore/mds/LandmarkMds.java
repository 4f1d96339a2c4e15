package io.trustlens.explore.mds;

import io.trustlens.explore.Eigen;
import java.io.Serializable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Classical (Torgerson) MDS on a set of landmark rows, and the landmark extension of de Silva and
 * Tenenbaum (2004) that places any row from its distances to the landmarks alone: {@code y = -½ L♯
 * (δ - δ̄)}, with {@code L♯} the landmarks' eigenvectors over the square roots of their eigenvalues
 * and {@code δ̄} the mean squared distance to each landmark. Placed this way, the landmarks land
 * exactly on their classical MDS coordinates, so with every row a landmark the result is classical
 * MDS.
 */
public final class LandmarkMds implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Up to this many landmarks are decomposed fully; beyond it, by subspace iteration. */
  static final int FULL_LIMIT = 800;

  private final double[] landmarks;
  private final int count;
  private final int d;
  private final int k;
  private final Metric metric;
  private final double[] pseudoInverse;
  private final double[] meanSquared;
  private final double[] eigenvalues;

  private LandmarkMds(
      double[] landmarks,
      int count,
      int d,
      int k,
      Metric metric,
      double[] pseudoInverse,
      double[] meanSquared,
      double[] eigenvalues) {
    this.landmarks = landmarks;
    this.count = count;
    this.d = d;
    this.k = k;
    this.metric = metric;
    this.pseudoInverse = pseudoInverse;
    this.meanSquared = meanSquared;
    this.eigenvalues = eigenvalues;
  }

  /**
   * Fits {@code k} dimensions to {@code count} landmarks (row-major, {@code d} columns each).
   *
   * @throws IllegalArgumentException when fewer than k positive eigenvalues exist
   */
  public static LandmarkMds fit(
      double[] landmarks, int count, int d, int k, Metric metric, long seed, int threads) {
    double[] b = new double[count * count];
    for (int i = 0; i < count; i++) {
      for (int j = i + 1; j < count; j++) {
        double dist = metric.distance(landmarks, i * d, landmarks, j * d, d);
        b[i * count + j] = dist * dist;
        b[j * count + i] = dist * dist;
      }
    }
    double[] meanSquared = new double[count];
    double all = 0;
    for (int i = 0; i < count; i++) {
      double s = 0;
      for (int j = 0; j < count; j++) {
        s += b[i * count + j];
      }
      meanSquared[i] = s / count;
      all += s;
    }
    all /= (double) count * count;
    // Double centring: B = -1/2 J D² J.
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < count; j++) {
        b[i * count + j] = -0.5 * (b[i * count + j] - meanSquared[i] - meanSquared[j] + all);
      }
    }
    Eigen.Pairs pairs =
        count <= FULL_LIMIT
            ? Eigen.full(b, count, k)
            : Eigen.subspace(times(b, count, threads), count, k, 10, 100, seed);
    double[] inverse = new double[k * count];
    for (int c = 0; c < k; c++) {
      double lambda = pairs.values()[c];
      if (!(lambda > 1e-12 * Math.max(1, Math.abs(pairs.values()[0])))) {
        throw new IllegalArgumentException(
            "the landmarks span only "
                + c
                + " dimensions under the "
                + metric.name().toLowerCase(java.util.Locale.ROOT)
                + " metric; ask for at most "
                + c);
      }
      for (int i = 0; i < count; i++) {
        inverse[c * count + i] = pairs.vector(i, c) / Math.sqrt(lambda);
      }
    }
    return new LandmarkMds(
        landmarks, count, d, k, metric, inverse, meanSquared, pairs.values().clone());
  }

  private static Eigen.Operator times(double[] b, int n, int threads) {
    return (q, l) -> {
      double[] out = new double[n * l];
      ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
      try {
        pool.submit(
                () ->
                    IntStream.range(0, n)
                        .parallel()
                        .forEach(
                            i -> {
                              int o = i * n;
                              for (int j = 0; j < n; j++) {
                                double v = b[o + j];
                                for (int c = 0; c < l; c++) {
                                  out[i * l + c] += v * q[j * l + c];
                                }
                              }
                            }))
            .get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      } finally {
        pool.shutdown();
      }
      return out;
    };
  }

  /** Places the row {@code x} (d values): writes its {@code k} coordinates to {@code out}. */
  public void place(double[] x, double[] out) {
    java.util.Arrays.fill(out, 0, k, 0.0);
    for (int j = 0; j < count; j++) {
      double dist = metric.distance(x, 0, landmarks, j * d, d);
      double delta = dist * dist - meanSquared[j];
      for (int c = 0; c < k; c++) {
        out[c] += -0.5 * pseudoInverse[c * count + j] * delta;
      }
    }
  }

  public int dimensions() {
    return k;
  }

  public int landmarks() {
    return count;
  }

  /** The landmarks' largest eigenvalues (the variance each dimension carries). */
  public double[] eigenvalues() {
    return eigenvalues.clone();
  }

  public Metric metric() {
    return metric;
  }

  /**
   * Kruskal's stress-1 of a map: {@code sqrt(Σ (d_ij - ‖y_i - y_j‖)² / Σ d_ij²)} over every pair of
   * the given rows ({@code x}: n × d input, {@code y}: n × k map).
   */
  public static double stress(double[] x, double[] y, int n, int d, int k, Metric metric) {
    double num = 0;
    double den = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double dij = metric.distance(x, i * d, x, j * d, d);
        double m = Metric.EUCLIDEAN.distance(y, i * k, y, j * k, k);
        num += (dij - m) * (dij - m);
        den += dij * dij;
      }
    }
    return den == 0 ? 0 : Math.sqrt(num / den);
  }
}
