package io.trustlens.uncertainty.dropout;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.model.InvalidModelException;
import io.trustlens.model.OutputKind;
import io.trustlens.testing.Tables;
import io.trustlens.uncertainty.Spread;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Monte Carlo dropout stage on Spark: MLlib's stage contract, the core's bits, refusals. */
class McDropoutUncertaintyTest {
  private static final String CNN = "datasets/models/torch/digits_cnn.pt";
  static Dataset<Row> digits;

  @BeforeAll
  static void table() {
    digits =
        Tables.csv("digits.csv")
            .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id())
            .limit(300)
            .cache();
  }

  @Test
  void columnsAreTheSpreadOfTheCoresPassesInAPipelineThatCopiesSavesAndLoads() throws Exception {
    McDropoutUncertainty stage =
        new McDropoutUncertainty().setModelPath(CNN).setPasses(20).setSeed(5).setIdCol("id");
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(digits);
    List<Row> out = fitted.transform(digits.repartition(7)).orderBy("id").collectAsList();

    McDropout core = new McDropout(McDropoutTest.digitsCnn(), 20, 5);
    for (int i : new int[] {0, 123, 299}) {
      Row row = out.get(i);
      double[] x = new double[64];
      for (int j = 0; j < 64; j++) {
        x[j] = ((Number) row.getAs("p" + j)).doubleValue();
      }
      double[] logits = core.outputs(x, new long[] {row.<Long>getAs("id")}, 1);
      double[] p = new double[200];
      for (int t = 0; t < 20; t++) {
        double[] one = new double[10];
        OutputKind.LOGIT.probabilities(logits, t * 10, 10, one);
        System.arraycopy(one, 0, p, t * 10, 10);
      }
      Spread.Classification s = Spread.ofProbabilities(p, 20, 10);
      assertEquals(s.entropy(), row.<Double>getAs("uncertainty_entropy"), 0);
      assertEquals(s.mutualInformation(), row.<Double>getAs("uncertainty_mutual_information"), 0);
      assertEquals(s.disagreement(), row.<Double>getAs("uncertainty_disagreement"), 0);
      assertEquals(s.prediction(), row.<Double>getAs("uncertainty_prediction"), 0);
    }
    assertEquals(
        out, fitted.transform(digits.coalesce(1)).orderBy("id").collectAsList(), "1 vs 7 parts");
    double accuracy =
        out.stream()
                .filter(
                    r ->
                        r.<Double>getAs("uncertainty_prediction")
                            == r.<Integer>getAs("digit").doubleValue())
                .count()
            / (double) out.size();
    assertTrue(accuracy > 0.95, "the mean of the passes predicts the digit: " + accuracy);
    assertTrue(
        out.stream().anyMatch(r -> r.<Double>getAs("uncertainty_mutual_information") > 0),
        "passes differ");

    Path dir = Files.createTempDirectory("mcdropout");
    fitted.write().overwrite().save(dir.resolve("pipeline").toString());
    assertEquals(
        out,
        PipelineModel.load(dir.resolve("pipeline").toString())
            .transform(digits)
            .orderBy("id")
            .collectAsList());
    McDropoutUncertainty copy = stage.copy(new ParamMap().put(stage.passes().w(7)));
    assertEquals(7, copy.getPasses());
    assertEquals(CNN, copy.getModelPath());
    assertEquals(5L, copy.getSeed());
    assertEquals(20, stage.getPasses());
    List<Row> other =
        new McDropoutUncertainty()
            .setModelPath(CNN)
            .setPasses(20)
            .setSeed(6)
            .setIdCol("id")
            .transform(digits)
            .orderBy("id")
            .collectAsList();
    assertTrue(!out.equals(other), "another seed, other passes");
    assertTrue(
        fitted
            .transform(digits)
            .schema()
            .apply("uncertainty_std")
            .metadata()
            .getString("meaning")
            .contains("passes"));
  }

  @Test
  void modelsWithoutMonteCarloDropoutAreRefusedBeforeAnyTask() throws Exception {
    InvalidModelException e =
        assertThrows(
            InvalidModelException.class,
            () ->
                new McDropoutUncertainty()
                    .setModelPath("datasets/models/torch/breast_cancer_mlp.pt")
                    .transformSchema(Tables.csv("breast_cancer.csv").schema()));
    assertTrue(e.getMessage().contains("forward_mc(x, noise)"), e.getMessage());
    Dataset<Row> iris = Tables.assembled("iris.csv", "species");
    Path lr = Files.createTempDirectory("mc-lr").resolve("lr");
    new LogisticRegression()
        .setLabelCol("species")
        .fit(iris.withColumn("species", col("species").cast("double")))
        .write()
        .save(lr.toString());
    e =
        assertThrows(
            InvalidModelException.class,
            () ->
                new McDropoutUncertainty()
                    .setModelPath(lr.toString())
                    .transformSchema(iris.schema()));
    assertTrue(e.getMessage().contains("no Monte Carlo dropout"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new McDropoutUncertainty().setPasses(1));
  }

  @Test
  void aMissingFeatureColumnIsNamed() {
    Exception e =
        assertThrows(
            Exception.class,
            () ->
                new McDropoutUncertainty()
                    .setModelPath(CNN)
                    .transformSchema(digits.drop("p17").schema()));
    assertTrue(e.getMessage().contains("p17"), e.getMessage());
    assertArrayEquals(new String[0], new McDropoutUncertainty().getFeaturesCols());
  }
}
