package io.trustlens.explore.tsne;

import java.util.concurrent.ForkJoinPool;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * t-SNE's repulsion by FFT-accelerated interpolation (Linderman et al. 2019, FIt-SNE, arXiv
 * 1712.09005): the map's bounding square is cut into boxes of about one unit, each with {@value
 * #NODES} × {@value #NODES} equispaced nodes; every point spreads its charges onto its box's nodes
 * with Lagrange weights, the kernels {@code 1/(1+r²)} and {@code 1/(1+r²)²} are applied on the
 * regular grid by FFT convolution, and the potentials are interpolated back. O(n) per iteration
 * plus the FFTs, against Barnes-Hut's O(n log n).
 *
 * <p>Deterministic for any number of threads: charges are spread in index order, and each 1-D FFT
 * (rows, then columns) is computed whole by one thread.
 */
final class FftRepulsion {
  static final int NODES = 3;
  private static final int MIN_BOXES = 50;

  /**
   * Whether interpolation is cheaper than Barnes-Hut for {@code n} points spread over {@code
   * range}: its grid grows with the range squared, Barnes-Hut with n log n. Measured here (whole
   * iterations, 2 threads, 10^5 and 10^6 points): interpolation wins while its grid has fewer than
   * some 3.4 n nodes.
   */
  static boolean cheaper(int n, double range) {
    double boxes = Math.max(MIN_BOXES, Math.ceil(range));
    return 36 * boxes * boxes < 3.4 * n;
  }

  private int cachedSize = -1;
  private double cachedH = Double.NaN;
  private double[] k1;
  private double[] k2;
  private double[] first;
  private double[] second;
  private double[] q1;
  private double[] q2;
  private double[] q3;

