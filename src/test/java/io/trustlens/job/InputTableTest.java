package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.OutputKind;
import io.trustlens.testing.SparkTestSession;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class InputTableTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  @Test
  void aSmallTablesBadCellsAreCountedWithItsRowsSoThePipelinesChecksRunNoJob() {
    AuditSpec.Input in = new AuditSpec.Input();
    in.path = "datasets/synthetic/credit.csv";
    in.id = "id";
    in.label = "default";
    LoadedModel model =
        new ModelLoader(SPARK).loadAll(List.of("datasets/models/credit_gbt"), -1, OutputKind.LOGIT);

    InputTable counted = InputTable.read(SPARK, in, true);
    Dataset<Row> prepared = jobs(() -> counted.prepare(model), 0, "the pipeline's inputs");
    FeatureSpace features = counted.features(model, prepared);
    Map<String, Long> missing =
        jobs(() -> counted.missingCategories(features), 0, "the categories' missing cells");
    assertEquals(Map.of(), missing);

    InputTable uncounted = InputTable.read(SPARK, in, false);
    jobs(() -> uncounted.prepare(model), 1, "a pass over the pipeline's inputs");
    assertEquals(Map.of(), uncounted.missingCategories(features));
  }

  /** Waits until the listeners have seen every event so far (bounded: two minutes). */
  private static void drained() {
    try {
      SPARK.sparkContext().listenerBus().waitUntilEmpty(120_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("Spark's listener bus did not drain in two minutes", e);
    }
  }

  /** {@code work}'s result, checking that it started {@code expected} Spark jobs. */
  private static <T> T jobs(Supplier<T> work, int expected, String what) {
    AtomicInteger started = new AtomicInteger();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            started.incrementAndGet();
          }
        };
    drained();
    SPARK.sparkContext().addSparkListener(listener);
    try {
      T result = work.get();
      drained();
      assertEquals(expected, started.get(), "Spark jobs checking " + what);
      return result;
    } finally {
      SPARK.sparkContext().removeSparkListener(listener);
    }
  }
}
