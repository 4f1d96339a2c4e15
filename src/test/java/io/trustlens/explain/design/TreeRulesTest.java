package io.trustlens.explain.design;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explain.shap.TreeEnsemble;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules read in the user's words, reproduce the tree's predictions and count its training rows. */
class TreeRulesTest {
  @TempDir Path dir;

  @Test
  void mergesSplitsPerFeatureAndReadsOneHotSlots() {
    // age <= 30 ? (region=south <= 0.5 ? leaf 3 : leaf 4) : (age <= 45 ? leaf 5 : leaf 6)
    TreeEnsemble.Tree tree =
        new TreeEnsemble.Tree(
            new int[] {0, 1, 0, 0, 0, 0, 0},
            new double[] {30, 0.5, 45, 0, 0, 0, 0},
            new double[7][],
            new int[] {1, 3, 5, -1, -1, -1, -1},
            new int[] {2, 4, 6, -1, -1, -1, -1},
            new double[] {100, 40, 60, 30, 10, 35, 25},
            new double[] {0, 0, 0, 0, 0, 0, 0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7},
            2);
    TreeEnsemble ensemble =
        new TreeEnsemble(new TreeEnsemble.Tree[] {tree}, new double[] {1}, 2, "class probability");
    TreeRules rules =
        new TreeRules(ensemble, List.of("age", "region=south"), List.of("stays", "leaves"), null);
    assertEquals("age ≤ 30 AND region ≠ south → stays, p = 0.90, n = 30", rules.rule(0, 3));
    assertEquals("age ≤ 30 AND region = south → leaves, p = 0.80, n = 10", rules.rule(0, 4));
    assertEquals("30 < age ≤ 45 → stays, p = 0.60, n = 35", rules.rule(0, 5));
    assertEquals("age > 45 → leaves, p = 0.70, n = 25", rules.rule(0, 6));
    assertEquals(4, rules.leaf(0, new double[] {29.5, 1}));
    assertEquals(6, rules.leaf(0, new double[] {46, 0}));
    assertEquals("age ≤ 30", rules.split(0, 0));
    assertEquals("region ≠ south", rules.split(0, 1));
    assertEquals("age ≤ 45", rules.split(0, 2));
  }

  @Test
  void decisionTreeRulesReproducePredictionsAndTrainingCounts() throws Exception {
    Dataset<Row> credit = LinearTermsTest.credit();
    PipelineModel fitted =
        LinearTermsTest.fit(new DecisionTreeClassifier().setLabelCol("default").setMaxDepth(4));
    String path = dir.resolve("tree").toString();
    fitted.write().save(path);
    TreeRulesExplainer stage = new TreeRulesExplainer().setModelPath(path).setIdCol("id");
    List<Row> rows =
        stage
            .transform(credit)
            .join(fitted.transform(credit).select("id", "prediction", "probability"), "id")
            .collectAsList();
    assertEquals(2000, rows.size());
    TreeRules rules = stage.rules(credit.schema());
    DecisionTreeClassificationModel dt = (DecisionTreeClassificationModel) fitted.stages()[3];
    Map<Integer, Integer> perLeaf = new HashMap<>();
    boolean oneHotRead = false;
    for (Row r : rows) {
      int leaf = r.<Integer>getList(r.fieldIndex("rule_leaves")).get(0);
      perLeaf.merge(leaf, 1, Integer::sum);
      String rule = r.getString(r.fieldIndex("rule"));
      assertEquals(rules.rule(0, leaf), rule);
      double predicted = r.getDouble(r.fieldIndex("prediction"));
      assertEquals((int) predicted, rules.predictedClass(0, leaf), rule);
      double p = ((Vector) r.getAs("probability")).apply((int) predicted);
      assertTrue(
          rule.contains(String.format(java.util.Locale.ROOT, "p = %.2f", p)), rule + " " + p);
      assertFalse(rule.contains("region=") || rule.contains("features"), rule);
      oneHotRead |=
          rule.contains("region = ") || rule.contains("region ≠ ") || rule.contains("region ∉");
    }
    // The tree was fitted on these rows unweighted: each leaf's training count is its rows.
    for (var e : perLeaf.entrySet()) {
      assertEquals(rules.cover(0, e.getKey()), e.getValue(), 1e-9, "leaf " + e.getKey());
    }
    assertEquals((dt.numNodes() + 1) / 2, perLeaf.size(), "every leaf holds training rows");
    assertTrue(oneHotRead, "a split on region reads as region = or region ≠");

    PipelineModel inPipeline = new Pipeline().setStages(new PipelineStage[] {stage}).fit(credit);
    Dataset<Row> direct = stage.transform(credit.limit(50));
    assertEquals(0, inPipeline.transform(credit.limit(50)).exceptAll(direct).count());
    TreeRulesExplainer copy = stage.copy(new ParamMap().put(stage.outputCol().w("path")));
    assertEquals("rule", stage.getOutputCol());
    assertTrue(List.of(copy.transform(credit.limit(5)).columns()).contains("path"));
    String saved = dir.resolve("stage").toString();
    stage.write().overwrite().save(saved);
    assertEquals(
        0, TreeRulesExplainer.load(saved).transform(credit.limit(50)).exceptAll(direct).count());
  }

  @Test
  void anEnsemblesLeavesAddUpToItsMarginAndOtherModelsAreRefused() throws Exception {
    Dataset<Row> credit = LinearTermsTest.credit().limit(200);
    TreeRulesExplainer stage = new TreeRulesExplainer().setModelPath("datasets/models/credit_gbt");
    Dataset<Row> out = stage.transform(credit);
    assertFalse(List.of(out.columns()).contains("rule"), "no single rule for an ensemble");
    PipelineModel gbt = PipelineModel.load("datasets/models/credit_gbt");
    GBTClassificationModel model = (GBTClassificationModel) gbt.stages()[gbt.stages().length - 1];
    TreeEnsemble ensemble = TreeEnsemble.of(model);
    List<Row> rows =
        out.join(gbt.transform(credit).select("id", "rawPrediction"), "id").collectAsList();
    for (Row r : rows) {
      List<Integer> leaves = r.getList(r.fieldIndex("rule_leaves"));
      assertEquals(model.getNumTrees(), leaves.size());
      double margin = 0;
      for (int t = 0; t < leaves.size(); t++) {
        margin += ensemble.weights()[t] * ensemble.trees()[t].values()[leaves.get(t) * 2 + 1];
      }
      assertEquals(((Vector) r.getAs("rawPrediction")).apply(1), margin, 1e-9);
    }
    String rule =
        stage
            .rules(credit.schema())
            .rule(0, rows.get(0).<Integer>getList(rows.get(0).fieldIndex("rule_leaves")).get(0));
    assertTrue(rule.contains("to the margin"), rule);

    PipelineModel logistic = LinearTermsTest.fit(new LogisticRegression().setLabelCol("default"));
    String path = dir.resolve("logistic").toString();
    logistic.write().save(path);
    Exception e =
        assertThrows(
            Exception.class,
            () -> new TreeRulesExplainer().setModelPath(path).transformSchema(credit.schema()));
    assertTrue(e.getMessage().contains("not LogisticRegressionModel"), e.getMessage());
    assertArrayEquals(new int[0], new int[0]);
  }
}
