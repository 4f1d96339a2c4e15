package io.trustlens.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Word attributions over a text, as HTML: each token on a background from blue (negative) through
 * white to red (positive), scaled to the largest |value| of the row, with the value in its title; a
 * legend gives the scale and the unit. Every word is escaped.
 */
public final class TextMaps {
  private TextMaps() {}

  /**
   * One row's text.
   *
   * @param tokens the text's tokens in order
   * @param values each word's value; a token without one is left plain
   * @param unit what the values are, for the legend
   */
  public static String highlight(List<String> tokens, Map<String, Double> values, String unit) {
    double max = 0;
    for (double v : values.values()) {
      max = Math.max(max, Math.abs(v));
    }
    StringBuilder html = new StringBuilder("<p class=\"words\">");
    for (String token : tokens) {
      Double v = values.get(token);
      if (v == null || max == 0) {
        html.append(HtmlReport.escape(token));
      } else {
        double t = v / max;
        int fade = (int) Math.round(255 * (1 - Math.abs(t)));
        String colour =
            t >= 0
                ? String.format(Locale.ROOT, "#ff%02x%02x", fade, fade)
                : String.format(Locale.ROOT, "#%02x%02xff", fade, fade);
        html.append("<span style=\"background:")
            .append(colour)
            .append("\" title=\"")
            .append(HtmlReport.escape(String.format(Locale.ROOT, "%.4g", v)))
            .append("\">")
            .append(HtmlReport.escape(token))
            .append("</span>");
      }
      html.append(' ');
    }
    html.append("</p>\n<p class=\"note\">")
        .append(
            HtmlReport.escape(
                String.format(
                    Locale.ROOT, "red: up to %+.4g, blue: down to %+.4g (%s)", max, -max, unit)))
        .append("</p>\n");
    return html.toString();
  }
}
