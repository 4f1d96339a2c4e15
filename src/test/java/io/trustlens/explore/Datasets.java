package io.trustlens.explore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Data for the maps' tests: the bundled digits and seeded Gaussian blobs. */
public final class Datasets {
  private Datasets() {}

  /** The 1797 8×8 digits: 64 pixel columns, then the digit. */
  public static double[][] digits() {
    try {
      List<String> lines = Files.readAllLines(Path.of("datasets/digits.csv"));
      double[][] rows = new double[lines.size() - 1][];
      for (int i = 1; i < lines.size(); i++) {
        String[] cells = lines.get(i).split(",");
        rows[i - 1] = new double[cells.length];
        for (int j = 0; j < cells.length; j++) {
          rows[i - 1][j] = Double.parseDouble(cells[j]);
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code n} points in {@code centres} Gaussian blobs of {@code d} dimensions; last column: blob.
   */
  public static double[][] blobs(int n, int d, int centres, double spread, long seed) {
    Random r = new Random(seed);
    double[][] c = new double[centres][d];
    for (double[] row : c) {
      for (int j = 0; j < d; j++) {
        row[j] = r.nextDouble() * 20 - 10;
      }
    }
    double[][] x = new double[n][d + 1];
    for (int i = 0; i < n; i++) {
      int b = i % centres;
      for (int j = 0; j < d; j++) {
        x[i][j] = c[b][j] + spread * r.nextGaussian();
      }
      x[i][d] = b;
    }
    return x;
  }

  /** The first {@code d} columns as floats. */
  public static float[] floats(double[][] rows, int d) {
    float[] out = new float[rows.length * d];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < d; j++) {
        out[i * d + j] = (float) rows[i][j];
      }
    }
    return out;
  }
}
