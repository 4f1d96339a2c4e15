package io.trustlens.explain.lime;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link WeightedGram}'s sums with the JDK's vector instructions: four samples (one 256-bit lane
 * each) a step, the products of four players' weighted, centred columns with two others' held in
 * eight registers (each loaded column used four or two times). Loaded only where {@link
 * Lanes#VECTORS} found {@code jdk.incubator.vector}; the same bits as its plain Java.
 */
final class WeightedGramLanes {
  private WeightedGramLanes() {}

  private static final VectorSpecies<Double> FOUR = DoubleVector.SPECIES_256;

  /** Whether this CPU runs 256-bit vectors as such (not emulated one lane at a time). */
  static boolean usable() {
    return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= FOUR.vectorBitSize();
  }

  static WeightedGram.Sums compute(
      double[] x, double[] y, double[] w, int n, int m, double total, double yMean) {
    WeightedGram.Sums sums = WeightedGram.Sums.zeros(m);
    double[] mean = sums.mean();
    double[][] gram = sums.gram();
    double[] xty = sums.xty();
    int steps = n & ~3;
    for (int j = 0; j < m; j++) {
      double sum = weightedSum(w, x, j * n, steps);
      for (int i = steps; i < n; i++) {
        sum += w[i] * x[j * n + i];
      }
      mean[j] = sum / total;
    }
    double[] u = new double[4 * n]; // four players' weighted, centred columns
    double[] block = new double[8];
    for (int j = 0; j < m; j += 4) {
      for (int p = 0; p < 4; p++) {
        int column = Math.min(j + p, m - 1) * n;
        double centre = mean[Math.min(j + p, m - 1)];
        for (int i = 0; i < n; i++) {
          u[p * n + i] = w[i] * (x[column + i] - centre);
        }
      }
      for (int k = j; k <= m; k += 2) { // column m: y
        int k1 = Math.min(k + 1, m);
        double[] v0 = k < m ? x : y;
        double[] v1 = k1 < m ? x : y;
        int v0At = k < m ? k * n : 0;
        int v1At = k1 < m ? k1 * n : 0;
        block(
            u,
            n,
            steps,
            v0,
            v0At,
            k < m ? mean[k] : yMean,
            v1,
            v1At,
            k1 < m ? mean[k1] : yMean,
            block);
        for (int p = 0; p < 4; p++) {
          for (int q = 0; q < 2; q++) {
            int row = j + p;
            int col = k + q;
            if (row >= m || col > m || col < row) {
              continue; // a clamped repeat, or below the diagonal
            }
            double sum = block[2 * p + q];
            double[] v = q == 0 ? v0 : v1;
            int vAt = q == 0 ? v0At : v1At;
            double vMean = col < m ? mean[col] : yMean;
            for (int i = steps; i < n; i++) {
              sum += u[p * n + i] * (v[vAt + i] - vMean);
            }
            if (col < m) {
              gram[row][col] = sum;
            } else {
              xty[row] = sum;
            }
          }
        }
      }
    }
    return sums;
  }

  /**
   * The eight sums of one block, four rows' weighted, centred columns ({@code u}) against two
   * columns {@code v0} and {@code v1} centred at their means, over the first {@code steps} samples:
   * {@code sums[2 p + q]} for row {@code p} and column {@code q}. A method of its own, called a
   * hundred times a fit, so that the JIT's optimising compiler (which alone turns the vector
   * operations into instructions) takes it after a few fits, not a few hundred.
   */
  private static void block(
      double[] u,
      int n,
      int steps,
      double[] v0,
      int v0At,
      double v0Mean,
      double[] v1,
      int v1At,
      double v1Mean,
      double[] sums) {
    DoubleVector mean0 = DoubleVector.broadcast(FOUR, v0Mean);
    DoubleVector mean1 = DoubleVector.broadcast(FOUR, v1Mean);
    DoubleVector s00 = DoubleVector.zero(FOUR);
    DoubleVector s01 = s00;
    DoubleVector s10 = s00;
    DoubleVector s11 = s00;
    DoubleVector s20 = s00;
    DoubleVector s21 = s00;
    DoubleVector s30 = s00;
    DoubleVector s31 = s00;
    for (int i = 0; i < steps; i += 4) {
      DoubleVector c0 = DoubleVector.fromArray(FOUR, v0, v0At + i).sub(mean0);
      DoubleVector c1 = DoubleVector.fromArray(FOUR, v1, v1At + i).sub(mean1);
      DoubleVector u0 = DoubleVector.fromArray(FOUR, u, i);
      s00 = s00.add(u0.mul(c0));
      s01 = s01.add(u0.mul(c1));
      DoubleVector u1 = DoubleVector.fromArray(FOUR, u, n + i);
      s10 = s10.add(u1.mul(c0));
      s11 = s11.add(u1.mul(c1));
      DoubleVector u2 = DoubleVector.fromArray(FOUR, u, 2 * n + i);
      s20 = s20.add(u2.mul(c0));
      s21 = s21.add(u2.mul(c1));
      DoubleVector u3 = DoubleVector.fromArray(FOUR, u, 3 * n + i);
      s30 = s30.add(u3.mul(c0));
      s31 = s31.add(u3.mul(c1));
    }
    sums[0] = added(s00);
    sums[1] = added(s01);
    sums[2] = added(s10);
    sums[3] = added(s11);
    sums[4] = added(s20);
    sums[5] = added(s21);
    sums[6] = added(s30);
    sums[7] = added(s31);
  }

  /** {@code sum w_i x[at + i]} over the first {@code steps} samples, in four lanes. */
  private static double weightedSum(double[] w, double[] x, int at, int steps) {
    DoubleVector lanes = DoubleVector.zero(FOUR);
    for (int i = 0; i < steps; i += 4) {
      lanes =
          lanes.add(
              DoubleVector.fromArray(FOUR, w, i).mul(DoubleVector.fromArray(FOUR, x, at + i)));
    }
    return added(lanes);
  }

  /** The lanes added as {@code (l0 + l1) + (l2 + l3)}. */
  private static double added(DoubleVector lanes) {
    return (lanes.lane(0) + lanes.lane(1)) + (lanes.lane(2) + lanes.lane(3));
  }
}
