package io.trustlens.report;

import java.util.List;
import java.util.Locale;

/**
 * Charts as inline SVG strings: no script, no external file, so a report stays self-contained.
 * Every label is escaped.
 */
public final class Charts {
  private static final String BLUE = "#1f6feb";
  private static final String RED = "#d1242f";

  private Charts() {}

  /** Horizontal bars, one per label, in the order given. */
  public static String bars(List<String> labels, double[] values) {
    int row = 18;
    int left = 190;
    int width = 360;
    double max = maxAbs(values);
    Svg svg = new Svg(left + width + 90, row * labels.size() + 8);
    for (int i = 0; i < labels.size(); i++) {
      int y = i * row + 4;
      double length = max == 0 ? 0 : Math.abs(values[i]) / max * width;
      svg.text(left - 6, y + 12, "end", labels.get(i));
      svg.rect(left, y, length, row - 4, BLUE);
      svg.text(left + length + 4, y + 12, "start", number(values[i]));
    }
    return svg.end();
  }

  /** Colours of the series of a line chart, in order. */
  private static final String[] SERIES = {
    "#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#57606a"
  };

  /**
   * Lines over categories: one series per entry of {@code series}, a dot per category (NaN leaves a
   * gap), the categories as x ticks, {@code y0..y1} with five ticks, and a legend.
   *
   * @param categories the x ticks, left to right
   * @param series by name, one value per category
   */
  public static String lines(
      String xTitle,
      List<String> categories,
      String yTitle,
      double y0,
      double y1,
      java.util.Map<String, double[]> series) {
    int left = 52;
    int top = 28;
    int w = Math.max(320, 110 * categories.size());
    int h = 240;
    int legend = 170;
    Svg svg = new Svg(left + w + legend, top + h + 64);
    String grey = "#8c959f";
    svg.line(left, top + h, left + w, top + h, grey);
    svg.line(left, top, left, top + h, grey);
    int n = categories.size();
    java.util.function.IntToDoubleFunction px = i -> left + (i + 0.5) * w / n;
    java.util.function.DoubleUnaryOperator py = v -> top + h - (v - y0) / (y1 - y0) * h;
    for (int i = 0; i < n; i++) {
      svg.line(px.applyAsDouble(i), top + h, px.applyAsDouble(i), top + h + 4, grey);
      svg.text(px.applyAsDouble(i), top + h + 16, "middle", categories.get(i));
    }
    for (int i = 0; i <= 4; i++) {
      double v = y0 + (y1 - y0) * i / 4;
      svg.line(left - 4, py.applyAsDouble(v), left, py.applyAsDouble(v), grey);
      svg.text(
          left - 6,
          py.applyAsDouble(v) + 4,
          "end",
          java.math.BigDecimal.valueOf(Math.round(v * 1000) / 1000.0)
              .stripTrailingZeros()
              .toPlainString());
    }
    if (y0 < 0 && y1 > 0) {
      svg.line(left, py.applyAsDouble(0), left + w, py.applyAsDouble(0), "#d0d7de");
    }
    svg.text(left + w / 2.0, top + h + 36, "middle", xTitle);
    svg.text(left - 40, 14, "start", yTitle);
    int k = 0;
    for (var e : series.entrySet()) {
      String colour = SERIES[k % SERIES.length];
      double[] v = e.getValue();
      StringBuilder d = new StringBuilder();
      boolean pen = false;
      for (int i = 0; i < n; i++) {
        if (Double.isNaN(v[i])) {
          pen = false;
          continue;
        }
        double x = px.applyAsDouble(i);
        double y = py.applyAsDouble(Math.max(y0, Math.min(y1, v[i])));
        d.append(pen ? " L" : " M").append(Svg.f(x)).append(' ').append(Svg.f(y));
        pen = true;
        svg.dot(x, y, 3, colour);
      }
      if (d.length() > 0) {
        svg.path(d.toString().trim(), colour, 2);
      }
      double ly = top + 14 + 18 * k;
      svg.line(left + w + 12, ly - 4, left + w + 30, ly - 4, colour);
      svg.text(left + w + 36, ly, "start", e.getKey());
      k++;
    }
    return svg.end();
  }

