package io.trustlens.uncertainty.autoencoder;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.testing.Auroc;
import io.trustlens.testing.Digits;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The autoencoder stages on Spark: MLlib's contract, unfamiliar rows found, partition-free fits.
 */
class AutoencoderNoveltyTest {
  static Dataset<Row> digits;
  static String[] pixels = new String[64];

  @BeforeAll
  static void table() {
    for (int j = 0; j < 64; j++) {
      pixels[j] = "p" + j;
    }
    digits =
        Tables.csv("digits.csv")
            .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id())
            .cache();
  }

  private static AutoencoderNovelty stage() {
    return new AutoencoderNovelty().setFeaturesCols(pixels).setIdCol("id").setSteps(1500);
  }

  @Test
  void noiseImagesAreUnfamiliarInAPipelineThatSavesLoadsAndCopies() throws Exception {
    Dataset<Row> train = digits.filter(col("id").lt(1200));
    Dataset<Row> heldOut = digits.filter(col("id").geq(1200)).drop("digit");
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage()}).fit(train);
    Dataset<Row> test = heldOut.unionByName(noise(heldOut.schema(), 500));
    List<Row> out = fitted.transform(test).orderBy("id").collectAsList();
    List<Double> familiar = new ArrayList<>();
    List<Double> unfamiliar = new ArrayList<>();
    int flaggedDigits = 0;
    int flaggedNoise = 0;
    for (Row r : out) {
      double e = r.getAs("uncertainty_reconstruction_error");
      boolean flag = r.getAs("uncertainty_unfamiliar");
      if (r.<Long>getAs("id") >= 100_000) {
        unfamiliar.add(e);
        flaggedNoise += flag ? 1 : 0;
      } else {
        familiar.add(e);
        flaggedDigits += flag ? 1 : 0;
      }
    }
    double auroc =
        Auroc.of(
            familiar.stream().mapToDouble(d -> d).toArray(),
            unfamiliar.stream().mapToDouble(d -> d).toArray());
    assertTrue(auroc >= 0.9, "AUROC " + auroc);
    assertTrue(flaggedNoise >= 490, "noise images flagged: " + flaggedNoise);
    assertTrue(flaggedDigits < 0.1 * familiar.size(), "held-out digits flagged: " + flaggedDigits);

    Path dir = Files.createTempDirectory("autoencoder");
    fitted.write().overwrite().save(dir.resolve("p").toString());
    PipelineModel loaded = PipelineModel.load(dir.resolve("p").toString());
    assertEquals(out, loaded.transform(test).orderBy("id").collectAsList(), "same bits loaded");
    AutoencoderNoveltyModel model = (AutoencoderNoveltyModel) fitted.stages()[0];
    AutoencoderNoveltyModel copy = model.copy(new ParamMap().put(model.threshold().w(1e9)));
    assertEquals(0, copy.transform(test).filter(col("uncertainty_unfamiliar")).count());
    assertEquals(99.0, copy.getPercentile(), 0);
    assertEquals(1200, model.getTrainingRows());
    AutoencoderNovelty original = stage();
    AutoencoderNovelty estimator = original.copy(new ParamMap().put(original.steps().w(7)));
    assertEquals(7, estimator.getSteps());
    assertEquals(1500, original.getSteps());
  }

  @Test
  void theFitAndItsSampleDoNotDependOnThePartitioning() {
    AutoencoderNovelty small = stage().setSteps(100).setMaxRows(600);
    AutoencoderNoveltyModel one = small.fit(digits.repartition(1));
    AutoencoderNoveltyModel five = small.fit(digits.repartition(5));
    assertEquals(one.getTrainingRows(), five.getTrainingRows());
    // About 600 of 1797 rows, within 4 binomial standard deviations.
    double sd = Math.sqrt(1797 * (600.0 / 1797) * (1 - 600.0 / 1797));
    assertEquals(600, one.getTrainingRows(), 4 * sd);
    assertArrayEquals(one.autoencoder().weights()[0], five.autoencoder().weights()[0]);
    assertEquals(one.getThreshold(), five.getThreshold(), 0);
  }

  @Test
  void badInputIsNamedBeforeAnyOutput() {
    Exception e = assertThrows(Exception.class, () -> stage().fit(digits.drop("p5")));
    assertTrue(e.getMessage().contains("p5"), e.getMessage());
    Dataset<Row> withNan =
        digits.withColumn(
            "p3",
            org.apache
                .spark
                .sql
                .functions
                .when(col("id").equalTo(17), Double.NaN)
                .otherwise(col("p3").cast("double")));
    e = assertThrows(Exception.class, () -> stage().setSteps(5).fit(withNan));
    assertTrue(rootMessage(e).contains("id=17"), rootMessage(e));
    AutoencoderNoveltyModel model = stage().setSteps(5).setOnInvalid("skip").fit(withNan);
    assertEquals(1796, model.getTrainingRows());
    assertThrows(
        InvalidFeatureException.class,
        () -> new AutoencoderNovelty().transformSchema(digits.schema()));
  }

  private static String rootMessage(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append(" | ");
    }
    return all.toString();
  }

  /** {@code n} noise images with ids from 100,000, in the digits' schema (no label). */
  private static Dataset<Row> noise(StructType schema, int n) {
    double[][] images = Digits.noise(n, 9);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] values = new Object[65];
      for (int j = 0; j < 64; j++) {
        values[j] = (int) images[i][j];
      }
      values[64] = 100_000L + i;
      rows.add(RowFactory.create(values));
    }
    StructType s = new StructType();
    for (int j = 0; j < 64; j++) {
      s = s.add("p" + j, DataTypes.IntegerType);
    }
    s = s.add("id", DataTypes.LongType);
    String[] names = schema.fieldNames();
    return SparkTestSession.get()
        .createDataFrame(rows, s)
        .selectExpr(names)
        .select(
            java.util.Arrays.stream(names)
                .map(c -> col(c).cast(schema.apply(c).dataType()))
                .toArray(org.apache.spark.sql.Column[]::new));
  }
}
