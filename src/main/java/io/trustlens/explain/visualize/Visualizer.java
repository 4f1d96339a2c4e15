package io.trustlens.explain.visualize;

import io.trustlens.feature.ImageShape;
import io.trustlens.model.DifferentiableModel;
import io.trustlens.model.ModelSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Runs {@link ActivationMaximization} for many targets at once on the executors: the targets are
 * spread over {@code partitions} tasks, each of which loads the model once ({@code ModelCache}) and
 * ascends all its targets of one layer in one batch.
 *
 * <p>Invariant: a target's picture depends on its name, not on its partition or its neighbours (its
 * draws are keyed by its name; gradients come in the model's fixed chunks).
 */
public final class Visualizer {
  /**
   * Rows per model call: a task holds a handful of targets, and calls of the model's own size
   * (1,024 rows of a small image) would be almost all padding.
   */
  static final int CALL_ROWS = 8;

  private Visualizer() {}

  /** The pictures of {@code targets}, in their order; {@code shape} is null for a table. */
  public static List<ActivationMaximization.Picture> run(
      SparkSession spark,
      ModelSource source,
      ImageShape shape,
      List<Target> targets,
      ActivationMaximization.Settings settings,
      ActivationMaximization.Bounds bounds,
      int partitions) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      order.add(i);
    }
    List<Target> all = List.copyOf(targets);
    List<Indexed> pictures =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(order, Math.max(1, Math.min(partitions, targets.size())))
            .mapPartitions(
                it -> {
                  DifferentiableModel model = source.openDifferentiable().withBatchRows(CALL_ROWS);
                  Map<String, List<Integer>> byLayer = new LinkedHashMap<>();
                  it.forEachRemaining(
                      i ->
                          byLayer
                              .computeIfAbsent(
                                  String.valueOf(all.get(i).layer()), k -> new ArrayList<>())
                              .add(i));
                  List<Indexed> out = new ArrayList<>();
                  for (List<Integer> group : byLayer.values()) {
                    List<Target> batch = group.stream().map(all::get).toList();
                    long[] keys = batch.stream().mapToLong(t -> key(t.name())).toArray();
                    List<ActivationMaximization.Picture> done =
                        ActivationMaximization.run(model, shape, batch, keys, settings, bounds);
                    for (int k = 0; k < group.size(); k++) {
                      out.add(new Indexed(group.get(k), done.get(k)));
                    }
                  }
                  return out.iterator();
                })
            .collect();
    List<Indexed> sorted = new ArrayList<>(pictures);
    sorted.sort(Comparator.comparingInt(Indexed::index));
    return sorted.stream().map(Indexed::picture).toList();
  }

  /** A target's key for its draws: from its name alone. */
  static long key(String name) {
    long h = 1125899906842597L;
    for (int i = 0; i < name.length(); i++) {
      h = 31 * h + name.charAt(i);
    }
    return h;
  }

  private record Indexed(int index, ActivationMaximization.Picture picture)
      implements java.io.Serializable {}
}