  /**
   * A beeswarm (summary) plot: one line per player, one dot per row at its Shapley value, coloured
   * from blue (low feature value) to red (high); grey where a player has no single value.
   *
   * @param values {@code values[row][player]}
   * @param colours {@code colours[row][player]} in [0, 1], or NaN for grey
   */
  public static String beeswarm(List<String> labels, double[][] values, double[][] colours) {
    int row = 24;
    int left = 190;
    int width = 420;
    double max = 0;
    for (double[] v : values) {
      max = Math.max(max, maxAbs(v));
    }
    Svg svg = new Svg(left + width + 30, row * labels.size() + 30);
    double zero = left + width / 2.0;
    svg.line(zero, 0, zero, row * labels.size(), "#8c959f");
    for (int p = 0; p < labels.size(); p++) {
      int y = p * row + row / 2;
      svg.text(left - 6, y + 4, "end", labels.get(p));
      for (int r = 0; r < values.length; r++) {
        double x = zero + (max == 0 ? 0 : values[r][p] / max * (width / 2.0 - 6));
        double jitter = ((r * 7919L + p * 104729L) % 17 - 8) * 0.9;
        svg.dot(x, y + jitter, 2.2, colour(colours[r][p]));
      }
    }
    svg.text(
        zero,
        row * labels.size() + 18,
        "middle",
        "Shapley value (0 at the line; range ±" + number(max) + ")");
    return svg.end();
  }

  /** A waterfall: from the base value, each player's value in turn, to the output. */
  public static String waterfall(List<String> labels, double[] values, double base, double output) {
    int row = 20;
    int left = 190;
    int width = 380;
    double lo = Math.min(base, output);
    double hi = Math.max(base, output);
    double running = base;
    for (double v : values) {
      running += v;
      lo = Math.min(lo, running);
      hi = Math.max(hi, running);
    }
    double span = hi - lo == 0 ? 1 : hi - lo;
    Svg svg = new Svg(left + width + 90, row * (labels.size() + 2) + 8);
    running = base;
    svg.text(left - 6, 16, "end", "base value");
    svg.text(left + (base - lo) / span * width + 4, 16, "start", number(base));
    for (int i = 0; i < labels.size(); i++) {
      int y = (i + 1) * row + 4;
      double from = left + (running - lo) / span * width;
      running += values[i];
      double to = left + (running - lo) / span * width;
      svg.text(left - 6, y + 12, "end", labels.get(i));
      svg.rect(
          Math.min(from, to),
          y,
          Math.max(1, Math.abs(to - from)),
          row - 6,
          values[i] >= 0 ? RED : BLUE);
      svg.text(
          Math.max(from, to) + 4, y + 12, "start", (values[i] >= 0 ? "+" : "") + number(values[i]));
    }
    int y = (labels.size() + 1) * row + 4;
    svg.text(left - 6, y + 12, "end", "output");
    svg.text(left + (output - lo) / span * width + 4, y + 12, "start", number(output));
    return svg.end();
  }

  /** A scatter plot of y against x. */
  public static String scatter(String xLabel, String yLabel, double[] x, double[] y) {
    int w = 420;
    int h = 260;
    int pad = 40;
    double x0 = min(x);
    double x1 = max(x);
    double y0 = min(y);
    double y1 = max(y);
    Svg svg = new Svg(w + pad + 10, h + pad + 10);
    svg.line(pad, h, pad + w, h, "#8c959f");
    svg.line(pad, 0, pad, h, "#8c959f");
    for (int i = 0; i < x.length; i++) {
      double px = pad + (x1 == x0 ? w / 2.0 : (x[i] - x0) / (x1 - x0) * w);
      double py = h - (y1 == y0 ? h / 2.0 : (y[i] - y0) / (y1 - y0) * h);
      svg.dot(px, py, 2.2, BLUE);
    }
    svg.text(
        pad + w / 2.0, h + 28, "middle", xLabel + " (" + number(x0) + " to " + number(x1) + ")");
    svg.text(4, 12, "start", yLabel + " (" + number(y0) + " to " + number(y1) + ")");
    return svg.end();
  }

  static String colour(double t) {
    if (Double.isNaN(t)) {
      return "#8c959f";
    }
    double c = Math.max(0, Math.min(1, t));
    int r = (int) Math.round(31 + c * (209 - 31));
    int g = (int) Math.round(111 + c * (36 - 111));
    int b = (int) Math.round(235 + c * (47 - 235));
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }

  private static double maxAbs(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, Math.abs(d));
    }
    return m;
  }

  /** The smallest value (0 for none). */
  static double min(double[] v) {
    double m = Double.POSITIVE_INFINITY;
    for (double d : v) {
      m = Math.min(m, d);
    }
    return v.length == 0 ? 0 : m;
  }

  /** The largest value (0 for none). */
  static double max(double[] v) {
    double m = Double.NEGATIVE_INFINITY;
    for (double d : v) {
      m = Math.max(m, d);
    }
    return v.length == 0 ? 0 : m;
  }

  public static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return String.valueOf(d);
    }
    return Math.abs(d) >= 1e5 || (Math.abs(d) < 1e-3 && d != 0)
        ? String.format(Locale.ROOT, "%.3e", d)
        : String.format(Locale.ROOT, "%.4f", d);
  }
}
