package io.trustlens.testing;

import org.apache.spark.sql.SparkSession;

/** One local Spark session shared by every test class in the JVM (about 6 s to start). */
public final class SparkTestSession {
  private static SparkSession session;

  private SparkTestSession() {}

  /** The shared session, started on first use: local[2], no UI, few shuffle partitions. */
  public static synchronized SparkSession get() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("trustlens-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.sql.session.timeZone", "UTC")
              .getOrCreate();
    }
    return session;
  }
}
