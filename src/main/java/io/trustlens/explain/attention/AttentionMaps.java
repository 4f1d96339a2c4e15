package io.trustlens.explain.attention;

/**
 * Maps from a Vision Transformer's attention weights, one row at a time, Spark-free.
 *
 * <ul>
 *   <li>{@link #rollout}: attention rollout (Abnar and Zuidema 2020, arXiv 2005.00928). Per layer
 *       the heads' mean A, with the residual connection as the identity, Â = (A + I) / 2 (rows
 *       still sum to 1); the product Â_L ⋯ Â_1 says how much each input token flows into each token
 *       after the last layer; the class token's row over the patch tokens is the map.
 *   <li>{@link #classAttention}: the last layer's attention of the class token to each patch token,
 *       per head (what Caron et al. 2021 draw for DINO).
 * </ul>
 *
 * <p>Invariants: the weights are laid out {@code [layer][head][query][key]}, token 0 the class
 * token, the patch tokens row-major on a {@code gridHeight × gridWidth} grid; each map is put on
 * the image's pixels by giving every pixel its patch's value (no interpolation), so a rollout map
 * sums to the class token's attention to all patches (at most 1) times the pixels per patch.
 */
public final class AttentionMaps {
  private AttentionMaps() {}

  /**
   * The rollout of the class token over the patch tokens, {@code gridHeight × gridWidth} values.
   *
   * @param w the weights from {@code offset}: {@code layers × heads × tokens × tokens}
   */
  public static double[] rollout(double[] w, int offset, int layers, int heads, int tokens) {
    double[][] flow = identity(tokens);
    for (int l = 0; l < layers; l++) {
      double[][] a = new double[tokens][tokens];
      for (int h = 0; h < heads; h++) {
        int base = offset + ((l * heads + h) * tokens) * tokens;
        for (int q = 0; q < tokens; q++) {
          for (int k = 0; k < tokens; k++) {
            a[q][k] += w[base + q * tokens + k] / heads;
          }
        }
      }
      for (int q = 0; q < tokens; q++) {
        for (int k = 0; k < tokens; k++) {
          a[q][k] = 0.5 * a[q][k] + (q == k ? 0.5 : 0);
        }
      }
      flow = multiply(a, flow); // Â_l · (Â_{l-1} ⋯ Â_1)
    }
    double[] map = new double[tokens - 1];
    System.arraycopy(flow[0], 1, map, 0, tokens - 1);
    return map;
  }

  /** The last layer's class-token attention to each patch, per head: {@code heads × patches}. */
  public static double[] classAttention(double[] w, int offset, int layers, int heads, int tokens) {
    double[] map = new double[heads * (tokens - 1)];
    for (int h = 0; h < heads; h++) {
      int base =
          offset + (((layers - 1) * heads + h) * tokens) * tokens; // query 0: the class token
      System.arraycopy(w, base + 1, map, h * (tokens - 1), tokens - 1);
    }
    return map;
  }

  /**
   * Puts {@code maps} maps of a {@code gridHeight × gridWidth} grid on an image of {@code height ×
   * width} pixels: each pixel takes its patch's value.
   */
  public static double[] onPixels(
      double[] grid, int maps, int gridHeight, int gridWidth, int height, int width) {
    requireTiling(gridHeight, gridWidth, height, width);
    int ph = height / gridHeight;
    int pw = width / gridWidth;
    double[] pixels = new double[maps * height * width];
    for (int m = 0; m < maps; m++) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          pixels[(m * height + y) * width + x] =
              grid[(m * gridHeight + y / ph) * gridWidth + x / pw];
        }
      }
    }
    return pixels;
  }

  /** Fails unless a {@code gridHeight × gridWidth} patch grid tiles the image exactly. */
  public static void requireTiling(int gridHeight, int gridWidth, int height, int width) {
    if (height % gridHeight != 0 || width % gridWidth != 0) {
      throw new IllegalArgumentException(
          "a "
              + gridHeight
              + "x"
              + gridWidth
              + " patch grid does not tile a "
              + height
              + "x"
              + width
              + " image");
    }
  }

  private static double[][] identity(int n) {
    double[][] m = new double[n][n];
    for (int i = 0; i < n; i++) {
      m[i][i] = 1;
    }
    return m;
  }

  private static double[][] multiply(double[][] a, double[][] b) {
    int n = a.length;
    double[][] c = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < n; k++) {
        double v = a[i][k];
        for (int j = 0; j < n; j++) {
          c[i][j] += v * b[k][j];
        }
      }
    }
    return c;
  }
}
