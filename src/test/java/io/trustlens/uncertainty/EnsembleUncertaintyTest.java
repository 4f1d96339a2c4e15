package io.trustlens.uncertainty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.model.InvalidModelException;
import io.trustlens.testing.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EnsembleUncertaintyTest {
  static Dataset<Row> iris;
  static Path dir;
  static List<String> members = new ArrayList<>();

  @BeforeAll
  static void members() throws Exception {
    iris =
        Tables.assembled("iris.csv", "species")
            .withColumn("label", org.apache.spark.sql.functions.col("species").cast("double"))
            .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id())
            .cache();
    dir = Files.createTempDirectory("ensemble");
    String lr = dir.resolve("lr").toString();
    new LogisticRegression().setRegParam(0.1).fit(iris).write().save(lr);
    String rf1 = dir.resolve("rf1").toString();
    new RandomForestClassifier().setNumTrees(5).setSeed(1).fit(iris).write().save(rf1);
    String rf2 = dir.resolve("rf2").toString();
    new RandomForestClassifier().setNumTrees(5).setSeed(2).fit(iris).write().save(rf2);
    members.addAll(List.of(lr, rf1, rf2));
  }

  @Test
  void columnsEqualTheSpreadOfTheMembersOwnProbabilities() throws Exception {
    EnsembleUncertainty stage =
        new EnsembleUncertainty().setModelPaths(members.toArray(new String[0])).setIdCol("id");
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(iris);
    List<Row> out = fitted.transform(iris).orderBy("id").collectAsList();
    List<List<Row>> own = new ArrayList<>();
    own.add(
        org.apache.spark.ml.classification.LogisticRegressionModel.load(members.get(0))
            .transform(iris)
            .orderBy("id")
            .collectAsList());
    for (String rf : members.subList(1, 3)) {
      own.add(
          org.apache.spark.ml.classification.RandomForestClassificationModel.load(rf)
              .transform(iris)
              .orderBy("id")
              .collectAsList());
    }
    double maxDisagreement = 0;
    for (int i = 0; i < out.size(); i++) {
      double[] draws = new double[9];
      for (int k = 0; k < 3; k++) {
        Vector p = own.get(k).get(i).getAs("probability");
        System.arraycopy(p.toArray(), 0, draws, 3 * k, 3);
      }
      Spread.Classification expected = Spread.ofProbabilities(draws, 3, 3);
      Row r = out.get(i);
      assertEquals(expected.entropy(), r.<Double>getAs("uncertainty_entropy"), 1e-12);
      assertEquals(
          expected.mutualInformation(), r.<Double>getAs("uncertainty_mutual_information"), 1e-12);
      assertEquals(expected.disagreement(), r.<Double>getAs("uncertainty_disagreement"), 0);
      assertEquals(expected.prediction(), r.<Double>getAs("uncertainty_prediction"), 0);
      maxDisagreement = Math.max(maxDisagreement, expected.disagreement());
    }
    assertTrue(maxDisagreement > 0, "some iris rows split the members");
    String path = dir.resolve("stage").toString();
    fitted.write().overwrite().save(path);
    List<Row> again = PipelineModel.load(path).transform(iris).orderBy("id").collectAsList();
    assertEquals(out, again);
    EnsembleUncertainty copy = stage.copy(ParamMap.empty());
    assertEquals(List.of(stage.getModelPaths()), List.of(copy.getModelPaths()));
    assertTrue(iris.schema().size() + 7 == fitted.transform(iris).schema().size(), "seven columns");
    assertTrue(
        fitted
            .transform(iris)
            .schema()
            .apply("uncertainty_mutual_information")
            .metadata()
            .getString("meaning")
            .contains("epistemic"));
  }

  @Test
  void noiseImagesSplitADeepEnsembleMoreThanUnseenDigits() {
    // Deep ensembles (arXiv 1612.01474): five MLPs that differ only in their initial weights,
    // trained on bootstrap resamples of digit rows 0..1199 (export_models.py), agree on unseen
    // digits and disagree on
    // noise images.
    List<String> nets = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      nets.add("datasets/models/torch/digits_mlp_" + k + ".pt");
    }
    Dataset<Row> digits =
        Tables.csv("digits.csv")
            .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
    Dataset<Row> unseen = digits.filter("id >= 1200").drop("digit");
    List<Row> noise = new ArrayList<>();
    double[][] images = io.trustlens.testing.Digits.noise(500, 9);
    for (int i = 0; i < images.length; i++) {
      Object[] values = new Object[65];
      for (int j = 0; j < 64; j++) {
        values[j] = (int) images[i][j];
      }
      values[64] = 100_000L + i;
      noise.add(org.apache.spark.sql.RowFactory.create(values));
    }
    Dataset<Row> test =
        unseen.union(
            io.trustlens.testing.SparkTestSession.get().createDataFrame(noise, unseen.schema()));
    List<Row> out =
        new EnsembleUncertainty()
            .setModelPaths(nets.toArray(new String[0]))
            .setIdCol("id")
            .transform(test)
            .collectAsList();
    double[] familiar =
        out.stream()
            .filter(r -> r.<Long>getAs("id") < 100_000)
            .mapToDouble(r -> r.<Double>getAs("uncertainty_mutual_information"))
            .toArray();
    double[] unfamiliar =
        out.stream()
            .filter(r -> r.<Long>getAs("id") >= 100_000)
            .mapToDouble(r -> r.<Double>getAs("uncertainty_mutual_information"))
            .toArray();
    assertEquals(597, familiar.length);
    double auroc = io.trustlens.testing.Auroc.of(familiar, unfamiliar);
    double entropy =
        io.trustlens.testing.Auroc.of(
            out.stream()
                .filter(r -> r.<Long>getAs("id") < 100_000)
                .mapToDouble(r -> r.<Double>getAs("uncertainty_entropy"))
                .toArray(),
            out.stream()
                .filter(r -> r.<Long>getAs("id") >= 100_000)
                .mapToDouble(r -> r.<Double>getAs("uncertainty_entropy"))
                .toArray());
    System.out.printf(
        java.util.Locale.ROOT,
        "deep ensemble of 5 MLPs, unseen digits vs noise: AUROC mutual information %.4f,"
            + " predictive entropy %.4f%n",
        auroc,
        entropy);
    assertTrue(auroc >= 0.9, "AUROC of the mutual information " + auroc);
    assertTrue(entropy >= 0.9, "AUROC of the predictive entropy " + entropy);
  }

  @Test
  void identicalMembersCarryNoEpistemicUncertainty() {
    String lr = members.get(0);
    Dataset<Row> out =
        new EnsembleUncertainty().setModelPaths(lr, lr, lr).transform(iris.repartition(5));
    Row max =
        out.agg(
                org.apache.spark.sql.functions.max("uncertainty_mutual_information"),
                org.apache.spark.sql.functions.max("uncertainty_std"),
                org.apache.spark.sql.functions.max("uncertainty_disagreement"))
            .first();
    assertEquals(0, max.getDouble(0), 0);
    assertEquals(0, max.getDouble(1), 0);
    assertEquals(0, max.getDouble(2), 0);
  }

  @Test
  void membersThatReadDifferentFeaturesOrTooFewMembersAreRefused() throws Exception {
    String other = dir.resolve("lr_other").toString();
    new LogisticRegression()
        .setFeaturesCol("features2")
        .fit(iris.withColumnRenamed("features", "features2"))
        .write()
        .save(other);
    InvalidModelException e =
        assertThrows(
            InvalidModelException.class,
            () -> new EnsembleUncertainty().setModelPaths(members.get(0), other).transform(iris));
    assertTrue(e.getMessage().contains("read different features"), e.getMessage());
    e =
        assertThrows(
            InvalidModelException.class,
            () -> new EnsembleUncertainty().setModelPaths(members.get(0)).transform(iris));
    assertTrue(e.getMessage().contains("at least two models"), e.getMessage());
  }
}
