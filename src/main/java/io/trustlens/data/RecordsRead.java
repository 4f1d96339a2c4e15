package io.trustlens.data;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Counts the records Spark's tasks read from files while it is registered, so that a profile's
 * passes over a file table can be measured: records read over the table's rows.
 */
public final class RecordsRead extends SparkListener implements AutoCloseable {
  private final SparkSession spark;
  private final AtomicLong records = new AtomicLong();

  private RecordsRead(SparkSession spark) {
    this.spark = spark;
  }

  /** Starts counting. */
  public static RecordsRead start(SparkSession spark) {
    RecordsRead r = new RecordsRead(spark);
    spark.sparkContext().addSparkListener(r);
    return r;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if (end.taskMetrics() != null) {
      records.addAndGet(end.taskMetrics().inputMetrics().recordsRead());
    }
  }

  /** The records read so far, once every finished task's event has been delivered. */
  public long records() {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain", e);
    }
    return records.get();
  }

  @Override
  public void close() {
    spark.sparkContext().removeSparkListener(this);
  }
}
