package io.trustlens.job;

import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.OutputKind;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.sql.SparkSession;

/**
 * The saved MLlib models a run's score and explain tasks use, loaded on a second thread while the
 * driver reads the input: both are mostly Spark's fixed cost in a young JVM (small jobs, query
 * planning, code generation), and on two cores they overlap. Measured on a 569-row table with a GBT
 * pipeline: the load's 1.2–1.8 s mostly hidden behind the input's schema inference.
 *
 * <p>Only MLlib directories are loaded ahead: a TorchScript file without a card needs the input's
 * feature count. A load's failure is kept and thrown, as the same exception, where the run asks for
 * that model, so errors come in the order they did without the second thread: a missing input fails
 * the run before a corrupt model does.
 */
final class ModelPrefetch implements AutoCloseable {
  /** The loads not yet taken; the caller's alone (the loading thread has its own copy). */
  private final Map<String, CompletableFuture<LoadedModel>> loads = new LinkedHashMap<>();

  private final Thread thread;

  /** Whether each model loaded ahead came whole from the models read before the session. */
  private final Map<String, Boolean> fromRead = new java.util.concurrent.ConcurrentHashMap<>();

  /** The models the run took that came whole from the models read before the session. */
  private final Set<String> takenFromRead = new LinkedHashSet<>();

  private ModelPrefetch(
      SparkSession spark,
      Map<String, String> locations,
      java.util.function.Supplier<Map<String, Object>> read) {
    locations.keySet().forEach(name -> loads.put(name, new CompletableFuture<>()));
    Map<String, CompletableFuture<LoadedModel>> mine = Map.copyOf(loads);
    // A thread of the caller's (not a pool's): it inherits the active session and Spark's local
    // properties, as the caller's own loads would.
    thread =
        new Thread(
            () ->
                locations.forEach(
                    (name, where) -> {
                      CompletableFuture<LoadedModel> load = mine.get(name);
                      try {
                        List<String> paths = List.of(where.split(","));
                        ModelLoader loader = new ModelLoader(spark, read.get());
                        if (paths.stream().allMatch(loader::isMllibDirectory)) {
                          LoadedModel model = loader.loadAll(paths, -1, OutputKind.LOGIT);
                          fromRead.put(name, loader.takenFromRead().containsAll(paths));
                          load.complete(model);
                        } else {
                          load.complete(null); // the run loads it, with the input's feature count
                        }
                      } catch (RuntimeException | Error e) {
                        load.completeExceptionally(e);
                      }
                    }),
            "trustlens-model-prefetch");
    thread.setDaemon(true);
  }

  /**
   * Starts loading the models of {@code spec}'s score and explain tasks, those at a location of
   * {@code read} (asked on the loading thread) from there ({@link ModelLoader#ModelLoader(
   * SparkSession, Map)}).
   */
  static ModelPrefetch start(
      SparkSession spark, AuditSpec spec, java.util.function.Supplier<Map<String, Object>> read) {
    Map<String, String> locations = locations(spec);
    ModelPrefetch prefetch = new ModelPrefetch(spark, locations, read);
    if (!locations.isEmpty()) {
      prefetch.thread.start();
    }
    return prefetch;
  }

  /** The models loaded ahead, by name: those of {@code spec}'s score and explain tasks. */
  static Map<String, String> locations(AuditSpec spec) {
    Set<String> names = new LinkedHashSet<>();
    for (AuditSpec.Task task : spec.tasks) {
      String name = spec.modelOf(task);
      if (name != null
          && spec.models.containsKey(name)
          && ("score".equals(task.type) || "explain".equals(task.type))) {
        names.add(name);
      }
    }
    Map<String, String> locations = new LinkedHashMap<>();
    names.forEach(n -> locations.put(n, spec.models.get(n)));
    return locations;
  }

  /**
   * The model {@code name}, once loaded; null when it is not loaded ahead (the caller loads it).
   * Throws what its load threw.
   */
  LoadedModel take(String name) {
    CompletableFuture<LoadedModel> load = loads.remove(name);
    if (load == null) {
      return null;
    }
    try {
      LoadedModel model = load.join();
      if (model != null && fromRead.getOrDefault(name, false)) {
        takenFromRead.add(name);
      }
      return model;
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /**
   * The names of the models the run has taken ({@link #take}) that were read before the session
   * started, every location of each, in the order taken.
   */
  List<String> takenFromRead() {
    return List.copyOf(takenFromRead);
  }

  /** Waits for the loads still running: a failed run stops no session under a model's load. */
  @Override
  public void close() {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
