package io.trustlens.job;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Names the Spark jobs a run starts after the step that starts them ("TrustLens explain: read
 * input", "TrustLens audit conf/demo.yaml: task 2 (score)"), as the Spark UI, the event log and a
 * listener show them; without it they show Spark's call sites ("save at OutputFormat.java:68", or
 * for adaptive plans "$anonfun$withThreadLocalCaptured$1 at CompletableFuture.java"). The
 * description is a local property of the thread: threads the run starts afterwards inherit it, and
 * the caller's own is put back when the run ends (a notebook's session outlives the run).
 */
final class JobDescription implements AutoCloseable {
  /** Spark's local property for a job's description, the one {@code setJobDescription} sets. */
  static final String KEY = "spark.job.description";

  private final SparkContext spark;
  private final String before;
  private final String run;

  private JobDescription(SparkContext spark, String run) {
    this.spark = spark;
    this.before = spark.getLocalProperty(KEY);
    this.run = run;
  }

  /** Describes the jobs of the run {@code run} from now on as its {@code step}. */
  static JobDescription start(SparkSession spark, String run, String step) {
    JobDescription d = new JobDescription(spark.sparkContext(), run);
    d.step(step);
    return d;
  }

  /** Describes the jobs started from now on as the run's {@code step}. */
  void step(String step) {
    spark.setLocalProperty(KEY, run + ": " + step);
  }

  @Override
  public void close() {
    spark.setLocalProperty(KEY, before); // null removes it
  }
}
