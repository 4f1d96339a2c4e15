package io.trustlens.data;

import org.apache.commons.math3.special.Gamma;

/**
 * Pearson's chi-square test of independence on a contingency table (rows by columns of counts),
 * which is also the test of homogeneity of two or more samples over the same categories.
 *
 * <p>Rows and columns whose totals are zero are left out (they carry no information), so the
 * degrees of freedom are {@code (r' - 1)(c' - 1)} over the {@code r'} rows and {@code c'} columns
 * that have counts. With fewer than two of either the statistic is 0 and the p-value 1.
 *
 * @param statistic sum over cells of {@code (observed - expected)^2 / expected}
 * @param degreesOfFreedom {@code (r' - 1)(c' - 1)}
 * @param pValue the chance of a statistic at least this large under independence
 */
public record ChiSquare(double statistic, int degreesOfFreedom, double pValue) {

  /** Tests {@code counts[row][column]}. */
  public static ChiSquare of(long[][] counts) {
    int rows = counts.length;
    int cols = rows == 0 ? 0 : counts[0].length;
    double[] rowSum = new double[rows];
    double[] colSum = new double[cols];
    double n = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        rowSum[i] += counts[i][j];
        colSum[j] += counts[i][j];
        n += counts[i][j];
      }
    }
    int r = 0;
    int c = 0;
    for (double s : rowSum) {
      r += s > 0 ? 1 : 0;
    }
    for (double s : colSum) {
      c += s > 0 ? 1 : 0;
    }
    if (r < 2 || c < 2) {
      return new ChiSquare(0, 0, 1);
    }
    double statistic = 0;
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        double expected = rowSum[i] * colSum[j] / n;
        if (expected > 0) {
          double d = counts[i][j] - expected;
          statistic += d * d / expected;
        }
      }
    }
    int df = (r - 1) * (c - 1);
    // The upper tail of chi-square(df) is Q(df / 2, x / 2), accurate far below 1e-16.
    return new ChiSquare(statistic, df, Gamma.regularizedGammaQ(df / 2.0, statistic / 2));
  }
}
