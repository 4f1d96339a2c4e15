package io.trustlens.uncertainty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explain.shap.Background;
import io.trustlens.explain.shap.ShapExplainer;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.OutputKind;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The spread of the members' explanations: exact zero for one model, the members' own values. */
class ExplanationSpreadTest {
  static Dataset<Row> iris;
  static String rf1;
  static String rf2;
  static String rf3;
  static String lr;

  @BeforeAll
  static void members() throws Exception {
    iris =
        Tables.assembled("iris.csv", "species")
            .withColumn("label", org.apache.spark.sql.functions.col("species").cast("double"))
            .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id())
            .cache();
    Path dir = Files.createTempDirectory("explanation-spread");
    rf1 = save(dir, "rf1", 1);
    rf2 = save(dir, "rf2", 2);
    rf3 = save(dir, "rf3", 3);
    lr = dir.resolve("lr").toString();
    new LogisticRegression().setRegParam(0.1).fit(iris).write().save(lr);
  }

  private static String save(Path dir, String name, long seed) throws Exception {
    String path = dir.resolve(name).toString();
    new RandomForestClassifier()
        .setNumTrees(4)
        .setMaxDepth(3)
        .setSeed(seed)
        .fit(iris)
        .write()
        .save(path);
    return path;
  }

  @Test
  void theCoreGivesExactZeroForAgreeingMembersAndFindsADisputedSign() {
    double[] same = {0.5, -0.2, 0.0, 0.5, -0.2, 0.0};
    ShapSpread s = ShapSpread.of(same, 2, 3, 3);
    assertArrayEquals(new double[] {0, 0, 0}, s.std());
    assertArrayEquals(new double[] {0.5, -0.2, 0.0}, s.mean());
    assertFalse(s.signDisagreement());
    double[] disputed = {0.6, 0.1, -0.3, 0.2, -0.1, -0.1};
    s = ShapSpread.of(disputed, 2, 3, 2);
    // |mean| order: player 0 (0.4), player 2 (0.2), player 1 (0.0): player 1 is not in the top 2.
    assertFalse(s.signDisagreement());
    s = ShapSpread.of(disputed, 2, 3, 3);
    assertTrue(s.signDisagreement());
    assertEquals(1, s.unstable());
    assertEquals(0.2, s.std()[0], 1e-15);
  }

  @Test
  void oneModelRepeatedHasNoSpreadAndDifferentMembersAverageTheirOwnValues() throws Exception {
    List<Row> same =
        new ExplanationSpread()
            .setModelPaths(rf1, rf1, rf1)
            .setVectorCol("features")
            .setIdCol("id")
            .transform(iris)
            .collectAsList();
    for (Row r : same) {
      for (double v : doubles(r.getAs("uncertainty_shap_std"))) {
        assertEquals(0, v, 0);
      }
      assertFalse(r.<Boolean>getAs("uncertainty_shap_sign_disagreement"));
    }
    ExplanationSpread stage =
        new ExplanationSpread()
            .setModelPaths(rf1, rf2, rf3)
            .setVectorCol("features")
            .setIdCol("id");
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(iris);
    List<Row> out = fitted.transform(iris.repartition(4)).orderBy("id").collectAsList();
    double[][][] own = new double[3][][];
    int m = 0;
    for (String rf : List.of(rf1, rf2, rf3)) {
      FeatureSpace space = FeatureSpace.ofVector(iris.schema(), "features", 4);
      own[m++] =
          new ShapExplainer(
                  new ModelLoader(SparkTestSession.get())
                      .load(rf, 4, OutputKind.PROBABILITY)
                      .source(),
                  space,
                  Background.of(new double[4], 4))
                  .setMethod("tree")
                  .setTarget("all")
                  .setIdCol("id")
                  .transform(iris)
                  .orderBy("id")
                  .collectAsList()
                  .stream()
                  .map(r -> classValues(r, out))
                  .toArray(double[][]::new);
    }
    boolean anySpread = false;
    int disputed = 0;
    for (int i = 0; i < out.size(); i++) {
      Row r = out.get(i);
      double[] mean = doubles(r.getAs("uncertainty_shap_mean"));
      double[] std = doubles(r.getAs("uncertainty_shap_std"));
      for (int j = 0; j < 4; j++) {
        double expected = (own[0][i][j] + own[1][i][j] + own[2][i][j]) / 3;
        assertEquals(expected, mean[j], 1e-12, "row " + i + " player " + j);
        anySpread |= std[j] > 0;
      }
      disputed += r.<Boolean>getAs("uncertainty_shap_sign_disagreement") ? 1 : 0;
    }
    assertTrue(anySpread, "three forests explain some rows differently");
    System.out.println("iris rows whose members dispute a top player's sign: " + disputed);
    assertEquals(out, fitted.transform(iris.coalesce(1)).orderBy("id").collectAsList(), "1 vs 4");
    Path dir = Files.createTempDirectory("explanation-spread-stage");
    fitted.write().overwrite().save(dir.toString());
    assertEquals(
        out, PipelineModel.load(dir.toString()).transform(iris).orderBy("id").collectAsList());
    ExplanationSpread copy = stage.copy(new ParamMap().put(stage.topPlayers().w(1)));
    assertEquals(1, copy.getTopPlayers());
    assertEquals(3, stage.getTopPlayers());
  }

  @Test
  void treeNeedsTreeMembersOfOneTypeAndKernelExplainsAnyMembers() {
    InvalidModelException e =
        assertThrows(
            InvalidModelException.class,
            () ->
                new ExplanationSpread()
                    .setModelPaths(rf1, lr)
                    .setVectorCol("features")
                    .transformSchema(iris.schema()));
    assertTrue(e.getMessage().contains("use kernel or permutation"), e.getMessage());
    List<Row> kernel =
        new ExplanationSpread()
            .setModelPaths(rf1, lr)
            .setMethod("kernel")
            .setBackgroundRows(10)
            .setVectorCol("features")
            .setIdCol("id")
            .transform(iris.limit(20))
            .collectAsList();
    assertEquals(20, kernel.size());
    assertTrue(
        kernel.stream().anyMatch(r -> doubles(r.getAs("uncertainty_shap_std"))[2] > 0),
        "a forest and a logistic regression explain differently");
  }

  /** The member's values for the class the spread explained in the same row of {@code out}. */
  private static double[] classValues(Row member, List<Row> out) {
    long id = member.getAs("id");
    int k =
        out.stream()
            .filter(r -> r.<Long>getAs("id") == id)
            .findFirst()
            .get()
            .getAs("uncertainty_shap_class");
    scala.collection.Seq<?> all = member.getAs("shap");
    return doubles(all.apply(k));
  }

  private static double[] doubles(Object seq) {
    scala.collection.Seq<?> s = (scala.collection.Seq<?>) seq;
    double[] d = new double[s.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = ((Number) s.apply(i)).doubleValue();
    }
    return d;
  }
}
