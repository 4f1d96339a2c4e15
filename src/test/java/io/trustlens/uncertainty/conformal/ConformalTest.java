package io.trustlens.uncertainty.conformal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.KnownProbabilities;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.uncertainty.InvalidScoresException;
import java.nio.file.Files;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConformalTest {
  static Dataset<Row> calibration;
  static Dataset<Row> heldOut;

  @BeforeAll
  static void tables() {
    SparkTestSession.get();
    KnownProbabilities data = KnownProbabilities.draw(15_000, 5, 31);
    calibration = data.table(0, 5_000, 1.5).repartition(3).cache();
    heldOut = data.table(5_000, 15_000, 1.5).repartition(2).cache();
  }

  static double coverage(Dataset<Row> out) {
    return out.agg(
            functions.avg(
                functions
                    .when(
                        functions.array_contains(
                            functions.col("conformal_set"), functions.col("label").cast("int")),
                        1.0)
                    .otherwise(0.0)))
        .first()
        .getDouble(0);
  }

  @Test
  void setsCoverTheHeldOutLabelsAtOneMinusAlpha() throws Exception {
    for (String score : new String[] {"lac", "aps"}) {
      for (double alpha : new double[] {0.1, 0.05}) {
        ConformalClassifier c = new ConformalClassifier().setScore(score).setAlpha(alpha);
        PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {c}).fit(calibration);
        Dataset<Row> out = fitted.transform(heldOut);
        double cov = coverage(out);
        assertEquals(1 - alpha, cov, 0.02, score + " alpha " + alpha);
        String path = Files.createTempDirectory("conformal").resolve("m").toString();
        fitted.write().overwrite().save(path);
        assertEquals(cov, coverage(PipelineModel.load(path).transform(heldOut)), 0);
      }
    }
    ConformalClassifierModel lac = new ConformalClassifier().fit(calibration);
    ConformalClassifierModel seven = new ConformalClassifier().fit(calibration.repartition(7));
    assertEquals(lac.getQuantile(), seven.getQuantile(), 0);
    assertEquals(5000, lac.getCalibrationRows());
  }

  @Test
  void intervalsCoverTheHeldOutValues() {
    Dataset<Row> cal = regression(calibration);
    Dataset<Row> test = regression(heldOut);
    for (double alpha : new double[] {0.1, 0.05}) {
      ConformalRegressorModel m = new ConformalRegressor().setAlpha(alpha).fit(cal);
      double cov =
          m.transform(test)
              .agg(
                  functions.avg(
                      functions
                          .when(
                              functions
                                  .col("label")
                                  .geq(functions.col("conformal_lower"))
                                  .and(
                                      functions.col("label").leq(functions.col("conformal_upper"))),
                              1.0)
                          .otherwise(0.0)))
              .first()
              .getDouble(0);
      assertEquals(1 - alpha, cov, 0.02, "regression alpha " + alpha);
    }
  }

  /** A regression: the label is the first logit plus noise, the prediction the first logit. */
  static Dataset<Row> regression(Dataset<Row> t) {
    return t.withColumn("prediction", functions.col("logits").getItem(0))
        .withColumn("label", functions.col("prediction").plus(functions.randn(3).multiply(0.5)));
  }

  @Test
  void tooFewRowsForAlphaAreRefused() {
    InvalidScoresException e =
        assertThrows(
            InvalidScoresException.class,
            () -> new ConformalClassifier().setAlpha(0.01).fit(calibration.limit(50)));
    assertTrue(e.getMessage().contains("at least 99"), e.getMessage());
  }
}
