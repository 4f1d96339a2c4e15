package io.trustlens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataChartsTest {

  @Test
  void histogramsHaveTicksOnBothAxesAndOneBarPerBin() {
    String svg = DataCharts.histogram("age", new double[] {18, 30, 42, 54}, new long[] {5, 10, 2});
    assertEquals(3, svg.split("<rect").length - 1, "one bar per bin");
    for (String tick : List.of(">0<", ">5<", ">10<", ">18<", ">30<", ">54<", ">age<", ">rows<")) {
      assertTrue(svg.contains(tick), tick + " in " + svg);
    }
  }

  @Test
  void barsEscapeLabelsAndDrawAnAxisWithItsTitle() {
    String svg =
        DataCharts.groupedBars(
            List.of("<script>", "b"),
            Map.of("rate", new double[] {0.5, Double.NaN}),
            "share of rows",
            1.0);
    assertTrue(svg.contains("&lt;script&gt;"));
    assertFalse(svg.contains("<script>"));
    assertTrue(svg.contains(">share of rows<") && svg.contains(">0.5<") && svg.contains(">1<"));
    assertEquals("0.001235", DataCharts.tick(0.0012345));
    assertEquals("1.235e+06", DataCharts.tick(1234567));
  }
}
