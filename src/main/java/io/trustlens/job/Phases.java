package io.trustlens.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where a run's wall time went, phase by phase in the order they ran, for {@code summary.json} and
 * the report: the JVM and Spark start before the run, reading and counting the input, and per task
 * its model loads, the draw of its reference rows (a background), its computation with the writes
 * (Spark computes lazily, so the two are one phase), and the rest (summaries and figures: reading
 * back what it wrote, aggregations that write nothing, such as a profile's, and drawing). Phases
 * with the same name add up.
 */
final class Phases {
  private final Map<String, Double> seconds = new LinkedHashMap<>();

  /**
   * Records the time from {@code started} (epoch milliseconds: the JVM's start, or the command's
   * call in a JVM that was running before) to now: {@code session} seconds as {@code sessionPhase},
   * the rest as {@code jvmPhase}.
   */
  void since(long started, String jvmPhase, String sessionPhase, double session) {
    double all = Math.max(0, System.currentTimeMillis() - started) / 1e3;
    add(jvmPhase, Math.max(0, all - session));
    add(sessionPhase, Math.min(all, session));
  }

  /** Runs {@code work}, adding its wall time to {@code phase}. */
  <T> T time(String phase, Supplier<T> work) {
    long t0 = System.nanoTime();
    try {
      return work.get();
    } finally {
      add(phase, (System.nanoTime() - t0) / 1e9);
    }
  }

  /** Adds {@code s} seconds to {@code phase}. */
  void add(String phase, double s) {
    seconds.merge(phase, s, Double::sum);
  }

  /** Adds every phase of {@code other}, in its order. */
  void addAll(Phases other) {
    other.seconds.forEach(this::add);
  }

  /** The seconds recorded for {@code phase}, 0 if none. */
  double of(String phase) {
    return seconds.getOrDefault(phase, 0.0);
  }

  /** The phases in order, each {@code {phase, seconds}} rounded to milliseconds. */
  List<Map<String, Object>> toList() {
    List<Map<String, Object>> list = new ArrayList<>();
    seconds.forEach(
        (phase, s) -> {
          Map<String, Object> e = new LinkedHashMap<>();
          e.put("phase", phase);
          e.put("seconds", Math.round(s * 1e3) / 1e3);
          list.add(e);
        });
    return list;
  }
}
