package io.trustlens.uncertainty.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.KnownProbabilities;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.uncertainty.InvalidScoresException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CalibratorsTest {
  static KnownProbabilities data;
  static Dataset<Row> calibration;
  static Dataset<Row> heldOut;

  @BeforeAll
  static void tables() {
    SparkTestSession.get();
    data = KnownProbabilities.draw(24_000, 3, 21);
    calibration = data.table(0, 12_000, 2.0).repartition(3).cache();
    heldOut = data.table(12_000, 24_000, 2.0).repartition(2).cache();
  }

  static List<Calibrator<?>> calibrators() {
    return List.of(new TemperatureScaling(), new PlattScaling(), new IsotonicCalibration());
  }

  @Test
  void everyCalibratorLowersTheHeldOutEceInsideAPipeline() throws Exception {
    CalibrationMetrics before =
        Calibration.measure(heldOut, "probability", "label", "id", 15, Binning.EQUAL_WIDTH, null);
    assertTrue(before.ece() > 0.05, "the distortion shows: " + before.ece());
    Path dir = Files.createTempDirectory("calibrators");
    for (Calibrator<?> c : calibrators()) {
      Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {c});
      PipelineModel fitted = pipeline.fit(calibration);
      Dataset<Row> out = fitted.transform(heldOut);
      CalibrationMetrics after =
          Calibration.measure(
              out, "calibrated_probability", "label", "id", 15, Binning.EQUAL_WIDTH, null);
      String name = c.getClass().getSimpleName();
      assertTrue(after.ece() < 0.02, name + " ECE " + before.ece() + " -> " + after.ece());
      assertTrue(after.logLoss() < before.logLoss(), name + " log loss");
      // save and load give the same bits
      String path = dir.resolve(name).toString();
      fitted.write().overwrite().save(path);
      PipelineModel loaded = PipelineModel.load(path);
      assertEquals(column(out), column(loaded.transform(heldOut)), name + " after load");
      // copy keeps the fitted values
      CalibratorModel<?> model = (CalibratorModel<?>) fitted.stages()[0];
      CalibratorModel<?> copy = (CalibratorModel<?>) model.copy(ParamMap.empty());
      assertEquals(column(out), column(copy.transform(heldOut)), name + " copy");
      assertEquals(c, model.parent());
    }
  }

  @Test
  void temperatureFromSparkEqualsTheCoreAndIgnoresPartitioning() {
    TemperatureScalingModel three =
        new TemperatureScaling().setInputKind("logits").setInputCol("logits").fit(calibration);
    TemperatureScalingModel seven =
        new TemperatureScaling()
            .setInputKind("logits")
            .setInputCol("logits")
            .fit(calibration.repartition(7));
    assertEquals(three.getTemperature(), seven.getTemperature(), 0);
    double[][] z = java.util.Arrays.copyOf(data.distorted(2.0), 12_000);
    int[] y = java.util.Arrays.copyOf(data.labels, 12_000);
    assertEquals(TemperatureFit.temperature(LabelledScores.of(z, y)), three.getTemperature(), 0);
    assertEquals(2.0, three.getTemperature(), 0.1);
    // From probabilities the logits differ by a constant per row: the same temperature.
    TemperatureScalingModel fromP = new TemperatureScaling().fit(calibration);
    assertEquals(three.getTemperature(), fromP.getTemperature(), 1e-9);
    PlattScalingModel p3 = new PlattScaling().fit(calibration);
    PlattScalingModel p7 = new PlattScaling().fit(calibration.repartition(7));
    assertArrayEquals(p3.getSlopes(), p7.getSlopes(), 0);
    IsotonicCalibrationModel i3 = new IsotonicCalibration().fit(calibration);
    IsotonicCalibrationModel i7 = new IsotonicCalibration().fit(calibration.repartition(7));
    assertArrayEquals(i3.getPredictions()[1], i7.getPredictions()[1], 0);
    CalibrationMetrics m3 =
        Calibration.measure(
            calibration, "probability", "label", null, 10, Binning.EQUAL_MASS, null);
    CalibrationMetrics m7 =
        Calibration.measure(
            calibration.repartition(7), "probability", "label", null, 10, Binning.EQUAL_MASS, null);
    assertEquals(m3.ece(), m7.ece(), 0);
    assertEquals(m3.brier(), m7.brier(), 0);
    long[] counts = m3.topLabel().counts();
    for (long c : counts) {
      assertEquals(1200, c, 1, "equal-mass bins hold n/B rows");
    }
  }

  @Test
  void badScoresAreRefusedNamingTheRow() {
    Dataset<Row> skewed =
        calibration.withColumn(
            "probability",
            functions
                .when(
                    functions.col("id").equalTo(17),
                    functions.array(functions.lit(0.5), functions.lit(0.4), functions.lit(0.3)))
                .otherwise(functions.col("probability")));
    InvalidScoresException e =
        assertThrows(
            InvalidScoresException.class,
            () -> cause(() -> new PlattScaling().setIdCol("id").fit(skewed)));
    assertTrue(
        e.getMessage().contains("id=17") && e.getMessage().contains("sum to"), e.getMessage());
    Dataset<Row> unknown =
        calibration.withColumn(
            "label",
            functions.when(functions.col("id").equalTo(5), 3.0).otherwise(functions.col("label")));
    e =
        assertThrows(
            InvalidScoresException.class,
            () -> cause(() -> new TemperatureScaling().setIdCol("id").fit(unknown)));
    assertTrue(e.getMessage().contains("label 3.0"), e.getMessage());
    e =
        assertThrows(
            InvalidScoresException.class,
            () ->
                Calibration.measure(
                    calibration.limit(100),
                    "probability",
                    "label",
                    null,
                    15,
                    Binning.EQUAL_WIDTH,
                    null));
    assertTrue(e.getMessage().contains("too few rows"), e.getMessage());
    e =
        assertThrows(
            InvalidScoresException.class,
            () -> new TemperatureScaling().setInputCol("id").fit(calibration));
    assertTrue(e.getMessage().contains("'id'"), e.getMessage());
  }

  /** Runs {@code action}, unwrapping Spark's task failure to the scores error inside. */
  static void cause(Runnable action) {
    try {
      action.run();
    } catch (Exception e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof InvalidScoresException s) {
          throw s;
        }
      }
      throw new AssertionError(e);
    }
  }

  static List<Row> column(Dataset<Row> table) {
    return table.orderBy("id").select("calibrated_probability").collectAsList();
  }
}
