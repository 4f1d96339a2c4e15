package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Spark job of a run is named after the run's step that started it. */
class JobDescriptionTest {
  @TempDir Path dir;

  @Test
  void everyJobOfARunIsDescribedAndTheCallersDescriptionIsPutBack() throws Exception {
    SparkContext sc = SparkTestSession.get().sparkContext();
    List<String> described = new CopyOnWriteArrayList<>();
    SparkListener listener =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            described.add(String.valueOf(start.properties().getProperty(JobDescription.KEY)));
          }
        };
    sc.listenerBus().waitUntilEmpty(120_000);
    sc.addSparkListener(listener);
    sc.setJobDescription("the notebook's own");
    // MLlib's loader, whose jobs the run describes too (the driver's own reader starts none).
    SparkTestSession.get().conf().set(io.trustlens.model.SavedMllibReader.ENABLED, "false");
    try {
      Cli cli =
          Cli.run(
              "score",
              "--input",
              "datasets/synthetic/credit.csv",
              "--id",
              "id",
              "--label",
              "default",
              "--model",
              "datasets/models/credit_gbt",
              "--output",
              dir.resolve("scores").toString());
      assertEquals(0, cli.exitCode(), cli.errors());
      assertEquals("the notebook's own", sc.getLocalProperty(JobDescription.KEY));
      sc.listenerBus().waitUntilEmpty(120_000);
    } finally {
      sc.removeSparkListener(listener);
      sc.setJobDescription(null);
      SparkTestSession.get().conf().unset(io.trustlens.model.SavedMllibReader.ENABLED);
    }
    assertTrue(described.size() > 3, described.toString());
    for (String d : described) {
      assertTrue(d.startsWith("TrustLens score: "), d);
    }
    assertTrue(
        Set.copyOf(described)
            .containsAll(List.of("TrustLens score: load models", "TrustLens score: score")),
        described.toString());
  }
}
