package io.trustlens.uncertainty.bayes;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** The Bayesian network stages on Spark: MLlib's contract, unfamiliar rows, partition-free bits. */
class BayesianNeuralNetworkTest {
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

  @Test
  void noiseImagesCarryMoreMutualInformationInAPipelineThatSavesLoadsAndCopies() throws Exception {
    BayesianNeuralNetwork bnn =
        new BayesianNeuralNetwork()
            .setFeaturesCols(pixels)
            .setLabelCol("digit")
            .setIdCol("id")
            .setSteps(2000)
            .setSamples(20);
    PipelineModel fitted =
        new Pipeline().setStages(new PipelineStage[] {bnn}).fit(digits.filter(col("id").lt(1200)));
    Dataset<Row> heldOut = digits.filter(col("id").geq(1200));
    Dataset<Row> test = heldOut.unionByName(noise(heldOut.schema(), 400));
    List<Row> out = fitted.transform(test.repartition(5)).orderBy("id").collectAsList();
    List<Double> familiar = new ArrayList<>();
    List<Double> unfamiliar = new ArrayList<>();
    int right = 0;
    for (Row r : out) {
      double mi = r.getAs("uncertainty_mutual_information");
      if (r.<Long>getAs("id") >= 100_000) {
        unfamiliar.add(mi);
      } else {
        familiar.add(mi);
        right +=
            r.<Double>getAs("uncertainty_prediction") == r.<Integer>getAs("digit").doubleValue()
                ? 1
                : 0;
      }
    }
    double auroc =
        Auroc.of(
            familiar.stream().mapToDouble(d -> d).toArray(),
            unfamiliar.stream().mapToDouble(d -> d).toArray());
    assertTrue(auroc >= 0.9, "AUROC " + auroc);
    assertTrue(
        right >= 0.88 * familiar.size(), "held-out accuracy " + right + "/" + familiar.size());
    assertEquals(out, fitted.transform(test.coalesce(1)).orderBy("id").collectAsList(), "1 vs 5");

    Path dir = Files.createTempDirectory("bnn");
    fitted.write().overwrite().save(dir.resolve("p").toString());
    assertEquals(
        out,
        PipelineModel.load(dir.resolve("p").toString())
            .transform(test)
            .orderBy("id")
            .collectAsList(),
        "same bits loaded");
    BayesianNeuralNetworkModel model = (BayesianNeuralNetworkModel) fitted.stages()[0];
    assertEquals(1200, model.getTrainingRows());
    BayesianNeuralNetworkModel copy = model.copy(new ParamMap().put(model.samples().w(5)));
    assertEquals(5, copy.getSamples());
    assertEquals(20, model.getSamples());
    assertTrue(!out.equals(copy.transform(test).orderBy("id").collectAsList()), "5 draws differ");
    assertTrue(
        fitted
            .transform(test)
            .schema()
            .apply("uncertainty_std")
            .metadata()
            .getString("meaning")
            .contains("weight samples"));
  }

  @Test
  void aRegressionLearnsItsNoiseAndBadLabelsAreNamed() {
    Dataset<Row> diabetes =
        Tables.csv("diabetes.csv")
            .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
    String[] features =
        java.util.Arrays.stream(diabetes.columns())
            .filter(c -> !c.equals("progression") && !c.equals("id"))
            .toArray(String[]::new);
    BayesianNeuralNetworkModel model =
        new BayesianNeuralNetwork()
            .setKind("regression")
            .setFeaturesCols(features)
            .setLabelCol("progression")
            .setSteps(1500)
            .fit(diabetes);
    Row mean =
        model
            .transform(diabetes)
            .agg(
                org.apache.spark.sql.functions.avg("uncertainty_mean"),
                org.apache.spark.sql.functions.avg("uncertainty_std"))
            .first();
    double labelMean =
        diabetes.agg(org.apache.spark.sql.functions.avg("progression")).first().getDouble(0);
    assertEquals(labelMean, mean.getDouble(0), 0.1 * labelMean, "predictions in the label's units");
    assertTrue(mean.getDouble(1) > 0, "draws differ");
    assertTrue(model.getNoise() > 30 && model.getNoise() < 80, "noise " + model.getNoise());
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                new BayesianNeuralNetwork()
                    .setFeaturesCols(features)
                    .setLabelCol("progression")
                    .setSteps(5)
                    .fit(diabetes));
    assertTrue(e.getMessage().contains("set kind regression"), e.getMessage());
  }

  /** {@code n} noise images with ids from 100,000, in {@code schema}. */
  static Dataset<Row> noise(StructType schema, int n) {
    double[][] images = Digits.noise(n, 9);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] values = new Object[66];
      for (int j = 0; j < 64; j++) {
        values[j] = (int) images[i][j];
      }
      values[64] = -1;
      values[65] = 100_000L + i;
      rows.add(RowFactory.create(values));
    }
    StructType s = new StructType();
    for (int j = 0; j < 64; j++) {
      s = s.add("p" + j, DataTypes.IntegerType);
    }
    s = s.add("digit", DataTypes.IntegerType).add("id", DataTypes.LongType);
    return SparkTestSession.get()
        .createDataFrame(rows, s)
        .select(
            schema.fieldNames()[0],
            java.util.Arrays.copyOfRange(schema.fieldNames(), 1, schema.size()));
  }
}
