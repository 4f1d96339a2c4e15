package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The Poisson bootstrap's weights follow Poisson(1) and are independent across members. */
class BootstrapTest {

  @Test
  void weightsArePoissonOneAndMembersAreIndependent() {
    int n = 200_000;
    Dataset<Row> rows =
        SparkTestSession.get()
            .range(n)
            .withColumn("w0", Bootstrap.weight(42, 0, List.of(col("id"))))
            .withColumn("w1", Bootstrap.weight(42, 1, List.of(col("id"))))
            .cache();
    long[] counts = new long[7];
    for (Row r : rows.groupBy("w0").count().collectAsList()) {
      counts[(int) Math.min(6, r.getDouble(0))] += r.getLong(1);
    }
    double chi2 = 0;
    double tail = 1;
    double p = Math.exp(-1);
    for (int c = 0; c < 7; c++) {
      double share = c < 6 ? p : tail;
      double expected = n * share;
      chi2 += (counts[c] - expected) * (counts[c] - expected) / expected;
      tail -= p;
      p /= c + 1;
    }
    assertTrue(chi2 < 27.9, "chi-square of counts 0..5, 6+ (6 df, p < 1e-4 beyond 27.9): " + chi2);
    Row m =
        rows.agg(
                org.apache.spark.sql.functions.avg("w0"),
                org.apache.spark.sql.functions.corr("w0", "w1"))
            .first();
    assertEquals(1, m.getDouble(0), 4 / Math.sqrt(n), "mean count");
    assertEquals(0, m.getDouble(1), 4 / Math.sqrt(n), "members' weights uncorrelated");
    Dataset<Row> again =
        SparkTestSession.get()
            .range(n)
            .repartition(7)
            .withColumn("w0", Bootstrap.weight(42, 0, List.of(col("id"))));
    assertEquals(
        0, again.select("id", "w0").exceptAll(rows.select("id", "w0")).count(), "any partitioning");
    rows.unpersist();
  }
}
