package io.trustlens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Axes a reader can read: round ticks covering the data, titles, legends, escaped labels. */
class ChartsTest {

  @Test
  void ticksAreRoundStepsThatCoverTheRange() {
    double[][] ranges = {{-0.8814, 0.8814}, {8.5, 229}, {0, 1}, {-3e-5, 7e-5}, {1995, 2026}};
    for (double[] r : ranges) {
      double[] t = Charts.ticks(r[0], r[1], 5);
      assertTrue(t.length >= 3 && t.length <= 12, r[0] + ".." + r[1] + ": " + t.length);
      assertTrue(t[0] <= r[0] && t[t.length - 1] >= r[1], "covers " + r[0] + ".." + r[1]);
      double step = t[1] - t[0];
      double mantissa = step / Math.pow(10, Math.floor(Math.log10(step)));
      assertTrue(
          List.of(1L, 2L, 5L, 10L).contains(Math.round(mantissa)),
          "a 1-2-5 step: " + step + " for " + r[0] + ".." + r[1]);
      for (int i = 1; i < t.length; i++) {
        assertEquals(step, t[i] - t[i - 1], step * 1e-9);
      }
    }
    assertEquals(1, Charts.ticks(3, 3, 5).length, "one value: one tick");
  }

  @Test
  void scatterAndStripsDrawTickedAxesWithTitles() {
    String scatter =
        Charts.scatter(
            "income",
            "Shapley value (margin)",
            new double[] {8.5, 120, 229},
            new double[] {-1, 0, 1});
    for (String label : List.of(">0<", ">100<", ">200<", ">-1<", ">1<", ">income<")) {
      assertTrue(scatter.contains(label), label + " in " + scatter);
    }
    assertTrue(scatter.contains("Shapley value (margin)"));
    String strips =
        Charts.strips(
            "region",
            List.of("east", "<b>"),
            "Shapley value (probability)",
            List.of(new double[] {-0.3, -0.2}, new double[] {0.4}));
    assertTrue(strips.contains(">east<") && strips.contains("&lt;b&gt;"), strips);
    assertFalse(strips.contains("<b>"));
    assertTrue(strips.contains(">0.4<"), "y ticks");
  }

  @Test
  void theBeeswarmHasAValueAxisAndAColourLegend() {
    String svg =
        Charts.beeswarm(
            List.of("a", "b"),
            new double[][] {{0.5, -0.2}, {-0.7, 0.1}},
            new double[][] {{0, 1}, {1, Double.NaN}},
            "Shapley value (log-odds)");
    assertTrue(svg.contains(">Shapley value (log-odds)<"));
    assertTrue(svg.contains(">feature value: low<") && svg.contains(">high<"));
    assertTrue(svg.contains(">no single value<"));
    assertTrue(svg.contains(">-0.4<") && svg.contains(">0.4<") && svg.contains(">0<"), svg);
  }

  @Test
  void coordinatesAndColoursAreWrittenAsFormatWouldWriteThem() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      double v = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-3, 9));
      String expected = String.format(java.util.Locale.ROOT, "%.1f", v);
      assertEquals(expected.equals("-0.0") ? "0.0" : expected, Svg.f(v), "v = " + v);
    }
    for (double v : new double[] {0.05, 0.25, -0.25, 1.05, 9.95, -9.95, 0, -0.0, -0.04, 1e15}) {
      String expected = String.format(java.util.Locale.ROOT, "%.1f", v);
      assertEquals(expected.equals("-0.0") ? "0.0" : expected, Svg.f(v), "v = " + v);
    }
    assertEquals("NaN", Svg.f(Double.NaN));
    for (double t = -0.5; t <= 1.5; t += 0.01) {
      double c = Math.max(0, Math.min(1, t));
      String expected =
          String.format(
              java.util.Locale.ROOT,
              "#%02x%02x%02x",
              Math.round(31 + c * (209 - 31)),
              Math.round(111 + c * (36 - 111)),
              Math.round(235 + c * (47 - 235)));
      assertEquals(expected, Charts.colour(t), "t = " + t);
    }
  }
}
