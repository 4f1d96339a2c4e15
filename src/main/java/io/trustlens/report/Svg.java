package io.trustlens.report;

import java.util.Locale;

/** A small SVG writer. */
final class Svg {
  private final StringBuilder out = new StringBuilder();

  Svg(double width, double height) {
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(f(width))
        .append("\" height=\"")
        .append(f(height))
        .append("\" role=\"img\" font-size=\"12\" font-family=\"sans-serif\">\n");
  }

  void text(double x, double y, String anchor, String text) {
    out.append("<text x=\"")
        .append(f(x))
        .append("\" y=\"")
        .append(f(y))
        .append("\" text-anchor=\"")
        .append(anchor)
        .append("\">")
        .append(HtmlReport.escape(text))
        .append("</text>\n");
  }

  void rect(double x, double y, double w, double h, String fill) {
    out.append("<rect x=\"")
        .append(f(x))
        .append("\" y=\"")
        .append(f(y))
        .append("\" width=\"")
        .append(f(w))
        .append("\" height=\"")
        .append(f(h))
        .append("\" fill=\"")
        .append(fill)
        .append("\"/>\n");
  }

  void dot(double x, double y, double r, String fill) {
    out.append("<circle cx=\"")
        .append(f(x))
        .append("\" cy=\"")
        .append(f(y))
        .append("\" r=\"")
        .append(f(r))
        .append("\" fill=\"")
        .append(fill)
        .append("\" fill-opacity=\"0.7\"/>\n");
  }

  void line(double x1, double y1, double x2, double y2, String stroke) {
    out.append("<line x1=\"")
        .append(f(x1))
        .append("\" y1=\"")
        .append(f(y1))
        .append("\" x2=\"")
        .append(f(x2))
        .append("\" y2=\"")
        .append(f(y2))
        .append("\" stroke=\"")
        .append(stroke)
        .append("\"/>\n");
  }

  void shape(double x, double y, double r, int kind, String fill) {
    switch (kind % 6) {
      case 1 -> rect(x - r, y - r, 2 * r, 2 * r, fill);
      case 2 -> polygon(fill, x, y - r * 1.2, x + r * 1.1, y + r * 0.8, x - r * 1.1, y + r * 0.8);
      case 3 -> polygon(fill, x, y - r * 1.3, x + r * 1.3, y, x, y + r * 1.3, x - r * 1.3, y);
      case 4 -> {
        polygon(
            fill,
            x - r,
            y - r * 0.35,
            x + r,
            y - r * 0.35,
            x + r,
            y + r * 0.35,
            x - r,
            y + r * 0.35);
        polygon(
            fill,
            x - r * 0.35,
            y - r,
            x + r * 0.35,
            y - r,
            x + r * 0.35,
            y + r,
            x - r * 0.35,
            y + r);
      }
      case 5 -> polygon(fill, x, y + r * 1.2, x + r * 1.1, y - r * 0.8, x - r * 1.1, y - r * 0.8);
      default -> dot(x, y, r, fill);
    }
  }

  void polygon(String fill, double... xy) {
    out.append("<polygon points=\"");
    for (int i = 0; i < xy.length; i += 2) {
      out.append(i == 0 ? "" : " ").append(f(xy[i])).append(',').append(f(xy[i + 1]));
    }
    out.append("\" fill=\"").append(fill).append("\" fill-opacity=\"0.75\"/>\n");
  }

  void path(String d, String stroke, double width) {
    out.append("<path d=\"")
        .append(d)
        .append("\" fill=\"none\" stroke=\"")
        .append(stroke)
        .append("\" stroke-width=\"")
        .append(f(width))
        .append("\"/>\n");
  }

  /** A raster picture, embedded as a PNG data URI, drawn pixel-sharp. */
  void image(double x, double y, double w, double h, String pngBase64) {
    out.append("<image x=\"")
        .append(f(x))
        .append("\" y=\"")
        .append(f(y))
        .append("\" width=\"")
        .append(f(w))
        .append("\" height=\"")
        .append(f(h))
        .append(
            "\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,")
        .append(pngBase64)
        .append("\"/>\n");
  }

  String end() {
    return out.append("</svg>").toString();
  }

  /**
   * {@code v} with one decimal, as {@code %.1f} writes it (half up), but never "-0.0"; without
   * {@link String#format}, which took a third of a second of a small command's figures.
   */
  static String f(double v) {
    if (!(Math.abs(v) < 1e15)) {
      return String.format(Locale.ROOT, "%.1f", v); // NaN, infinities, beyond a long's tenths
    }
    long tenths = Math.round(Math.abs(v) * 10);
    StringBuilder s = new StringBuilder(12);
    if (v < 0 && tenths != 0) {
      s.append('-');
    }
    return s.append(tenths / 10).append('.').append((char) ('0' + tenths % 10)).toString();
  }
}
