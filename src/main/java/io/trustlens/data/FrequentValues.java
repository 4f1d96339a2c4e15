package io.trustlens.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The most frequent values of a column in one pass, mergeable across partitions: the Misra-Gries
 * summary (Misra and Gries 1982; mergeable as in Agarwal et al., Mergeable Summaries, PODS 2012,
 * doi 10.1145/2500128) with up to {@code 2k} counters.
 *
 * <p>Invariants: while a column has at most {@code 2k} distinct values nothing is ever subtracted
 * and every count is exact ({@link #exact()}). Otherwise, when the counters pass {@code 2k}, the
 * {@code (k+1)}-th largest count is subtracted from every counter and those at zero are dropped;
 * each reported count is then below its true count by at most {@link #error()}, the sum of the
 * amounts subtracted, which is at most {@code n / (k + 1)} for {@code n} values. A value whose true
 * count exceeds that bound is always kept.
 */
public final class FrequentValues implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int k;
  private final HashMap<String, long[]> counters = new HashMap<>();
  private long total;
  private long error;

  /** A summary keeping at least the {@code k} most frequent values. */
  public FrequentValues(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, not " + k);
    }
    this.k = k;
  }

  /** Counts one value. */
  public void add(String value) {
    total++;
    long[] c = counters.get(value);
    if (c != null) {
      c[0]++;
      return;
    }
    counters.put(value, new long[] {1});
    if (counters.size() > 2 * k) {
      reduce();
    }
  }

  /** Adds {@code other}'s counts into this summary (both must keep the same {@code k}). */
  public FrequentValues merge(FrequentValues other) {
    if (other.k != k) {
      throw new IllegalArgumentException("cannot merge summaries of " + k + " and " + other.k);
    }
    total += other.total;
    error += other.error;
    for (Map.Entry<String, long[]> e : other.counters.entrySet()) {
      counters.computeIfAbsent(e.getKey(), v -> new long[1])[0] += e.getValue()[0];
    }
    if (counters.size() > 2 * k) {
      reduce();
    }
    return this;
  }

  private void reduce() {
    long[] counts = counters.values().stream().mapToLong(c -> c[0]).toArray();
    Arrays.sort(counts);
    long cut = counts[counts.length - 1 - k];
    error += cut;
    counters.values().forEach(c -> c[0] -= cut);
    counters.values().removeIf(c -> c[0] <= 0);
  }

  /** The values counted. */
  public long total() {
    return total;
  }

  /** The most any reported count is below its true count; 0 when all counts are exact. */
  public long error() {
    return error;
  }

  /** Whether every count is exact (the column had at most {@code 2k} distinct values). */
  public boolean exact() {
    return error == 0;
  }

  /** The distinct values kept (all distinct values when {@link #exact()}). */
  public int kept() {
    return counters.size();
  }

  /** The {@code n} most frequent values, by count and then value. */
  public List<Count> top(int n) {
    List<Count> all = new ArrayList<>();
    counters.forEach((v, c) -> all.add(new Count(v, c[0])));
    all.sort(Comparator.comparingLong(Count::count).reversed().thenComparing(Count::value));
    return List.copyOf(all.subList(0, Math.min(n, all.size())));
  }

  /** A value and its count. */
  public record Count(String value, long count) implements Serializable {}
}
