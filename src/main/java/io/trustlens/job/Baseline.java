package io.trustlens.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.report.HtmlReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A previous run to compare with ({@code --baseline DIR}, or {@code baseline.path} in the spec):
 * its {@code summary.json}, read before this run writes anything. Tasks are matched by position,
 * type, method and name; their figures (every number of the task's summary entry, by path; lists of
 * columns, groups or players by their names) are compared, and the global importance rankings of
 * explain tasks by Spearman's rank correlation.
 */
final class Baseline {
  /** Keys of a task's summary that are not figures of the data. */
  private static final Set<String> NOT_FIGURES =
      Set.of("seconds", "parameters", "outputs", "phases", "passes");

  /** The keys that name an entry of a list of maps, in the order tried. */
  private static final List<String> NAMES = List.of("name", "column", "grouping", "player", "by");

  private final String path;
  private final List<Map<String, Object>> tasks;

  private Baseline(String path, List<Map<String, Object>> tasks) {
    this.path = path;
    this.tasks = tasks;
  }

  /** Reads the run at {@code dir}, or fails naming what is missing. */
  @SuppressWarnings("unchecked")
  static Baseline read(String dir) {
    Path summary = Path.of(dir.startsWith("file:") ? dir.substring(5) : dir, "summary.json");
    if (!Files.isRegularFile(summary)) {
      throw new SpecException(
          "the baseline " + dir + " has no summary.json; give the output folder of an earlier run");
    }
    try {
      Map<String, Object> s = new ObjectMapper().readValue(summary.toFile(), Map.class);
      Object tasks = s.get("tasks");
      if (!(tasks instanceof List<?>)) {
        throw new SpecException("the baseline's summary.json lists no tasks: " + summary);
      }
      return new Baseline(dir, (List<Map<String, Object>>) tasks);
    } catch (IOException e) {
      throw new SpecException("cannot read the baseline's summary.json: " + e.getMessage());
    }
  }

  /** One figure in both runs. */
  record Change(String task, String figure, double before, double after) {
    double relative() {
      double d = Math.abs(after - before);
      return d == 0 ? 0 : d / Math.max(Math.abs(before), 1e-12);
    }
  }

  /** An explain task's importance ranking in both runs. */
  record Ranking(String task, double spearman, List<String> before, List<String> after) {}

  /** What the comparison found. */
  record Comparison(
      String path,
      List<String> matched,
      List<String> unmatched,
      List<Change> changes,
      List<Ranking> rankings) {

    double largestChange() {
      return changes.stream().mapToDouble(Change::relative).max().orElse(0);
    }

    double smallestCorrelation() {
      return rankings.stream().mapToDouble(Ranking::spearman).min().orElse(1);
    }
  }

  /** Compares this run's task summaries (as written to summary.json) with the baseline's. */
  @SuppressWarnings("unchecked")
  Comparison compare(List<Map<String, Object>> current, List<AuditSpec.Task> specTasks) {
    List<Map<String, Object>> now = new ObjectMapper().convertValue(current, List.class);
    List<String> matched = new ArrayList<>();
    List<String> unmatched = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    List<Ranking> rankings = new ArrayList<>();
    for (int i = 0; i < now.size(); i++) {
      AuditSpec.Task t = specTasks.get(i);
      String label =
          "task " + (i + 1) + " (" + t.type + (t.method() != null ? " " + t.method() : "") + ")";
      Map<String, Object> after = now.get(i);
      Map<String, Object> before = i < tasks.size() ? tasks.get(i) : null;
      if (before == null || !same(before, after)) {
        unmatched.add(label);
        continue;
      }
      matched.add(label);
      Map<String, Double> a = new LinkedHashMap<>();
      Map<String, Double> b = new LinkedHashMap<>();
      flatten("", before, b);
      flatten("", after, a);
      for (var e : a.entrySet()) {
        Double was = b.get(e.getKey());
        if (was != null) {
          changes.add(new Change(label, e.getKey(), was, e.getValue()));
        }
      }
      if (before.get("mean_abs_shap") instanceof Map<?, ?> mb
          && after.get("mean_abs_shap") instanceof Map<?, ?> ma) {
        List<String> rb = ranking((Map<String, Object>) mb);
        List<String> ra = ranking((Map<String, Object>) ma);
        rankings.add(new Ranking(label, spearman(rb, ra), rb, ra));
      }
    }
    return new Comparison(path, matched, unmatched, changes, rankings);
  }

