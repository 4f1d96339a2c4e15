package io.trustlens.report;

import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

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
   * from blue (low feature value) to red (high); grey where a player has no single value. The value
   * axis is symmetric about 0 with ticks, titled {@code axisTitle}; a colour legend sits below it.
   *
   * @param values {@code values[row][player]}
   * @param colours {@code colours[row][player]} in [0, 1], or NaN for grey
   */
  public static String beeswarm(
      List<String> labels, double[][] values, double[][] colours, String axisTitle) {
    int row = 24;
    int left = 190;
    int width = 420;
    double max = 0;
    for (double[] v : values) {
      max = Math.max(max, maxAbs(v));
    }
    double[] ticks = ticks(-max, max, 6);
    double reach = max == 0 ? 1 : Math.max(max, Math.abs(ticks[0]));
    int plot = row * labels.size();
    Svg svg = new Svg(left + width + 30, plot + 92);
    double zero = left + width / 2.0;
    java.util.function.DoubleUnaryOperator px = v -> zero + v / reach * (width / 2.0 - 6);
    String grey = "#8c959f";
    svg.line(zero, 0, zero, plot, grey);
    svg.line(left, plot, left + width, plot, grey);
    for (double t : ticks) {
      if (Math.abs(t) <= reach) {
        svg.line(px.applyAsDouble(t), plot, px.applyAsDouble(t), plot + 4, grey);
        svg.text(px.applyAsDouble(t), plot + 16, "middle", DataCharts.tick(t));
      }
    }
    for (int p = 0; p < labels.size(); p++) {
      int y = p * row + row / 2;
      svg.text(left - 6, y + 4, "end", labels.get(p));
      for (int r = 0; r < values.length; r++) {
        double x = px.applyAsDouble(values[r][p]);
        double jitter = ((r * 7919L + p * 104729L) % 17 - 8) * 0.9;
        svg.dot(x, y + jitter, 2.2, colour(colours[r][p]));
      }
    }
    svg.text(zero, plot + 34, "middle", axisTitle);
    int legend = plot + 56;
    svg.text(left + width / 2.0 - 110, legend + 9, "end", "feature value: low");
    for (int i = 0; i < 20; i++) {
      svg.rect(left + width / 2.0 - 104 + i * 10, legend, 10, 10, colour(i / 19.0));
    }
    svg.text(left + width / 2.0 + 102, legend + 9, "start", "high");
    svg.dot(left + width / 2.0 + 142, legend + 5, 4, colour(Double.NaN));
    svg.text(left + width / 2.0 + 150, legend + 9, "start", "no single value");
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

  /** A scatter plot of y against x, with ticks on both axes and a line at y = 0 if in range. */
  public static String scatter(String xLabel, String yLabel, double[] x, double[] y) {
    int w = 420;
    int h = 260;
    double[] xt = ticks(min(x), max(x), 5);
    double x0 = Math.min(min(x), xt[0]);
    double x1 = Math.max(max(x), xt[xt.length - 1]);
    DoubleUnaryOperator px = v -> LEFT + (x1 == x0 ? w / 2.0 : (v - x0) / (x1 - x0) * w);
    Svg svg = new Svg(LEFT + w + 20, TOP + h + 48);
    DoubleUnaryOperator py = frame(svg, w, h, min(y), max(y), xLabel, yLabel);
    for (double t : xt) {
      svg.line(px.applyAsDouble(t), TOP + h, px.applyAsDouble(t), TOP + h + 4, GREY);
      svg.text(px.applyAsDouble(t), TOP + h + 16, "middle", DataCharts.tick(t));
    }
    for (int i = 0; i < x.length; i++) {
      svg.dot(px.applyAsDouble(x[i]), py.applyAsDouble(y[i]), 2.2, BLUE);
    }
    return svg.end();
  }

  /**
   * A strip plot: for each category a column of dots at their y values (jittered sideways), the
   * categories as x ticks, y with ticks and a line at 0 if in range.
   *
   * @param ys {@code ys.get(c)}: the values of category {@code c}
   */
  public static String strips(
      String xLabel, List<String> categories, String yLabel, List<double[]> ys) {
    int n = categories.size();
    int w = Math.max(240, 70 * n);
    int h = 220;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] v : ys) {
      if (v.length > 0) {
        lo = Math.min(lo, min(v));
        hi = Math.max(hi, max(v));
      }
    }
    Svg svg = new Svg(LEFT + w + 20, TOP + h + 48);
    DoubleUnaryOperator py =
        lo > hi ? frame(svg, w, h, 0, 0, xLabel, yLabel) : frame(svg, w, h, lo, hi, xLabel, yLabel);
    for (int c = 0; c < n; c++) {
      double cx = LEFT + (c + 0.5) * w / n;
      svg.line(cx, TOP + h, cx, TOP + h + 4, GREY);
      svg.text(cx, TOP + h + 16, "middle", categories.get(c));
      double[] v = ys.get(c);
      for (int i = 0; i < v.length; i++) {
        double jitter = ((i * 7919L) % 21 - 10) * (w / (double) n) / 60;
        svg.dot(cx + jitter, py.applyAsDouble(v[i]), 2.2, BLUE);
      }
    }
    return svg.end();
  }

  private static final int LEFT = 64;
  private static final int TOP = 22;
  private static final String GREY = "#8c959f";

  /**
   * Draws a plot's frame of {@code w × h} at ({@link #LEFT}, {@link #TOP}): both axes, the y ticks
   * over {@code [lo, hi]}, a line at y = 0 when in range, and the titles.
   *
   * @return the y position of a value
   */
  private static DoubleUnaryOperator frame(
      Svg svg, int w, int h, double lo, double hi, String xLabel, String yLabel) {
    double[] yt = ticks(lo, hi, 5);
    double y0 = Math.min(lo, yt[0]);
    double y1 = Math.max(hi, yt[yt.length - 1]);
    DoubleUnaryOperator py = v -> TOP + h - (y1 == y0 ? h / 2.0 : (v - y0) / (y1 - y0) * h);
    svg.line(LEFT, TOP + h, LEFT + w, TOP + h, GREY);
    svg.line(LEFT, TOP, LEFT, TOP + h, GREY);
    if (y0 < 0 && y1 > 0) {
      svg.line(LEFT, py.applyAsDouble(0), LEFT + w, py.applyAsDouble(0), "#d0d7de");
    }
    for (double t : yt) {
      svg.line(LEFT - 4, py.applyAsDouble(t), LEFT, py.applyAsDouble(t), GREY);
      svg.text(LEFT - 6, py.applyAsDouble(t) + 4, "end", DataCharts.tick(t));
    }
    svg.text(LEFT + w / 2.0, TOP + h + 36, "middle", xLabel);
    svg.text(4, 12, "start", yLabel);
    return py;
  }

  /**
   * About {@code target} round tick values (1, 2 or 5 times a power of ten apart) covering {@code
   * [lo, hi]}: the first at or below {@code lo}, the last at or above {@code hi}.
   */
  static double[] ticks(double lo, double hi, int target) {
    if (!(hi > lo) || Double.isInfinite(hi - lo)) {
      return new double[] {Double.isFinite(lo) ? lo : 0};
    }
    double raw = (hi - lo) / target;
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / power;
    double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * power;
    long first = (long) Math.floor(lo / step);
    long last = (long) Math.ceil(hi / step);
    double[] t = new double[(int) (last - first + 1)];
    for (int i = 0; i < t.length; i++) {
      double v = (first + i) * step;
      t[i] = Math.abs(v) < step * 1e-9 ? 0 : v;
    }
    return t;
  }

  static String colour(double t) {
    if (Double.isNaN(t)) {
      return "#8c959f";
    }
    double c = Math.max(0, Math.min(1, t));
    int r = (int) Math.round(31 + c * (209 - 31));
    int g = (int) Math.round(111 + c * (36 - 111));
    int b = (int) Math.round(235 + c * (47 - 235));
    return "#" + Integer.toHexString(0x1000000 | r << 16 | g << 8 | b).substring(1);
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
