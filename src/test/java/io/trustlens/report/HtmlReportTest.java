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
        .table(List.of(evil), List.of(List.of(evil)));
    String html = r.render();
    assertFalse(html.contains("<script>"), html);
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
  }

  @Test
  void pageIsSelfContained() {
    HtmlReport r = new HtmlReport("t");
    r.section("s").table(List.of("a", "b"), List.of(List.of(1.5, "x")));
    String html = r.render();
    assertFalse(html.contains("src="), "no external images or scripts");
    assertFalse(html.contains("href="), "no external stylesheets or links");
    assertFalse(html.contains("<script"), "no scripts");
    assertTrue(html.contains("<td class=\"num\">1.5000</td>"));
  }
}
