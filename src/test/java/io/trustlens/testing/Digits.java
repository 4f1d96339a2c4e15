package io.trustlens.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** The bundled 8x8 digits without Spark, and noise images of the same range to set against them. */
public final class Digits {
  private Digits() {}

  /** The bundled digits' 64 pixels (0..16) per row. */
  public static double[][] rows() {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("datasets/digits.csv"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    double[][] rows = new double[lines.size() - 1][];
    for (int i = 1; i < lines.size(); i++) {
      String[] cells = lines.get(i).split(",");
      rows[i - 1] = new double[64];
      for (int j = 0; j < 64; j++) {
        rows[i - 1][j] = Double.parseDouble(cells[j]);
      }
    }
    return rows;
  }

  /** {@code n} images of 64 pixels drawn uniformly from 0..16: nothing like a digit. */
  public static double[][] noise(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] rows = new double[n][64];
    for (double[] row : rows) {
      for (int j = 0; j < 64; j++) {
        row[j] = random.nextInt(17);
      }
    }
    return rows;
  }
}