  private static boolean same(Map<String, Object> before, Map<String, Object> after) {
    Map<?, ?> pb = before.get("parameters") instanceof Map<?, ?> m ? m : Map.of();
    Map<?, ?> pa = after.get("parameters") instanceof Map<?, ?> m ? m : Map.of();
    return java.util.Objects.equals(before.get("type"), after.get("type"))
        && java.util.Objects.equals(pb.get("method"), pa.get("method"))
        && java.util.Objects.equals(pb.get("name"), pa.get("name"));
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Object value, Map<String, Double> out) {
    if (value instanceof Number n) {
      out.put(prefix, n.doubleValue());
    } else if (value instanceof Map<?, ?> map) {
      for (var e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (prefix.isEmpty() && NOT_FIGURES.contains(key)) {
          continue;
        }
        flatten(prefix.isEmpty() ? key : prefix + "." + key, e.getValue(), out);
      }
    } else if (value instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof Map<?, ?> m) {
          String name = null;
          for (String k : NAMES) {
            if (m.get(k) instanceof String s) {
              name = name == null ? s : name + "/" + s;
            }
          }
          if (name != null) {
            flatten(prefix + "[" + name + "]", m, out);
          }
        }
      }
    }
  }

  private static List<String> ranking(Map<String, Object> importance) {
    return importance.entrySet().stream()
        .sorted(
            (x, y) ->
                Double.compare(
                    ((Number) y.getValue()).doubleValue(), ((Number) x.getValue()).doubleValue()))
        .map(Map.Entry::getKey)
        .toList();
  }

  /** Spearman's rank correlation of two orders of the same players (1: the same order). */
  static double spearman(List<String> a, List<String> b) {
    List<String> common = new ArrayList<>(a);
    common.retainAll(b);
    int n = common.size();
    if (n < 2) {
      return 1;
    }
    List<String> ra = a.stream().filter(common::contains).toList();
    List<String> rb = b.stream().filter(common::contains).toList();
    double d2 = 0;
    for (int i = 0; i < n; i++) {
      double d = i - rb.indexOf(ra.get(i));
      d2 += d * d;
    }
    return 1 - 6 * d2 / ((double) n * ((double) n * n - 1));
  }

  /** The report's section: rankings, then the figures that changed most. */
  static void section(HtmlReport report, Comparison c) {
    HtmlReport.Section s = report.section("Against the baseline " + c.path());
    s.paragraph(
        "Tasks compared: "
            + (c.matched().isEmpty() ? "none" : String.join(", ", c.matched()))
            + (c.unmatched().isEmpty()
                ? ""
                : "; not in the baseline (or another type, method or name there): "
                    + String.join(", ", c.unmatched()))
            + ". "
            + c.changes().stream().filter(x -> x.relative() > 0).count()
            + " of "
            + c.changes().size()
            + " figures changed.",
        null);
    if (!c.rankings().isEmpty()) {
      List<List<Object>> rows = new ArrayList<>();
      for (Ranking r : c.rankings()) {
        rows.add(
            List.of(
                r.task(),
                r.spearman(),
                String.join(", ", r.before().subList(0, Math.min(5, r.before().size()))),
                String.join(", ", r.after().subList(0, Math.min(5, r.after().size())))));
      }
      s.table(List.of("task", "Spearman (importance ranks)", "top 5 before", "top 5 now"), rows);
    }
    List<Change> moved = new ArrayList<>(c.changes());
    moved.removeIf(x -> x.relative() == 0);
    moved.sort((x, y) -> Double.compare(y.relative(), x.relative()));
    if (!moved.isEmpty()) {
      List<List<Object>> rows = new ArrayList<>();
      for (Change x : moved.subList(0, Math.min(50, moved.size()))) {
        rows.add(List.of(x.task(), x.figure(), x.before(), x.after(), x.relative()));
      }
      s.paragraph(
              moved.size() > 50
                  ? "The 50 figures that changed most, of " + moved.size() + ":"
                  : "The figures that changed:",
              null)
          .table(List.of("task", "figure", "baseline", "now", "relative change"), rows);
    }
  }

  /** The summary's entry. */
  static Map<String, Object> summary(Comparison c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("path", c.path());
    out.put("tasks_compared", c.matched());
    out.put("tasks_not_compared", c.unmatched());
    out.put("figures_compared", c.changes().size());
    out.put("largest_relative_change", c.largestChange());
    c.changes().stream()
        .max(java.util.Comparator.comparingDouble(Change::relative))
        .filter(x -> x.relative() > 0)
        .ifPresent(x -> out.put("largest_change", x));
    List<Map<String, Object>> rankings = new ArrayList<>();
    for (Ranking r : c.rankings()) {
      rankings.add(Ordered.map("task", r.task(), "spearman", r.spearman()));
    }
    out.put("importance", rankings);
    return out;
  }
}
