package io.trustlens.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A bench figure measured through Spark: the master it ran on and its case ({@code name}, with its
 * rows and partitions in parentheses at the end).
 */
record BenchFigure(String master, String name) {
  /**
   * How each case scales with cores: one line per case measured on more than one master, each later
   * master's best rows/s over the first's ({@code local[2]/local[1]: 1.93}). A case is its name
   * without the parenthesised rows, which may differ between masters.
   */
  static List<String> scaling(Map<BenchFigure, Double> best) {
    Map<String, Map<String, Double>> byCase = new LinkedHashMap<>();
    best.forEach(
        (f, rate) -> {
          String name = f.name();
          int open = name.lastIndexOf(" (");
          String key = open < 0 ? name : name.substring(0, open);
          byCase
              .computeIfAbsent(key, k -> new LinkedHashMap<>())
              .merge(f.master(), rate, Math::max);
        });
    List<String> lines = new ArrayList<>();
    byCase.forEach(
        (name, rates) -> {
          if (rates.size() < 2) {
            return;
          }
          List<String> masters = new ArrayList<>(rates.keySet());
          double first = rates.get(masters.get(0));
          StringBuilder line = new StringBuilder("scaling    ").append(name).append(':');
          for (String m : masters.subList(1, masters.size())) {
            line.append(
                String.format(
                    Locale.ROOT, "  %s/%s %.2f", m, masters.get(0), rates.get(m) / first));
          }
          lines.add(line.toString());
        });
    return lines;
  }
}
