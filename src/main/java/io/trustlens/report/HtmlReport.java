package io.trustlens.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML report: inline CSS and one inline script (click a column's header to sort a
 * table; the page reads the same without it), nothing from elsewhere (no fonts, images or scripts),
 * so that it opens offline and inside a notebook's {@code displayHTML}. Every data string is
 * escaped.
 */
public final class HtmlReport {
  private static final String STYLE =
      "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;"
          + "color:#1b1f24;max-width:72rem}h1{font-size:1.6rem}h2{font-size:1.25rem;"
          + "border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2rem}"
          + "table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #d0d7de;"
          + "padding:.25rem .6rem;text-align:left;font-size:.9rem}th{background:#f6f8fa}"
          + "td.num{text-align:right;font-variant-numeric:tabular-nums}"
          + ".fail{color:#b42318;font-weight:600}.ok{color:#067647}p.note{color:#57606a}"
          + "div.wide{overflow-x:auto;max-width:100%}td.fail{background:#fef3f2}"
          + "td.ok{background:#ecfdf3}table.sortable th{cursor:pointer}"
          + "th[aria-sort=ascending]::after{content:' \\25B2'}"
          + "th[aria-sort=descending]::after{content:' \\25BC'}";

  /**
   * Sorts a table by the clicked header's column: numbers (cells of class num) by value, with NaN
   * and blanks last, other cells as text; a second click reverses. The header row stays first.
   */
  static final String SORT_SCRIPT =
      "function tlKey(c){var t=c.textContent.trim();if(!c.classList.contains('num'))return t;"
          + "var v=parseFloat(t);return isNaN(v)?null:v}"
          + "function tlSort(t,i,h){var up=h.getAttribute('aria-sort')!=='ascending';"
          + "for(var c of t.rows[0].cells)c.removeAttribute('aria-sort');"
          + "h.setAttribute('aria-sort',up?'ascending':'descending');"
          + "var rows=Array.prototype.slice.call(t.rows,1);rows.sort(function(a,b){"
          + "var x=tlKey(a.cells[i]),y=tlKey(b.cells[i]);if(x===y)return 0;"
          + "if(x===null)return 1;if(y===null)return -1;"
          + "var d=typeof x==='number'&&typeof y==='number'?x-y:String(x).localeCompare(String(y));"
          + "return up?d:-d});var body=t.tBodies[0];rows.forEach(function(r){body.appendChild(r)})}"
          + "document.querySelectorAll('table.sortable').forEach(function(t){"
          + "Array.prototype.forEach.call(t.rows[0].cells,function(h,i){h.tabIndex=0;"
          + "h.title='Sort by this column';h.addEventListener('click',function(){tlSort(t,i,h)});"
          + "h.addEventListener('keydown',function(e){if(e.key==='Enter')tlSort(t,i,h)})})});";

  /** Rows a report table shows; a longer table's first rows are shown and the page says so. */
  public static final int MAX_ROWS = 500;

  /** A check's verdict in a table: green "passed" or red "BROKEN". */
  public record Verdict(boolean passed) {}

  private final String title;
  private final List<Section> sections = new ArrayList<>();

  /** A report with {@code title}. */
  public HtmlReport(String title) {
    this.title = title;
  }

  /** Adds a section with {@code heading} and returns it to fill. */
  public Section section(String heading) {
    Section s = new Section(heading);
    sections.add(s);
    return s;
  }

  /** Adds a section before every other (what a reader must see first, such as thresholds). */
  public Section sectionFirst(String heading) {
    Section s = new Section(heading);
    sections.add(0, s);
    return s;
  }

  /** Adds {@code other}'s sections after this report's, in their order. */
  public void append(HtmlReport other) {
    sections.addAll(other.sections);
  }

  /** The whole page. */
  public String render() {
    StringBuilder html = new StringBuilder(4096);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        .append("<title>")
        .append(escape(title))
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>\n<h1>")
        .append(escape(title))
        .append("</h1>\n");
    boolean sortable = false;
    for (Section s : sections) {
      html.append("<section>\n<h2>").append(escape(s.heading)).append("</h2>\n");
      html.append(s.body);
      html.append("</section>\n");
      sortable |= s.sortable;
    }
    if (sortable) {
      html.append("<script>").append(SORT_SCRIPT).append("</script>\n");
    }
    return html.append("</body></html>\n").toString();
  }

  /** Escapes text for HTML content and attribute values. */
  public static String escape(Object value) {
    String text = String.valueOf(value);
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** One section of the report, filled in order. */
  public static final class Section {
    private final String heading;
    private final StringBuilder body = new StringBuilder();
    private boolean sortable;

    private Section(String heading) {
      this.heading = heading;
    }

    /** A paragraph of text; {@code css} is a class name such as {@code note}, or null. */
    public Section paragraph(String text, String css) {
      body.append(css == null ? "<p>" : "<p class=\"" + escape(css) + "\">")
          .append(escape(text))
          .append("</p>\n");
      return this;
    }

    /** A two-column table of names and values. */
    public Section keyValues(Map<String, ?> values) {
      body.append("<table>\n");
      values.forEach(
          (k, v) ->
              body.append("<tr><th>")
                  .append(escape(k))
                  .append("</th>")
                  .append(cell(v))
                  .append("</tr>\n"));
      body.append("</table>\n");
      return this;
    }

    /**
     * A table with a header row, sorted by a click on a header; numbers are right-aligned; wide
     * tables scroll inside their box; a table of more than {@link #MAX_ROWS} rows shows its first
     * rows and says so.
     */
    public Section table(List<String> header, List<List<Object>> rows) {
      sortable |= rows.size() > 1;
      body.append("<div class=\"wide\"><table class=\"sortable\">\n<tr>");
      header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
      body.append("</tr>\n");
      for (List<Object> row : rows.subList(0, Math.min(MAX_ROWS, rows.size()))) {
        body.append("<tr>");
        row.forEach(v -> body.append(cell(v)));
        body.append("</tr>\n");
      }
      body.append("</table></div>\n");
      if (rows.size() > MAX_ROWS) {
        paragraph(
            "The first "
                + MAX_ROWS
                + " of "
                + rows.size()
                + " rows (sorting sorts these); the output table has all.",
            "note");
      }
      return this;
    }

    /** A figure: an inline SVG chart from {@link Charts} under an escaped caption. */
    public Section figure(String caption, String svg) {
      body.append("<figure><figcaption>")
          .append(escape(caption))
          .append("</figcaption>\n")
          .append(svg)
          .append("</figure>\n");
      return this;
    }

    private static String cell(Object v) {
      if (v instanceof Verdict verdict) {
        return verdict.passed() ? "<td class=\"ok\">passed</td>" : "<td class=\"fail\">BROKEN</td>";
      }
      if (v instanceof Double d) {
        return "<td class=\"num\">" + escape(format(d)) + "</td>";
      }
      if (v instanceof Number n) {
        return "<td class=\"num\">" + escape(n) + "</td>";
      }
      return "<td>" + escape(v == null ? "" : v) + "</td>";
    }

    private static String format(double d) {
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return String.valueOf(d);
      }
      return Math.abs(d) >= 1e6 || (Math.abs(d) < 1e-3 && d != 0)
          ? String.format(java.util.Locale.ROOT, "%.4e", d)
          : String.format(java.util.Locale.ROOT, "%.4f", d);
    }
  }
}
