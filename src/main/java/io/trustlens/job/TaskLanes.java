package io.trustlens.job;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Runs an audit's tasks up to {@code lanes} at a time on one session, so that one task's driver
 * work (planning, figures, the report's summaries) and small jobs overlap another's: on a table of
 * a few thousand rows a task's job is one Spark task, and a 2-core machine's other core sat idle.
 *
 * <p>Invariants: the results come back in task order, whatever order the tasks end in. With one
 * lane the tasks run on the calling thread, one after another, as before lanes existed. A task that
 * reads an earlier task's output starts once every earlier task has ended. A task that fails stops
 * the run: tasks not yet started do not start, the running ones' Spark jobs are cancelled (each
 * task's jobs carry a job tag of its own, cancelled again until the task has stopped, so a job it
 * starts after the first cancel is cancelled too), and once every task has stopped the first
 * failure is thrown. Threads are not interrupted: an interrupt inside a class's initialisation or a
 * native library's loading would break them for the rest of the JVM (a notebook outlives a run).
 *
 * <p>Caches: what a finished task left cached is unpersisted as soon as no running task can have
 * made it, that is once every running task started after it was cached; with one lane, right after
 * the task; at the end, everything cached since the tasks began.
 */
final class TaskLanes {
  /** Spark's local property (and job property) holding a thread's job tags. */
  private static final String JOB_TAGS = "spark.job.tags";

  /** How often the cancel of a failed run's tasks is repeated while they stop. */
  private static final long CANCEL_EVERY_MILLIS = 100;

  private final SparkSession spark;
  private final int lanes;
  private final String runTag = "trustlens-tasks-" + UUID.randomUUID();
  private final Set<Object> beforeTasks;

  /** The running tasks, in the order they started, each with the RDDs persisted at its start. */
  private final Map<Integer, Set<Object>> startedWith = new LinkedHashMap<>();

  TaskLanes(SparkSession spark, int lanes) {
    this.spark = spark;
    this.lanes = lanes;
    this.beforeTasks = persisted();
  }

  /** Runs {@code task.apply(i)} for every {@code i < tasks}; returns the results in that order. */
  <T> List<T> run(int tasks, IntFunction<T> task) {
    return run(tasks, i -> false, task);
  }

