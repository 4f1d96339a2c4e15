package io.trustlens.data.synthetic;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * 16x16 grey images of faint noise with one bright 4x4 square; the class is 1 exactly when the
 * square lies inside the top-left 8x8 region, so the deciding pixels are known.
 */
public final class ShapesData {
  static final int SIZE = 16;
  static final int SQUARE = 4;
  static final int REGION = 8;

  private ShapesData() {}

  /** Writes {@code shapes.json} (JSON lines: id, label, image) and {@code shapes.truth.json}. */
  public static void write(Path dir, int rows, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    try (Writer out = Files.newBufferedWriter(dir.resolve("shapes.json"))) {
      for (int i = 0; i < rows; i++) {
        boolean inside = random.nextBoolean();
        int y;
        int x;
        do {
          y = random.nextInt(SIZE - SQUARE + 1);
          x = random.nextInt(SIZE - SQUARE + 1);
        } while (inRegion(y, x) != inside);
        StringBuilder line = new StringBuilder("{\"id\":").append(i);
        line.append(",\"label\":").append(inside ? 1 : 0).append(",\"image\":[");
        for (int r = 0; r < SIZE; r++) {
          for (int c = 0; c < SIZE; c++) {
            boolean on = r >= y && r < y + SQUARE && c >= x && c < x + SQUARE;
            double v = on ? 1.0 : 0.2 * random.nextDouble();
            line.append(r + c == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", v));
          }
        }
        out.write(line.append("]}\n").toString());
      }
    }
    Files.writeString(
        dir.resolve("shapes.truth.json"),
        """
        {
          "table": "shapes.json",
          "image": "image", "shape": [1, 16, 16], "label": "label",
          "rule": "label = 1 iff the bright 4x4 square lies inside rows 0-7 and columns 0-7",
          "region": {"y0": 0, "y1": 8, "x0": 0, "x1": 8}
        }
        """);
  }

  private static boolean inRegion(int y, int x) {
    return y + SQUARE <= REGION && x + SQUARE <= REGION;
  }
}