  /**
   * Writes, for every point, {@code z[i] = Σ_{j≠i} q_ij} and {@code force[2i..2i+1] = Σ_j q_ij²
   * (y_i - y_j)}, with {@code q_ij = 1 / (1 + |y_i - y_j|²)}.
   */
  void compute(double[] y, int n, double[] z, double[] force, ForkJoinPool pool) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < 2 * n; c++) {
      lo = Math.min(lo, y[c]);
      hi = Math.max(hi, y[c]);
    }
    double range = Math.max(hi - lo, 1e-6);
    double origin = lo;
    // Boxes of about one unit (at least 50 of them); the width is rounded down to a power of
    // 2^(1/8) so the kernels' transforms can be reused while the map barely grows.
    double width = range / Math.max(MIN_BOXES, Math.ceil(range));
    double box = Math.pow(2, Math.floor(8 * Math.log(width) / Math.log(2) + 1e-9) / 8);
    int boxes = smooth((int) Math.ceil(range * (1 + 1e-9) / box));
    double h = box / NODES;
    int m = boxes * NODES;
    int size = 2 * m;
    // Per point: its box and the Lagrange weights of the box's nodes in x and in y.
    int[] cell = new int[2 * n];
    double[] weight = new double[2 * NODES * n];
    TsneOptimizer.parallel(
        pool,
        blocks(n),
        b -> {
          for (int i = b * 4096, end = Math.min(n, i + 4096); i < end; i++) {
            for (int axis = 0; axis < 2; axis++) {
              double u = (y[2 * i + axis] - origin) / h;
              int bx = Math.min(boxes - 1, (int) (u / NODES));
              cell[2 * i + axis] = bx;
              lagrange(u - bx * NODES, weight, (2 * i + axis) * NODES);
            }
          }
        });
    if (size != cachedSize || h != cachedH) {
      cachedSize = size;
      cachedH = h;
      k1 = kernel(size, m, h, false);
      k2 = kernel(size, m, h, true);
      fft2(pool, k1, size, false, size);
      fft2(pool, k2, size, false, size);
      first = new double[2 * size * size];
      second = new double[2 * size * size];
      q1 = new double[2 * size * size];
      q2 = new double[2 * size * size];
      q3 = new double[2 * size * size];
    } else {
      java.util.Arrays.fill(first, 0);
      java.util.Arrays.fill(second, 0);
    }
    // Charges, packed two real grids per complex grid: (1 + i·y_x) and (y_y).
    for (int i = 0; i < n; i++) {
      int bx = cell[2 * i] * NODES;
      int by = cell[2 * i + 1] * NODES;
      int wx = 2 * i * NODES;
      int wy = (2 * i + 1) * NODES;
      for (int a = 0; a < NODES; a++) {
        for (int b = 0; b < NODES; b++) {
          double w = weight[wx + a] * weight[wy + b];
          int at = 2 * ((bx + a) * size + by + b);
          first[at] += w;
          first[at + 1] += w * y[2 * i];
          second[at] += w * y[2 * i + 1];
        }
      }
    }
    fft2(pool, first, size, false, m);
    fft2(pool, second, size, false, m);
    multiply(first, k1, q1);
    multiply(first, k2, q2);
    multiply(second, k2, q3);
    fft2(pool, q1, size, true, m);
    fft2(pool, q2, size, true, m);
    fft2(pool, q3, size, true, m);
    TsneOptimizer.parallel(
        pool,
        blocks(n),
        blk -> {
          for (int i = blk * 4096, end = Math.min(n, i + 4096); i < end; i++) {
            int bx = cell[2 * i] * NODES;
            int by = cell[2 * i + 1] * NODES;
            int wx = 2 * i * NODES;
            int wy = (2 * i + 1) * NODES;
            double sumK1 = 0;
            double sumK2 = 0;
            double sumK2x = 0;
            double sumK2y = 0;
            for (int a = 0; a < NODES; a++) {
              for (int b = 0; b < NODES; b++) {
                double w = weight[wx + a] * weight[wy + b];
                int at = 2 * ((bx + a) * size + by + b);
                sumK1 += w * q1[at];
                sumK2 += w * q2[at];
                sumK2x += w * q2[at + 1];
                sumK2y += w * q3[at];
              }
            }
            z[i] = sumK1 - 1; // less the point itself
            force[2 * i] = y[2 * i] * sumK2 - sumK2x;
            force[2 * i + 1] = y[2 * i + 1] * sumK2 - sumK2y;
          }
        });
  }

  /** Weights of the nodes at 0.5, 1.5, 2.5 for position {@code u} in [0, 3). */
  private static void lagrange(double u, double[] out, int at) {
    for (int a = 0; a < NODES; a++) {
      double w = 1;
      for (int b = 0; b < NODES; b++) {
        if (b != a) {
          w *= (u - (b + 0.5)) / (a - b);
        }
      }
      out[at + a] = w;
    }
  }

  /** The kernel on grid offsets, laid out circulantly in a {@code size × size} complex grid. */
  private static double[] kernel(int size, int m, double h, boolean squared) {
    double[] k = new double[2 * size * size];
    for (int a = 0; a < size; a++) {
      int da = a < m ? a : a - size;
      if (a == m) {
        continue;
      }
      for (int b = 0; b < size; b++) {
        int db = b < m ? b : b - size;
        if (b == m) {
          continue;
        }
        double r2 = h * h * ((double) da * da + (double) db * db);
        double q = 1 / (1 + r2);
        k[2 * (a * size + b)] = squared ? q * q : q;
      }
    }
    return k;
  }

  private static void multiply(double[] a, double[] b, double[] out) {
    for (int i = 0; i < a.length; i += 2) {
      out[i] = a[i] * b[i] - a[i + 1] * b[i + 1];
      out[i + 1] = a[i] * b[i + 1] + a[i + 1] * b[i];
    }
  }

  /**
   * An in-place 2-D complex FFT (inverse scaled), each 1-D FFT computed whole by one task. Only the
   * first {@code rows} rows matter: a forward transform's other rows are zero (padding), and an
   * inverse transform's other rows are not read; their row transforms are skipped.
   */
  private static void fft2(ForkJoinPool pool, double[] grid, int size, boolean inverse, int rows) {
    if (inverse) {
      columns(pool, grid, size, true);
      rows(pool, grid, size, true, rows);
    } else {
      rows(pool, grid, size, false, rows);
      columns(pool, grid, size, false);
    }
  }

  private static void rows(ForkJoinPool pool, double[] grid, int size, boolean inverse, int count) {
    TsneOptimizer.parallel(
        pool,
        (count + 31) / 32,
        blk -> {
          DoubleFFT_1D fft = new DoubleFFT_1D(size);
          double[] line = new double[2 * size];
          for (int r = blk * 32, end = Math.min(count, r + 32); r < end; r++) {
            System.arraycopy(grid, 2 * r * size, line, 0, 2 * size);
            transform(fft, line, inverse);
            System.arraycopy(line, 0, grid, 2 * r * size, 2 * size);
          }
        });
  }

  private static void columns(ForkJoinPool pool, double[] grid, int size, boolean inverse) {
    TsneOptimizer.parallel(
        pool,
        (size + 31) / 32,
        blk -> {
          // Columns 32 at a time: gathered row by row, so reads stay contiguous.
          DoubleFFT_1D fft = new DoubleFFT_1D(size);
          int c0 = blk * 32;
          int width = Math.min(size, c0 + 32) - c0;
          double[][] lines = new double[width][2 * size];
          for (int r = 0; r < size; r++) {
            int base = 2 * (r * size + c0);
            for (int c = 0; c < width; c++) {
              lines[c][2 * r] = grid[base + 2 * c];
              lines[c][2 * r + 1] = grid[base + 2 * c + 1];
            }
          }
          for (double[] line : lines) {
            transform(fft, line, inverse);
          }
          for (int r = 0; r < size; r++) {
            int base = 2 * (r * size + c0);
            for (int c = 0; c < width; c++) {
              grid[base + 2 * c] = lines[c][2 * r];
              grid[base + 2 * c + 1] = lines[c][2 * r + 1];
            }
          }
        });
  }

  private static void transform(DoubleFFT_1D fft, double[] line, boolean inverse) {
    if (inverse) {
      fft.complexInverse(line, true);
    } else {
      fft.complexForward(line);
    }
  }

  /** The least count at or above {@code boxes} whose grid has no prime factor above 5. */
  private static int smooth(int boxes) {
    for (int b = boxes; ; b++) {
      int v = 2 * NODES * b;
      for (int p : new int[] {2, 3, 5}) {
        while (v % p == 0) {
          v /= p;
        }
      }
      if (v == 1) {
        return b;
      }
    }
  }

  private static int blocks(int n) {
    return (n + 4095) / 4096;
  }
}