  /**
   * Runs {@code task.apply(i)} for every {@code i < tasks}, task {@code i} only once every earlier
   * task has ended when {@code afterEarlier.test(i)}; returns the results in task order.
   */
  <T> List<T> run(int tasks, java.util.function.IntPredicate afterEarlier, IntFunction<T> task) {
    int threads = Math.min(lanes, tasks);
    if (threads <= 1) {
      List<T> results = new ArrayList<>();
      for (int i = 0; i < tasks; i++) {
        started(i);
        try {
          results.add(task.apply(i));
        } finally {
          finished(i);
        }
      }
      return results;
    }
    AtomicInteger named = new AtomicInteger();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "trustlens-task-lane-" + named.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    RunningTasks executorTasks = new RunningTasks();
    spark.sparkContext().addSparkListener(executorTasks);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Future<T>> futures = new ArrayList<>();
    CountDownLatch[] ended = new CountDownLatch[tasks];
    for (int i = 0; i < tasks; i++) {
      ended[i] = new CountDownLatch(1);
    }
    try {
      for (int i = 0; i < tasks; i++) {
        int index = i;
        futures.add(
            pool.submit(
                () -> {
                  try {
                    // Lanes take tasks in order: every earlier task has started, so none waits
                    // on a task that cannot start.
                    for (int j = 0; afterEarlier.test(index) && j < index; j++) {
                      ended[j].await();
                    }
                    return runOne(index, task, failure);
                  } finally {
                    ended[index].countDown();
                  }
                }));
      }
      awaitAll(futures, failure);
      if (failure.get() != null) {
        executorTasks.awaitNone();
      }
    } finally {
      pool.shutdown();
      spark.sparkContext().removeSparkListener(executorTasks);
    }
    Throwable first = failure.get();
    if (first != null) {
      throw TaskLanes.<RuntimeException>unchecked(first);
    }
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(done(f));
    }
    return results;
  }

  /** Task {@code index} on a lane's thread, with its job tag; null when the run already failed. */
  private <T> T runOne(int index, IntFunction<T> task, AtomicReference<Throwable> failure) {
    if (failure.get() != null) {
      return null;
    }
    SparkContext sc = spark.sparkContext();
    sc.addJobTag(tag(index));
    started(index);
    try {
      return task.apply(index);
    } catch (Throwable e) { // Spark's job failures are checked exceptions thrown unchecked
      failure.compareAndSet(null, e);
      throw e;
    } finally {
      finished(index);
      sc.removeJobTag(tag(index));
    }
  }

  /**
   * Waits until every task has ended; while a failed run's tasks stop, cancels their jobs again
   * every {@link #CANCEL_EVERY_MILLIS}.
   */
  private <T> void awaitAll(List<Future<T>> futures, AtomicReference<Throwable> failure) {
    boolean interrupted = false;
    for (Future<T> f : futures) {
      while (!f.isDone()) {
        if (failure.get() != null) {
          for (int i = 0; i < futures.size(); i++) {
            spark.sparkContext().cancelJobsWithTag(tag(i));
          }
        }
        try {
          f.get(CANCEL_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
          // not done yet, or failed: the failure is recorded by the task itself
        } catch (InterruptedException e) {
          // The caller is told once the tasks have stopped; until then the cancels go on.
          interrupted = true;
          failure.compareAndSet(null, new IllegalStateException("interrupted while tasks ran", e));
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Counts the executor tasks of this run's jobs that have started and not ended, from the
   * scheduler's events: a cancelled job fails on the driver at once, while its killed tasks end
   * when they next look (a write's task could otherwise still be writing into the run's output
   * folder as the run removes it).
   */
  private final class RunningTasks extends org.apache.spark.scheduler.SparkListener {
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final AtomicInteger running = new AtomicInteger();

    @Override
    public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
      String tags = job.properties() == null ? null : job.properties().getProperty(JOB_TAGS);
      if (tags != null && tags.contains(runTag)) {
        for (Object stage : CollectionConverters.asJava(job.stageIds())) {
          stages.add((Integer) stage);
        }
      }
    }

    @Override
    public void onTaskStart(org.apache.spark.scheduler.SparkListenerTaskStart task) {
      running.addAndGet(stages.contains(task.stageId()) ? 1 : 0);
    }

    @Override
    public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd task) {
      running.addAndGet(stages.contains(task.stageId()) ? -1 : 0);
    }

    /**
     * Waits until every task of the run's jobs has ended: the events posted so far delivered, then
     * none running. Every task a job launched has its start posted before its job's failure reaches
     * the task that waits on it (the scheduler's events are handled in order), so once the lanes
     * have ended no start is missing.
     */
    void awaitNone() {
      org.apache.spark.scheduler.LiveListenerBus bus = spark.sparkContext().listenerBus();
      while (true) {
        try {
          bus.waitUntilEmpty();
          if (running.get() <= 0) {
            return;
          }
          Thread.sleep(CANCEL_EVERY_MILLIS);
        } catch (TimeoutException e) {
          // the bus is slow to drain: look again
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * Throws {@code t} as it is, checked or not, as a task on the calling thread would have thrown it
   * (a Spark job's failure is a checked {@code SparkException}, thrown from Scala undeclared).
   */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E unchecked(Throwable t) throws E {
    throw (E) t;
  }

  private static <T> T done(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e); // not reached: every task ended without a failure
    }
  }

  private String tag(int index) {
    return runTag + "-" + index;
  }

  private synchronized void started(int index) {
    startedWith.put(index, persisted());
  }

  /**
   * Unpersists what no running task can have cached: everything cached since the tasks began when
   * none runs, else what was cached before the earliest running task started.
   */
  private synchronized void finished(int index) {
    startedWith.remove(index);
    Set<Object> releasable =
        startedWith.isEmpty() ? persisted() : startedWith.values().iterator().next();
    Map<Object, org.apache.spark.rdd.RDD<?>> now =
        CollectionConverters.asJava(spark.sparkContext().getPersistentRDDs());
    for (Object id : releasable) {
      org.apache.spark.rdd.RDD<?> rdd = now.get(id);
      if (rdd != null && !beforeTasks.contains(id)) {
        rdd.unpersist(false);
      }
    }
  }

  /** The ids of the RDDs persisted now (a cached Dataset's blocks are one). */
  private Set<Object> persisted() {
    return new HashSet<>(
        CollectionConverters.asJava(spark.sparkContext().getPersistentRDDs()).keySet());
  }
}
