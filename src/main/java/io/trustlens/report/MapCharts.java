package io.trustlens.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Charts of the dataset maps as inline SVG: a scree plot, a PCA biplot, and a scatter plot that
 * encodes up to five dimensions (x, y, colour, size and marker shape).
 */
public final class MapCharts {
  private static final String[] PALETTE = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf"
  };
  private static final String[] SHAPES = {
    "circle", "square", "triangle", "diamond", "cross", "wedge"
  };

  private MapCharts() {}

  /**
   * One encoded dimension of a scatter plot: numbers (a colour ramp or sizes) or categories (a
   * palette or marker shapes).
   */
  public record Encoding(String name, double[] numbers, String[] categories) {
    public static Encoding numeric(String name, double[] values) {
      return new Encoding(name, values, null);
    }

    public static Encoding categorical(String name, String[] values) {
      return new Encoding(name, null, values);
    }
  }

  /**
   * Bars of each component's share of variance, with the running total as a line, on a share axis
   * from 0 to 1 with ticks.
   */
  public static String scree(double[] ratios) {
    int w = 420;
    int h = 200;
    int left = 48;
    int top = 22;
    Svg svg = new Svg(left + w + 20, top + h + 44);
    int n = ratios.length;
    double bar = (double) w / Math.max(1, n);
    String grey = "#8c959f";
    svg.line(left, top + h, left + w, top + h, grey);
    svg.line(left, top, left, top + h, grey);
    for (int i = 0; i <= 5; i++) {
      double y = top + h - i / 5.0 * h;
      svg.line(left - 4, y, left, y, grey);
      svg.text(left - 6, y + 4, "end", DataCharts.tick(i / 5.0));
    }
    StringBuilder line = new StringBuilder();
    double total = 0;
    for (int j = 0; j < n; j++) {
      double x = left + j * bar;
      svg.rect(x + 2, top + h - ratios[j] * h, Math.max(1, bar - 4), ratios[j] * h, "#1f6feb");
      total += ratios[j];
      line.append(j == 0 ? "M" : " L")
          .append(Svg.f(x + bar / 2))
          .append(' ')
          .append(Svg.f(top + h - total * h));
      svg.text(x + bar / 2, top + h + 14, "middle", "PC" + (j + 1));
    }
    svg.path(line.toString(), "#d1242f", 2);
    svg.text(4, 12, "start", "share of variance: each component (bars), cumulative (line)");
    svg.text(
        left + w / 2.0,
        top + h + 32,
        "middle",
        "first " + n + " components: " + Charts.number(total));
    return svg.end();
  }

  /**
   * A biplot: rows' scores on two components as dots on axes with ticks, and the features with the
   * largest loadings as arrows from the origin (scaled to the scores' range), their labels moved
   * apart where they would overlap.
   */
  public static String biplot(
      String xLabel,
      String yLabel,
      double[] x,
      double[] y,
      List<String> features,
      double[] loadX,
      double[] loadY) {
    int w = 420;
    int h = 320;
    int left = 56;
    int top = 22;
    Svg svg = new Svg(left + w + 40, top + h + 48);
    double range = 1e-12;
    for (int i = 0; i < x.length; i++) {
      range = Math.max(range, Math.max(Math.abs(x[i]), Math.abs(y[i])));
    }
    double arrows = 1e-12;
    for (int i = 0; i < loadX.length; i++) {
      arrows = Math.max(arrows, Math.hypot(loadX[i], loadY[i]));
    }
    double cx = left + w / 2.0;
    double cy = top + h / 2.0;
    double s = (Math.min(w, h) / 2.0 - 10) / range;
    String grey = "#8c959f";
    svg.line(left, top + h, left + w, top + h, grey);
    svg.line(left, top, left, top + h, grey);
    svg.line(left, cy, left + w, cy, "#d0d7de");
    svg.line(cx, top, cx, top + h, "#d0d7de");
    for (double t : Charts.ticks(-range, range, 6)) {
      double tx = cx + t * s;
      double ty = cy - t * s;
      if (tx >= left && tx <= left + w) {
        svg.line(tx, top + h, tx, top + h + 4, grey);
        svg.text(tx, top + h + 16, "middle", DataCharts.tick(t));
      }
      if (ty >= top && ty <= top + h) {
        svg.line(left - 4, ty, left, ty, grey);
        svg.text(left - 6, ty + 4, "end", DataCharts.tick(t));
      }
    }
    for (int i = 0; i < x.length; i++) {
      svg.dot(cx + x[i] * s, cy - y[i] * s, 1.8, grey);
    }
    double a = (Math.min(w, h) / 2.0 - 30) / arrows;
    List<double[]> placed = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      double ex = cx + loadX[i] * a;
      double ey = cy - loadY[i] * a;
      svg.path(
          "M" + Svg.f(cx) + " " + Svg.f(cy) + " L" + Svg.f(ex) + " " + Svg.f(ey), "#d1242f", 1.5);
      double half = 3.3 * features.get(i).length();
      double ly = ey + (loadY[i] >= 0 ? -4 : 12);
      double step = loadY[i] >= 0 ? -13 : 13;
      for (int tries = 0;
          tries < 8 && overlaps(placed, ex - half, ly - 11, ex + half, ly);
          tries++) {
        ly += step;
      }
      placed.add(new double[] {ex - half, ly - 11, ex + half, ly});
      svg.text(ex, ly, "middle", features.get(i));
    }
    svg.text(left + w / 2.0, top + h + 36, "middle", xLabel + " (arrows: loadings, scaled)");
    svg.text(4, 12, "start", yLabel);
    return svg.end();
  }

  /** Whether the box {@code (x0, y0)-(x1, y1)} overlaps any of {@code boxes}. */
  private static boolean overlaps(
      List<double[]> boxes, double x0, double y0, double x1, double y1) {
    for (double[] b : boxes) {
      if (x0 < b[2] && b[0] < x1 && y0 < b[3] && b[1] < y1) {
        return true;
      }
    }
    return false;
  }

  /**
   * A scatter plot of {@code y} against {@code x} with up to three more encodings (any may be
   * null), and a legend for each. Numeric colour runs blue (low) to red (high); categorical colour
   * uses ten hues and groups the rest as "other"; size runs from 1.5 to 6 px; shapes are six
   * markers, the rest drawn as circles under "other".
   */
  public static String map(
      String xLabel,
      String yLabel,
      double[] x,
      double[] y,
      Encoding colour,
      Encoding size,
      Encoding shape) {
    int w = 460;
    int h = 360;
    int pad = 56;
    int top = 22;
    int legend = 190;
    Svg svg = new Svg(w + pad + legend, top + h + 48);
    double[] xt = Charts.ticks(Charts.min(x), Charts.max(x), 6);
    double[] yt = Charts.ticks(Charts.min(y), Charts.max(y), 6);
    double x0 = Math.min(Charts.min(x), xt[0]);
    double x1 = Math.max(Charts.max(x), xt[xt.length - 1]);
    double y0 = Math.min(Charts.min(y), yt[0]);
    double y1 = Math.max(Charts.max(y), yt[yt.length - 1]);
    java.util.function.DoubleUnaryOperator toX =
        v -> pad + (x1 == x0 ? w / 2.0 : (v - x0) / (x1 - x0) * w);
    java.util.function.DoubleUnaryOperator toY =
        v -> top + h - (y1 == y0 ? h / 2.0 : (v - y0) / (y1 - y0) * h);
    svg.line(pad, top + h, pad + w, top + h, "#8c959f");
    svg.line(pad, top, pad, top + h, "#8c959f");
    for (double t : xt) {
      svg.line(toX.applyAsDouble(t), top + h, toX.applyAsDouble(t), top + h + 4, "#8c959f");
      svg.text(toX.applyAsDouble(t), top + h + 16, "middle", DataCharts.tick(t));
    }
    for (double t : yt) {
      svg.line(pad - 4, toY.applyAsDouble(t), pad, toY.applyAsDouble(t), "#8c959f");
      svg.text(pad - 6, toY.applyAsDouble(t) + 4, "end", DataCharts.tick(t));
    }
    Map<String, Integer> colourIndex =
        colour != null && colour.categories() != null
            ? index(colour.categories(), PALETTE.length)
            : null;
    // With more categories than markers, circles are kept for "other".
    boolean shapesOverflow = shape != null && distinct(shape.categories()) > SHAPES.length;
    Map<String, Integer> shapeIndex =
        shape != null ? index(shape.categories(), SHAPES.length - (shapesOverflow ? 1 : 0)) : null;
    if (shapesOverflow) {
      shapeIndex.replaceAll((key, value) -> value + 1);
    }
    double c0 = colour != null && colour.numbers() != null ? Charts.min(colour.numbers()) : 0;
    double c1 = colour != null && colour.numbers() != null ? Charts.max(colour.numbers()) : 1;
    double s0 = size != null ? Charts.min(size.numbers()) : 0;
    double s1 = size != null ? Charts.max(size.numbers()) : 1;
    for (int i = 0; i < x.length; i++) {
      double px = toX.applyAsDouble(x[i]);
      double py = toY.applyAsDouble(y[i]);
      String fill = "#1f6feb";
      if (colourIndex != null) {
        Integer c = colourIndex.get(colour.categories()[i]);
        fill = c == null ? "#8c959f" : PALETTE[c];
      } else if (colour != null) {
        fill = Charts.colour(c1 == c0 ? 0.5 : (colour.numbers()[i] - c0) / (c1 - c0));
      }
      double r =
          size == null ? 2.4 : 1.5 + 4.5 * (s1 == s0 ? 0.5 : (size.numbers()[i] - s0) / (s1 - s0));
      int kind = 0;
      if (shapeIndex != null) {
        Integer k = shapeIndex.get(shape.categories()[i]);
        kind = k == null ? 0 : k;
      }
      svg.shape(px, py, r, kind, fill);
    }
    svg.text(pad + w / 2.0, top + h + 36, "middle", xLabel);
    svg.text(4, 12, "start", yLabel);
    double lx = pad + w + 20;
    double ly = top + 14;
    if (colour != null) {
      svg.text(lx, ly, "start", "colour: " + colour.name());
      ly += 16;
      if (colourIndex != null) {
        for (Map.Entry<String, Integer> e : colourIndex.entrySet()) {
          svg.dot(lx + 5, ly - 4, 4, PALETTE[e.getValue()]);
          svg.text(lx + 14, ly, "start", e.getKey());
          ly += 15;
        }
        if (colourIndex.size() < distinct(colour.categories())) {
          svg.dot(lx + 5, ly - 4, 4, "#8c959f");
          svg.text(lx + 14, ly, "start", "other");
          ly += 15;
        }
      } else {
        svg.dot(lx + 5, ly - 4, 4, Charts.colour(0));
        svg.text(lx + 14, ly, "start", "low " + Charts.number(c0));
        ly += 15;
        svg.dot(lx + 5, ly - 4, 4, Charts.colour(1));
        svg.text(lx + 14, ly, "start", "high " + Charts.number(c1));
        ly += 15;
      }
      ly += 6;
    }
    if (size != null) {
      svg.text(lx, ly, "start", "size: " + size.name());
      ly += 16;
      svg.dot(lx + 5, ly - 4, 1.5, "#57606a");
      svg.text(lx + 14, ly, "start", Charts.number(s0));
      ly += 15;
      svg.dot(lx + 5, ly - 4, 6, "#57606a");
      svg.text(lx + 14, ly, "start", Charts.number(s1));
      ly += 21;
    }
    if (shapeIndex != null) {
      svg.text(lx, ly, "start", "shape: " + shape.name());
      ly += 16;
      for (Map.Entry<String, Integer> e : shapeIndex.entrySet()) {
        svg.shape(lx + 5, ly - 4, 4, e.getValue(), "#57606a");
        svg.text(lx + 14, ly, "start", e.getKey() + " (" + SHAPES[e.getValue()] + ")");
        ly += 15;
      }
      if (shapeIndex.size() < distinct(shape.categories())) {
        svg.text(lx + 14, ly, "start", "other (circle)");
      }
    }
    return svg.end();
  }

  /** The most frequent {@code limit} categories, most frequent first (ties by name). */
  private static Map<String, Integer> index(String[] values, int limit) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String v : values) {
      counts.merge(v, 1, Integer::sum);
    }
    List<String> names = new ArrayList<>(counts.keySet());
    if (names.size() <= limit) {
      names.sort(MapCharts::natural);
    } else {
      names.sort(
          (a, b) ->
              counts.get(b).equals(counts.get(a)) ? a.compareTo(b) : counts.get(b) - counts.get(a));
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (String n : names.subList(0, Math.min(limit, names.size()))) {
      index.put(n, index.size());
    }
    return index;
  }

  /** Numbers by value, then text. */
  private static int natural(String a, String b) {
    try {
      return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
    } catch (NumberFormatException | NullPointerException e) {
      return String.valueOf(a).compareTo(String.valueOf(b));
    }
  }

  private static int distinct(String[] values) {
    return (int) java.util.Arrays.stream(values).distinct().count();
  }
}
