package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class TaskLanesTest {
  @Test
  void tasksRunOnTwoLanesAndComeBackInTaskOrder() {
    SparkSession spark = SparkTestSession.get();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch bothRunning = new CountDownLatch(2);
    List<Long> results =
        new TaskLanes(spark, 2)
            .run(
                6,
                i -> {
                  threads.add(Thread.currentThread().getName());
                  if (i < 2) {
                    bothRunning.countDown();
                    await(bothRunning); // the first two run at once, or this never returns
                  }
                  // later tasks end in an order of their own: the larger i, the less work
                  return spark.range(0, 1000L * (6 - i)).count() / (1000L * (6 - i)) * i;
                });
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), results);
    assertEquals(Set.of("trustlens-task-lane-1", "trustlens-task-lane-2"), threads);
  }

  @Test
  void aTaskThatReadsEarlierOutputsStartsWhenTheyHaveEnded() {
    SparkSession spark = SparkTestSession.get();
    java.util.concurrent.atomic.AtomicInteger ended =
        new java.util.concurrent.atomic.AtomicInteger();
    List<Integer> seen =
        new TaskLanes(spark, 2)
            .run(
                3,
                i -> i == 2,
                i -> {
                  int endedBefore = ended.get();
                  for (int k = 0; k < 3; k++) {
                    spark.range(0, 1000L * (k + 1)).count(); // a few jobs: a while on a lane
                  }
                  ended.incrementAndGet();
                  return endedBefore;
                });
    assertEquals(2, seen.get(2), "tasks 0 and 1 had ended when task 2 started");
  }

  @Test
  void aFailureCancelsTheRunningTasksJobsStartsNoOtherAndIsThrown() {
    SparkSession spark = SparkTestSession.get();
    CountDownLatch jobRunning = new CountDownLatch(1);
    AtomicBoolean laterTaskRan = new AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<String> firstTask =
        new java.util.concurrent.atomic.AtomicReference<>("running");
    IllegalArgumentException boom = new IllegalArgumentException("task 1 failed");
    RuntimeException thrown =
        assertThrows(
            RuntimeException.class,
            () ->
                new TaskLanes(spark, 2)
                    .run(
                        3,
                        i -> {
                          if (i == 0) {
                            // A job whose task runs until it is cancelled (at most two minutes).
                            jobRunning.countDown();
                            try {
                              String value =
                                  spark
                                      .range(1)
                                      .toJavaRDD()
                                      .map(
                                          x -> {
                                            long end = System.nanoTime() + 120_000_000_000L;
                                            org.apache.spark.TaskContext task =
                                                org.apache.spark.TaskContext.get();
                                            while (!task.isInterrupted()
                                                && System.nanoTime() < end) {
                                              Thread.sleep(10);
                                            }
                                            return task.isInterrupted()
                                                ? "killed"
                                                : "ran to its end";
                                          })
                                      .collect()
                                      .get(0);
                              firstTask.set("returned " + value);
                              return value;
                            } catch (Exception e) { // a checked SparkException, undeclared
                              firstTask.set("failed: " + e.getMessage());
                              throw e;
                            }
                          }
                          if (i == 1) {
                            await(jobRunning);
                            throw boom;
                          }
                          laterTaskRan.set(true);
                          return "ran";
                        }));
    assertSame(boom, thrown, "the first failure, as it was thrown");
    assertFalse(laterTaskRan.get(), "no task starts after a failure");
    assertTrue(
        firstTask.get().startsWith("failed: ") && firstTask.get().contains("cancelled"),
        "the running task's job: " + firstTask.get());
  }

  @Test
  void oneLaneRunsEachTaskOnTheCallingThreadAndReleasesItsCacheAfterIt() {
    SparkSession spark = SparkTestSession.get();
    int before = spark.sparkContext().getPersistentRDDs().size();
    String caller = Thread.currentThread().getName();
    List<String> results =
        new TaskLanes(spark, 1)
            .run(
                2,
                i -> {
                  assertEquals(caller, Thread.currentThread().getName());
                  assertEquals(
                      before, spark.sparkContext().getPersistentRDDs().size(), "task " + i);
                  Dataset<Row> cached = spark.range(100 + i).toDF().cache();
                  cached.count();
                  assertEquals(before + 1, spark.sparkContext().getPersistentRDDs().size());
                  return "task " + i;
                });
    assertEquals(List.of("task 0", "task 1"), results);
    assertEquals(before, spark.sparkContext().getPersistentRDDs().size(), "released after all");
  }

  @Test
  void whatTwoLanesCachedIsReleasedWhenTheyEnd() {
    SparkSession spark = SparkTestSession.get();
    int before = spark.sparkContext().getPersistentRDDs().size();
    new TaskLanes(spark, 2)
        .run(
            4,
            i -> {
              Dataset<Row> cached = spark.range(10L * (i + 1)).toDF().cache();
              return cached.count();
            });
    assertEquals(before, spark.sparkContext().getPersistentRDDs().size());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
