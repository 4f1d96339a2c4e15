package io.trustlens.report;

import java.util.List;
import java.util.Map;

/** Charts of the data tasks: histograms and grouped bars with axes, ticks and a legend. */
public final class DataCharts {
  private static final String[] SERIES = {"#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df"};
  private static final String GREY = "#8c959f";

  private DataCharts() {}

  /**
   * A histogram: one bar per bin over {@code edges}, the rows on the y axis (ticks at 0, half and
   * the largest count), the edges' first, middle and last values on the x axis.
   */
  public static String histogram(String xTitle, double[] edges, long[] counts) {
    int left = 56;
    int top = 22;
    int w = 300;
    int h = 120;
    Svg svg = new Svg(left + w + 44, top + h + 46);
    long most = 1;
    for (long c : counts) {
      most = Math.max(most, c);
    }
    double bar = (double) w / counts.length;
    for (int i = 0; i < counts.length; i++) {
      double height = (double) counts[i] / most * h;
      svg.rect(left + i * bar + 0.5, top + h - height, Math.max(0.5, bar - 1), height, SERIES[0]);
    }
    svg.line(left, top + h, left + w, top + h, GREY);
    svg.line(left, top, left, top + h, GREY);
    for (long tick : new long[] {0, most / 2, most}) {
      double y = top + h - (double) tick / most * h;
      svg.line(left - 4, y, left, y, GREY);
      svg.text(left - 6, y + 4, "end", String.valueOf(tick));
    }
    int n = edges.length - 1;
    for (int i : new int[] {0, n / 2, n}) {
      double x = left + (double) i / n * w;
      svg.line(x, top + h, x, top + h + 4, GREY);
      svg.text(x, top + h + 16, "middle", tick(edges[i]));
    }
    svg.text(left + w / 2.0, top + h + 34, "middle", xTitle);
    svg.text(left, 12, "middle", "rows");
    return svg.end();
  }

  /** Horizontal bars of one series, with a value axis from 0 to the largest value. */
  public static String bars(List<String> labels, double[] values, String series, String axisTitle) {
    double max = 0;
    for (double v : values) {
      max = Math.max(max, Double.isNaN(v) ? 0 : v);
    }
    return groupedBars(labels, Map.of(series, values), axisTitle, max == 0 ? 1 : max);
  }

  /** A tick label: four significant digits, no trailing zeros. */
  static String tick(double v) {
    String s = String.format(java.util.Locale.ROOT, "%.4g", v);
    if (s.contains("e")) {
      return s;
    }
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  /**
   * Horizontal bars in groups: for each label one bar per series (NaN: no bar), a value axis from 0
   * to {@code max} with ticks, and a legend of the series.
   */
  public static String groupedBars(
      List<String> labels, Map<String, double[]> series, String axisTitle, double max) {
    int left = 200;
    int w = 340;
    int bar = 11;
    int k = series.size();
    int group = k * bar + 8;
    int top = 8 + 18 * k;
    Svg svg = new Svg(left + w + 80, top + group * labels.size() + 40);
    int s = 0;
    for (String name : series.keySet()) {
      svg.rect(left, 4 + 18 * s, 10, 10, SERIES[s % SERIES.length]);
      svg.text(left + 14, 13 + 18 * s, "start", name);
      s++;
    }
    double scale = max > 0 ? w / max : 0;
    for (int i = 0; i < labels.size(); i++) {
      double y = top + i * group;
      svg.text(left - 6, y + group / 2.0 + 2, "end", labels.get(i));
      s = 0;
      for (double[] values : series.values()) {
        double v = values[i];
        if (!Double.isNaN(v)) {
          double length = Math.max(0, Math.min(v, max)) * scale;
          svg.rect(left, y + s * bar, length, bar - 2, SERIES[s % SERIES.length]);
          svg.text(left + length + 4, y + s * bar + 9, "start", tick(v));
        }
        s++;
      }
    }
    double axis = top + group * labels.size() + 4;
    svg.line(left, axis, left + w, axis, GREY);
    for (int t = 0; t <= 4; t++) {
      double x = left + t * w / 4.0;
      svg.line(x, axis, x, axis + 4, GREY);
      svg.text(x, axis + 16, "middle", tick(max * t / 4));
    }
    svg.text(left + w / 2.0, axis + 32, "middle", axisTitle);
    return svg.end();
  }
}
