package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.HeadlessChromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo audit's report and a report of a column named like a script, opened in headless Chromium
 * (installed by {@code .ci/run}): no console errors, no requests beyond the page itself, every
 * section present, every figure drawn with a non-empty size, tables sorted by a click on a header,
 * the script shown as text.
 */
class ReportInBrowserTest {
  private static final String LOOK =
      "JSON.stringify({h2: [...document.querySelectorAll('h2')].map(h => h.textContent),"
          + " figures: [...document.querySelectorAll('figure svg')].map(s => {"
          + " const r = s.getBoundingClientRect(); return [r.width, r.height]; }),"
          + " text: document.body.textContent})";

  /** Clicks the header of the first numeric column holding 3+ distinct values, twice. */
  private static final String SORT =
      "(() => { const col = (t, i) => [...t.rows].slice(1)"
          + ".map(r => parseFloat(r.cells[i] ? r.cells[i].textContent : 'x'))"
          + ".filter(v => !isNaN(v));"
          + " for (const t of document.querySelectorAll('table.sortable')) {"
          + " for (let i = 0; i < t.rows[0].cells.length; i++) {"
          + " if (!t.rows[1].cells[i] || !t.rows[1].cells[i].classList.contains('num')) continue;"
          + " if (new Set(col(t, i)).size < 3) continue;"
          + " const h = t.rows[0].cells[i]; h.click(); const up = col(t, i);"
          + " h.click(); const down = col(t, i);"
          + " return JSON.stringify({up, down, header: h.getAttribute('aria-sort')}); } }"
          + " return JSON.stringify({up: [], down: [], header: ''}); })()";

  @TempDir Path dir;

  @Test
  void reportsOpenCleanlyInARealBrowser() throws Exception {
    Path browser = HeadlessChromium.find();
    Assumptions.assumeTrue(
        browser != null,
        "no Chromium: .ci/run installs Debian's chromium; apt-get install chromium");
    Path demo = dir.resolve("demo");
    Cli audit = Cli.run("audit", "conf/demo.yaml", "--output", demo.toString());
    assertEquals(0, audit.exitCode(), audit.errors());
    String evil = "<script>alert(1)</script>";
    Path csv = dir.resolve("evil.csv");
    Files.write(csv, List.of("id," + evil + ",x", "1,2,3", "2,5,6", "3,7,1"));
    Path profile = dir.resolve("evil");
    Cli p = Cli.run("profile", "--input", csv.toString(), "--output", profile.toString());
    assertEquals(0, p.exitCode(), p.errors());

    try (HeadlessChromium chromium = new HeadlessChromium(browser)) {
      JsonNode page = look(chromium, demo.resolve("report.html"));
      List<String> sections = new ArrayList<>();
      page.get("h2").forEach(h -> sections.add(h.asText()));
      assertEquals("Thresholds", sections.get(0), "the checks first: " + sections);
      for (String s : List.of("Run", "Profile: profile", "Score: predictions")) {
        assertTrue(sections.contains(s), s + " in " + sections);
      }
      assertTrue(sections.stream().anyMatch(s -> s.startsWith("Explain")), sections.toString());
      assertTrue(page.get("figures").size() >= 10, "figures: " + page.get("figures"));
      for (JsonNode size : page.get("figures")) {
        assertTrue(size.get(0).asDouble() > 0 && size.get(1).asDouble() > 0, "size " + size);
      }
      JsonNode sorted = new ObjectMapper().readTree(chromium.evaluate(SORT).asText());
      List<Double> up = new ArrayList<>();
      List<Double> down = new ArrayList<>();
      sorted.get("up").forEach(v -> up.add(v.asDouble()));
      sorted.get("down").forEach(v -> down.add(v.asDouble()));
      assertTrue(new java.util.HashSet<>(up).size() >= 3, "a numeric column: " + sorted);
      List<Double> ascending = new ArrayList<>(up);
      ascending.sort(null);
      assertEquals(ascending, up, "one click sorts ascending");
      List<Double> descending = new ArrayList<>(ascending);
      java.util.Collections.reverse(descending);
      assertEquals(descending, down, "a second click descending");
      assertEquals("descending", sorted.get("header").asText());
      JsonNode evilPage = look(chromium, profile.resolve("report.html"));
      assertTrue(evilPage.get("text").asText().contains(evil), "the column's name shown as text");
      assertEquals(List.of(), chromium.problems(), "console errors, exceptions or dialogs");
      for (String url : chromium.requests()) {
        assertTrue(url.startsWith("file:"), "a request beyond the page: " + url);
      }
      assertTrue(
          chromium.requests().stream().anyMatch(u -> u.endsWith("/report.html")),
          "requests are seen: " + chromium.requests());
      chromium.evaluate("console.error('probe'); 1");
      assertTrue(
          chromium.problems().stream().anyMatch(x -> x.contains("probe")),
          "console errors are seen: " + chromium.problems());
    }
  }

  private static JsonNode look(HeadlessChromium chromium, Path report) throws Exception {
    chromium.open(report);
    return new ObjectMapper().readTree(chromium.evaluate(LOOK).asText());
  }
}
