package io.trustlens.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Attribution maps over pictures: the input in grey beside the map as a heatmap laid over it, with
 * a colour bar whose ticks give the map's unit. Pictures are channel-major ({@code C × H × W}); the
 * map is shown per pixel as the sum over channels of |value| (or the signed sum, diverging blue to
 * red, for signed maps).
 */
public final class ImageMaps {
  private static final int PANEL = 160;

  private ImageMaps() {}

  /**
   * A figure of one row.
   *
   * @param image the input, {@code channels × height × width}
   * @param map the attribution: {@code channels × height × width} values, or {@code height × width}
   * @param signed whether to show the map's sign (blue negative, red positive) or its magnitude
   * @param unit what the map's values are, for the colour bar (such as "∂ logit 'top_left' / ∂
   *     pixel")
   */
  public static String overlay(
      double[] image,
      double[] map,
      int channels,
      int height,
      int width,
      boolean signed,
      String unit) {
    int plane = height * width;
    double[] grey = new double[plane];
    double[] heat = new double[plane];
    for (int c = 0; c < channels; c++) {
      for (int p = 0; p < plane; p++) {
        grey[p] += image[c * plane + p] / channels;
      }
    }
    for (int c = 0; c < map.length / plane; c++) { // the map may have one channel (Grad-CAM)
      for (int p = 0; p < plane; p++) {
        heat[p] += signed ? map[c * plane + p] : Math.abs(map[c * plane + p]);
      }
    }
    double gLo = Double.POSITIVE_INFINITY;
    double gHi = Double.NEGATIVE_INFINITY;
    double hMax = 0;
    for (int p = 0; p < plane; p++) {
      gLo = Math.min(gLo, grey[p]);
      gHi = Math.max(gHi, grey[p]);
      hMax = Math.max(hMax, Math.abs(heat[p]));
    }
    BufferedImage input = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    BufferedImage over = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int p = y * width + x;
        double g = gHi > gLo ? (grey[p] - gLo) / (gHi - gLo) : 0.5;
        int v = (int) Math.round(255 * g);
        input.setRGB(x, y, (v << 16) | (v << 8) | v);
        double h = hMax > 0 ? heat[p] / hMax : 0;
        int[] colour = signed ? diverging(h) : magma(h);
        double a = Math.min(1, 0.25 + 0.75 * Math.abs(h)); // faint where the map is near zero
        int r = (int) Math.round(a * colour[0] + (1 - a) * 0.5 * v);
        int gg = (int) Math.round(a * colour[1] + (1 - a) * 0.5 * v);
        int b = (int) Math.round(a * colour[2] + (1 - a) * 0.5 * v);
        over.setRGB(x, y, (r << 16) | (gg << 8) | b);
      }
    }
    double panelH = PANEL * (double) height / width;
    Svg svg = new Svg(2 * PANEL + 110, panelH + 40);
    svg.text(PANEL / 2.0, 14, "middle", "input");
    svg.text(PANEL + 10 + PANEL / 2.0, 14, "middle", signed ? "map (signed)" : "map |value|");
    svg.image(0, 20, PANEL, panelH, png(input));
    svg.image(PANEL + 10, 20, PANEL, panelH, png(over));
    double barX = 2 * PANEL + 20;
    int steps = 32;
    for (int i = 0; i < steps; i++) {
      double h = signed ? 1 - 2.0 * i / (steps - 1) : 1 - (double) i / (steps - 1);
      int[] c = signed ? diverging(h) : magma(h);
      svg.rect(barX, 20 + i * panelH / steps, 12, panelH / steps + 0.5, rgb(c));
    }
    svg.text(barX + 16, 28, "start", tick(hMax));
    svg.text(barX + 16, 20 + panelH, "start", tick(signed ? -hMax : 0));
    if (signed) {
      svg.text(barX + 16, 24 + panelH / 2, "start", "0");
    }
    svg.text(PANEL + 5, panelH + 36, "middle", unit);
    return svg.end();
  }

  /**
   * Magnitude maps side by side, each scaled to its own largest value (black 0, pale yellow its
   * largest), with a caption over each: how one row's map changes from panel to panel.
   *
   * @param maps each {@code height × width} non-negative values
   */
  public static String strip(List<String> captions, List<double[]> maps, int height, int width) {
    double panel = 96;
    double panelH = panel * height / width;
    Svg svg = new Svg(maps.size() * (panel + 12), panelH + 30);
    for (int m = 0; m < maps.size(); m++) {
      double[] map = maps.get(m);
      double max = 0;
      for (double v : map) {
        max = Math.max(max, v);
      }
      BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      for (int p = 0; p < height * width; p++) {
        int[] c = magma(max > 0 ? map[p] / max : 0);
        picture.setRGB(p % width, p / width, (c[0] << 16) | (c[1] << 8) | c[2]);
      }
      double x = m * (panel + 12);
      svg.text(x + panel / 2, 14, "middle", captions.get(m));
      svg.image(x, 20, panel, panelH, png(picture));
    }
    return svg.end();
  }

  /**
   * Pictures side by side, as they are: grey for one channel, colour for three, values from {@code
   * low} (black) to {@code high} (white), with a caption over each.
   *
   * @param images each {@code channels × height × width} values
   */
  public static String pictures(
      List<String> captions,
      List<double[]> images,
      int channels,
      int height,
      int width,
      double low,
      double high) {
    double panel = 112;
    double panelH = panel * height / width;
    Svg svg = new Svg(images.size() * (panel + 16), panelH + 30);
    int plane = height * width;
    for (int m = 0; m < images.size(); m++) {
      double[] image = images.get(m);
      BufferedImage picture = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      for (int p = 0; p < plane; p++) {
        int[] c = new int[3];
        for (int k = 0; k < 3; k++) {
          double v = image[(channels == 3 ? k : 0) * plane + p];
          c[k] = (int) Math.round(255 * Math.max(0, Math.min(1, (v - low) / (high - low))));
        }
        picture.setRGB(p % width, p / width, (c[0] << 16) | (c[1] << 8) | c[2]);
      }
      double x = m * (panel + 16);
      svg.text(x + panel / 2, 14, "middle", captions.get(m));
      svg.image(x, 20, panel, panelH, png(picture));
    }
    return svg.end();
  }

  private static String tick(double v) {
    return String.format(Locale.ROOT, "%.3g", v);
  }

  /** Black through purple and orange to pale yellow for 0..1, as matplotlib's magma. */
  private static int[] magma(double t) {
    double[][] stops = {{0, 0, 4}, {81, 18, 124}, {183, 55, 121}, {252, 137, 97}, {252, 253, 191}};
    return interpolate(stops, Math.max(0, Math.min(1, t)));
  }

  /** Blue for -1, white for 0, red for +1. */
  private static int[] diverging(double t) {
    double[][] stops = {{33, 102, 172}, {247, 247, 247}, {178, 24, 43}};
    return interpolate(stops, (Math.max(-1, Math.min(1, t)) + 1) / 2);
  }

  private static int[] interpolate(double[][] stops, double t) {
    double pos = t * (stops.length - 1);
    int i = Math.min(stops.length - 2, (int) Math.floor(pos));
    double f = pos - i;
    int[] c = new int[3];
    for (int k = 0; k < 3; k++) {
      c[k] = (int) Math.round(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]));
    }
    return c;
  }

  private static String rgb(int[] c) {
    return String.format(Locale.ROOT, "#%02x%02x%02x", c[0], c[1], c[2]);
  }

  private static String png(BufferedImage image) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageIO.write(image, "png", bytes);
      return Base64.getEncoder().encodeToString(bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
