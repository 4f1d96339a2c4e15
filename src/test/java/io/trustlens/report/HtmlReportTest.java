package io.trustlens.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

  @Test
  void dataStringsAreEscapedEverywhere() {
    String evil = "<script>alert('x')</script>&\"";
    HtmlReport r = new HtmlReport(evil);
    r.section(evil)
        .paragraph(evil, null)
        .keyValues(Map.of(evil, evil))
        .table(List.of(evil), List.of(List.of(evil), List.of(evil)));
    String html = r.render();
    assertFalse(html.contains("<script>alert"), html);
    assertTrue(onlyTheSorter(html), html);
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
  }

  @Test
  void pageIsSelfContained() {
    HtmlReport r = new HtmlReport("t");
    r.section("s").table(List.of("a", "b"), List.of(List.of(1.5, "x")));
    String html = r.render();
    assertFalse(html.contains("src="), "no external images or scripts");
    assertFalse(html.contains("href="), "no external stylesheets or links");
    assertFalse(html.contains("<script"), "no script for a table of one row");
    assertTrue(html.contains("<td class=\"num\">1.5000</td>"));
    r.section("two rows").table(List.of("a"), List.of(List.of(1), List.of(2)));
    String sortable = r.render();
    assertTrue(onlyTheSorter(sortable), "one inline script, the sorter, and nothing else");
    assertFalse(sortable.contains("src="));
  }

  /** Whether the page's only script is the inline table sorter. */
  private static boolean onlyTheSorter(String html) {
    int at = html.indexOf("<script");
    return at >= 0
        && at == html.lastIndexOf("<script")
        && html.startsWith("<script>" + HtmlReport.SORT_SCRIPT + "</script>", at);
  }

  @Test
  void longTablesShowTheirFirstRowsAndSaySoAndVerdictsAreColoured() {
    HtmlReport r = new HtmlReport("t");
    List<List<Object>> rows = new java.util.ArrayList<>();
    for (int i = 0; i < HtmlReport.MAX_ROWS + 20; i++) {
      rows.add(List.of("row" + i, new HtmlReport.Verdict(i % 2 == 0)));
    }
    r.section("s").table(List.of("a", "b"), rows);
    String html = r.render();
    assertTrue(html.contains(">row" + (HtmlReport.MAX_ROWS - 1) + "<"));
    assertFalse(html.contains(">row" + HtmlReport.MAX_ROWS + "<"));
    assertTrue(html.contains("The first 500 of 520 rows"), "the page says so");
    assertTrue(html.contains("<table class=\"sortable\">"), "sorted by a click on a header");
    assertTrue(html.contains("<td class=\"ok\">passed</td>"));
    assertTrue(html.contains("<td class=\"fail\">BROKEN</td>"));
    assertTrue(html.contains("<div class=\"wide\"><table"), "wide tables scroll in their box");
  }
}
