package io.trustlens.report;

/**
 * Charts of how sure a model is: reliability diagrams and histograms, as inline SVG with axes,
 * ticks and the unit in the axis titles.
 */
public final class CalibrationCharts {
  private static final String BLUE = "#1f6feb";
  private static final String GREY = "#8c959f";
  private static final String RED = "#d1242f";
  private static final int W = 360;
  private static final int H = 260;
  private static final int LEFT = 52;
  private static final int TOP = 12;

  private CalibrationCharts() {}

  /**
   * A reliability diagram: per bin a bar of the observed frequency over the bin's range, a dot at
   * (mean predicted probability, observed frequency), and the diagonal a calibrated model follows.
   * Empty bins (NaN) draw nothing.
   *
   * @param xTitle what the predicted probability is (for example "top-label confidence")
   * @param yTitle what the frequency counts (for example "share predicted right")
   */
  public static String reliability(
      String xTitle,
      String yTitle,
      double[] lower,
      double[] upper,
      double[] confidence,
      double[] frequency) {
    Svg svg = frame(xTitle, yTitle, 0, 1, 0, 1);
    for (int b = 0; b < lower.length; b++) {
      if (Double.isNaN(frequency[b])) {
        continue;
      }
      double x0 = x(lower[b], 0, 1);
      double x1 = x(upper[b], 0, 1);
      double y = y(frequency[b], 0, 1);
      svg.rect(x0 + 0.5, y, Math.max(0.5, x1 - x0 - 1), TOP + H - y, "#c8d9f5");
    }
    svg.line(x(0, 0, 1), y(0, 0, 1), x(1, 0, 1), y(1, 0, 1), GREY);
    for (int b = 0; b < lower.length; b++) {
      if (!Double.isNaN(frequency[b])) {
        svg.dot(x(confidence[b], 0, 1), y(frequency[b], 0, 1), 3.2, RED);
      }
    }
    return svg.end();
  }

  /**
   * A histogram of counts per bin.
   *
   * @param edges {@code counts.length + 1} bin edges, increasing
   */
  public static String histogram(String xTitle, double[] edges, long[] counts) {
    long max = 1;
    for (long c : counts) {
      max = Math.max(max, c);
    }
    double lo = edges[0];
    double hi = edges[edges.length - 1] > lo ? edges[edges.length - 1] : lo + 1;
    Svg svg = frame(xTitle, "rows", lo, hi, 0, max);
    for (int b = 0; b < counts.length; b++) {
      double x0 = x(edges[b], lo, hi);
      double x1 = x(edges[b + 1], lo, hi);
      double y = y(counts[b], 0, max);
      svg.rect(x0 + 0.5, y, Math.max(0.5, x1 - x0 - 1), TOP + H - y, BLUE);
    }
    return svg.end();
  }

  /** Axes with five ticks each and their titles. */
  private static Svg frame(
      String xTitle, String yTitle, double x0, double x1, double y0, double y1) {
    Svg svg = new Svg(LEFT + W + 16, TOP + H + 44);
    svg.line(LEFT, TOP + H, LEFT + W, TOP + H, GREY);
    svg.line(LEFT, TOP, LEFT, TOP + H, GREY);
    for (int i = 0; i <= 4; i++) {
      double vx = x0 + (x1 - x0) * i / 4;
      double vy = y0 + (y1 - y0) * i / 4;
      double px = x(vx, x0, x1);
      double py = y(vy, y0, y1);
      svg.line(px, TOP + H, px, TOP + H + 4, GREY);
      svg.text(px, TOP + H + 16, "middle", Charts.number(vx));
      svg.line(LEFT - 4, py, LEFT, py, GREY);
      svg.text(
          LEFT - 6, py + 4, "end", y1 > 10 ? String.valueOf(Math.round(vy)) : Charts.number(vy));
    }
    svg.text(LEFT + W / 2.0, TOP + H + 36, "middle", xTitle);
    svg.text(LEFT + 4, TOP + 10, "start", yTitle);
    return svg;
  }

  private static double x(double v, double lo, double hi) {
    return LEFT + (v - lo) / (hi - lo) * W;
  }

  private static double y(double v, double lo, double hi) {
    return TOP + H - (v - lo) / (hi - lo) * H;
  }
}
