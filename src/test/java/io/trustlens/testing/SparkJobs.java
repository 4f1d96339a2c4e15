package io.trustlens.testing;

import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;

/** Counts the Spark jobs a piece of work starts. */
public final class SparkJobs {
  private SparkJobs() {}

  /** What {@code work} returned and how many Spark jobs it started. */
  public record Counted<T>(T result, int jobs) {}

  /**
   * Runs {@code work} and counts the jobs it starts: the listener bus is drained before and after,
   * so only this work's jobs are counted (tests of a session run one at a time).
   */
  public static <T> Counted<T> count(SparkSession spark, Supplier<T> work) {
    AtomicInteger started = new AtomicInteger();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            started.incrementAndGet();
          }
        };
    drained(spark);
    spark.sparkContext().addSparkListener(listener);
    try {
      T result = work.get();
      drained(spark);
      return new Counted<>(result, started.get());
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
  }

  /** Waits until the listeners have seen every event so far (bounded: two minutes). */
  public static void drained(SparkSession spark) {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(120_000);
    } catch (TimeoutException e) {
      throw new AssertionError("Spark's listener bus did not drain in two minutes", e);
    }
  }
}
