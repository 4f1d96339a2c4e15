package io.trustlens.explore;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;

/**
 * The largest eigenpairs of a symmetric matrix: a full decomposition (commons-math3) for small
 * matrices, and randomized subspace iteration with a Rayleigh-Ritz step (Halko, Martinsson and
 * Tropp 2011, arXiv 0909.4061) for a matrix known only by its products with a block of vectors.
 * Vectors are columns of row-major {@code n × k} arrays; each column's largest entry in absolute
 * value is made positive, so signs do not depend on the solver.
 */
public final class Eigen {
  private Eigen() {}

  /** A symmetric {@code n × n} matrix given by its product with an {@code n × l} block. */
  @FunctionalInterface
  public interface Operator {
    /** Returns this matrix times {@code block} ({@code n × l}, row-major). */
    double[] times(double[] block, int l);
  }

  /** The {@code k} largest eigenvalues (descending) and their unit eigenvectors. */
  public record Pairs(double[] values, double[] vectors, int n, int k) {
    /** Entry {@code i} of eigenvector {@code j}. */
    public double vector(int i, int j) {
      return vectors[i * k + j];
    }
  }

  /** The {@code k} largest eigenpairs of the symmetric row-major {@code n × n} matrix {@code a}. */
  public static Pairs full(double[] a, int n, int k) {
    double[][] rows = new double[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = Arrays.copyOfRange(a, i * n, i * n + n);
    }
    EigenDecomposition e = new EigenDecomposition(new Array2DRowRealMatrix(rows, false));
    double[] all = e.getRealEigenvalues();
    Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -all[i]));
    double[] values = new double[k];
    double[] vectors = new double[n * k];
    for (int j = 0; j < k; j++) {
      values[j] = all[order[j]];
      double[] v = e.getEigenvector(order[j]).toArray();
      for (int i = 0; i < n; i++) {
        vectors[i * k + j] = v[i];
      }
    }
    fixSigns(vectors, n, k);
    return new Pairs(values, vectors, n, k);
  }

  /**
   * The {@code k} largest eigenpairs of a positive semi-definite operator by subspace iteration on
   * {@code k + oversample} seeded Gaussian vectors: {@code iterations} products, each followed by
   * re-orthonormalisation, then one more product for the Rayleigh-Ritz projection.
   */
  public static Pairs subspace(
      Operator a, int n, int k, int oversample, int iterations, long seed) {
    int l = Math.min(n, k + oversample);
    SplittableRandom random = new SplittableRandom(seed);
    double[] q = new double[n * l];
    for (int i = 0; i < q.length; i++) {
      q[i] = gaussian(random);
    }
    orthonormalise(q, n, l);
    for (int it = 0; it < iterations; it++) {
      q = a.times(q, l);
      orthonormalise(q, n, l);
    }
    return rayleighRitz(q, a.times(q, l), n, l, k);
  }

  /**
   * The Rayleigh-Ritz step: with {@code q} an orthonormal basis and {@code aq} the operator applied
   * to it, the eigenpairs of {@code qᵀ A q} lifted back by {@code q}.
   */
  public static Pairs rayleighRitz(double[] q, double[] aq, int n, int l, int k) {
    double[] t = new double[l * l];
    for (int r = 0; r < n; r++) {
      int o = r * l;
      for (int i = 0; i < l; i++) {
        double qi = q[o + i];
        for (int j = 0; j < l; j++) {
          t[i * l + j] += qi * aq[o + j];
        }
      }
    }
    for (int i = 0; i < l; i++) {
      for (int j = 0; j < i; j++) {
        double m = 0.5 * (t[i * l + j] + t[j * l + i]);
        t[i * l + j] = m;
        t[j * l + i] = m;
      }
    }
    Pairs small = full(t, l, k);
    double[] vectors = new double[n * k];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < k; j++) {
        double s = 0;
        for (int i = 0; i < l; i++) {
          s += q[r * l + i] * small.vector(i, j);
        }
        vectors[r * k + j] = s;
      }
    }
    fixSigns(vectors, n, k);
    return new Pairs(small.values(), vectors, n, k);
  }

  /** Makes the {@code l} columns of {@code q} orthonormal (Gram-Schmidt, twice). */
  public static void orthonormalise(double[] q, int n, int l) {
    for (int j = 0; j < l; j++) {
      for (int pass = 0; pass < 2; pass++) {
        for (int p = 0; p < j; p++) {
          double dot = 0;
          for (int r = 0; r < n; r++) {
            dot += q[r * l + j] * q[r * l + p];
          }
          for (int r = 0; r < n; r++) {
            q[r * l + j] -= dot * q[r * l + p];
          }
        }
      }
      double norm = 0;
      for (int r = 0; r < n; r++) {
        norm += q[r * l + j] * q[r * l + j];
      }
      norm = Math.sqrt(norm);
      for (int r = 0; r < n; r++) {
        q[r * l + j] = norm > 0 ? q[r * l + j] / norm : 0;
      }
    }
  }

  /** A standard normal draw (Box-Muller, one of the pair). */
  public static double gaussian(SplittableRandom random) {
    double u = 1.0 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  private static void fixSigns(double[] vectors, int n, int k) {
    for (int j = 0; j < k; j++) {
      double largest = 0;
      for (int i = 0; i < n; i++) {
        double v = vectors[i * k + j];
        if (Math.abs(v) > Math.abs(largest)) {
          largest = v;
        }
      }
      if (largest < 0) {
        for (int i = 0; i < n; i++) {
          vectors[i * k + j] = -vectors[i * k + j];
        }
      }
    }
  }
}
