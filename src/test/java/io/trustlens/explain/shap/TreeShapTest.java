package io.trustlens.explain.shap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.classification.ClassificationModel;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.VectorIndexer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.DecisionTreeRegressor;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TreeSHAP equals a brute-force path-dependent oracle on real MLlib trees. */
class TreeShapTest {
  private static final int M = 7;

  /** Rows with 6 continuous features and one categorical (3 values), labels from a known rule. */
  private static Dataset<Row> data() {
    SplittableRandom r = new SplittableRandom(11);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      double[] x = new double[M];
      for (int j = 0; j < M - 1; j++) {
        x[j] = r.nextDouble(-2, 2);
      }
      x[M - 1] = r.nextInt(3);
      double y = x[0] * x[1] + Math.sin(x[2]) + (x[M - 1] == 2 ? 1.5 : 0) + 0.3 * r.nextGaussian();
      double cls3 = y < -0.5 ? 0 : y < 1 ? 1 : 2;
      rows.add(RowFactory.create(Vectors.dense(x), y, y > 0.5 ? 1.0 : 0.0, cls3));
    }
    StructType schema =
        new StructType()
            .add("raw", new VectorUDT())
            .add("y", DataTypes.DoubleType)
            .add("binary", DataTypes.DoubleType)
            .add("three", DataTypes.DoubleType);
    Dataset<Row> df = SparkTestSession.get().createDataFrame(rows, schema);
    return new VectorIndexer()
        .setInputCol("raw")
        .setOutputCol("features")
        .setMaxCategories(3)
        .fit(df)
        .transform(df);
  }

  static Stream<Arguments> models() {
    Dataset<Row> d = data();
    return Stream.of(
        Arguments.of(
            "decision tree regressor",
            new DecisionTreeRegressor().setLabelCol("y").setMaxDepth(5).fit(d)),
        Arguments.of(
            "random forest regressor",
            new RandomForestRegressor()
                .setLabelCol("y")
                .setNumTrees(5)
                .setMaxDepth(4)
                .setSeed(2)
                .fit(d)),
        Arguments.of(
            "gbt regressor",
            new GBTRegressor().setLabelCol("y").setMaxIter(8).setMaxDepth(3).setSeed(2).fit(d)),
        Arguments.of(
            "decision tree, 3 classes",
            new DecisionTreeClassifier().setLabelCol("three").setMaxDepth(5).fit(d)),
        Arguments.of(
            "random forest, 3 classes",
            new RandomForestClassifier()
                .setLabelCol("three")
                .setNumTrees(5)
                .setMaxDepth(4)
                .setSeed(3)
                .fit(d)),
        Arguments.of(
            "gbt classifier",
            new GBTClassifier()
                .setLabelCol("binary")
                .setMaxIter(8)
                .setMaxDepth(3)
                .setSeed(4)
                .fit(d)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void treeShapEqualsPathDependentOracle(String name, PredictionModel<Vector, ?> model) {
    TreeEnsemble ensemble = TreeEnsemble.of(model);
    assertTrue(hasCategoricalSplit(ensemble), name + " splits on the categorical feature");
    TreeShap shap = new TreeShap(ensemble, M, Games.singletons(M));
    List<Row> rows = data().select("features").limit(40).collectAsList();
    for (Row row : rows) {
      Vector v = row.getAs(0);
      double[] x = v.toArray();
      ShapleyResult[] results = shap.explain(x, 0);
      double[] rawFromMllib =
          model instanceof ClassificationModel<?, ?> c
                  && !(ensemble.kind().equals("class probability"))
              ? ((ClassificationModel<Vector, ?>) model).predictRaw(v).toArray()
              : null;
      for (int k = 0; k < ensemble.outputs(); k++) {
        double[] oracle = oracle(ensemble, x, k);
        assertArrayEquals(oracle, results[k].values(), 1e-9, name + " output " + k);
        assertEquals(0, results[k].gap(), 1e-9, name + " additivity");
        if (rawFromMllib != null) {
          assertEquals(rawFromMllib[k], results[k].output(), 1e-12, "the GBT margin");
        }
      }
      if (ensemble.kind().equals("class probability")) {
        double[] p =
            ((org.apache.spark.ml.classification.ProbabilisticClassificationModel<Vector, ?>) model)
                .predictProbability(v)
                .toArray();
        for (int k = 0; k < p.length; k++) {
          assertEquals(p[k], results[k].output(), 1e-12, "class probability " + k);
        }
      } else if (ensemble.outputs() == 1) {
        assertEquals(model.predict(v), results[0].output(), 1e-9, "regression value");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void leafTablesEqualTheRecursion(String name, PredictionModel<Vector, ?> model) {
    TreeShap shap = new TreeShap(TreeEnsemble.of(model), M, Games.singletons(M));
    for (Row row : data().select("features").limit(25).collectAsList()) {
      double[] x = ((Vector) row.getAs(0)).toArray();
      assertArrayEquals(shap.recursiveSlotValues(x), shap.slotValues(x), 1e-12, name);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void interventionalTreeShapEqualsExactShapleyOfTheSameGame(
      String name, PredictionModel<Vector, ?> model) {
    TreeEnsemble ensemble = TreeEnsemble.of(model);
    List<Row> rows = data().select("features").limit(30).collectAsList();
    double[] bg = new double[5 * M];
    for (int b = 0; b < 5; b++) {
      System.arraycopy(((Vector) rows.get(25 + b).getAs(0)).toArray(), 0, bg, b * M, M);
    }
    Background background = Background.of(bg, M);
    InterventionalTreeShap shap =
        new InterventionalTreeShap(ensemble, background, Games.singletons(M));
    // The oracle: exact Shapley values of v(S) = mean over b of the ensemble's raw outputs.
    io.trustlens.model.BatchModel raw = rawModel(ensemble);
    ExactShapley exact =
        new ExactShapley(new InterventionalGame(raw, background, Games.singletons(M)));
    for (Row row : rows.subList(0, 10)) {
      double[] x = ((Vector) row.getAs(0)).toArray();
      ShapleyResult[] expected = exact.explain(x, 0);
      ShapleyResult[] actual = shap.explain(x, 0);
      for (int k = 0; k < ensemble.outputs(); k++) {
        assertArrayEquals(expected[k].values(), actual[k].values(), 1e-9, name + " output " + k);
        assertEquals(expected[k].base(), actual[k].base(), 1e-9);
        assertEquals(0, actual[k].gap(), 1e-9);
      }
    }
  }

  private static io.trustlens.model.BatchModel rawModel(TreeEnsemble e) {
    return Games.vectorModel(M, e.outputs(), e::predict);
  }

  @Test
  void nodesOnlyRowsOfWeightZeroReachStillGiveFiniteValuesThatAddUp() {
    // Bootstrap members weight rows by Poisson counts, zero for about a third of them: a node
    // can then have a weighted cover of zero, and path-dependent fractions below it were 0/0.
    Dataset<Row> weighted =
        data()
            .withColumn(
                "w",
                org.apache
                    .spark
                    .sql
                    .functions
                    .when(org.apache.spark.sql.functions.rand(5).lt(0.6), 0.0)
                    .otherwise(1.0));
    GBTClassificationModel gbt =
        new GBTClassifier()
            .setLabelCol("binary")
            .setWeightCol("w")
            .setMaxIter(10)
            .setMaxDepth(5)
            .setSeed(4)
            .fit(weighted);
    boolean empty = false;
    for (var tree : gbt.trees()) {
      empty |= hasEmptyNode(tree.rootNode());
    }
    assertTrue(empty, "some node is reached only by rows of weight zero");
    TreeShap shap = new TreeShap(TreeEnsemble.of(gbt), M, Games.singletons(M));
    for (Row row : weighted.select("features").limit(200).collectAsList()) {
      Vector v = row.getAs(0);
      ShapleyResult r = shap.explain(v.toArray(), 0)[1];
      for (double value : r.values()) {
        assertTrue(Double.isFinite(value), "finite values");
      }
      assertEquals(0, r.gap(), 1e-9, "additivity");
      assertEquals(gbt.predictRaw(v).toArray()[1], r.output(), 1e-12, "the GBT margin");
    }
  }

  private static boolean hasEmptyNode(org.apache.spark.ml.tree.Node node) {
    if (!(node.impurityStats().count() > 0)) {
      return true;
    }
    return node instanceof org.apache.spark.ml.tree.InternalNode n
        && (hasEmptyNode(n.leftChild()) || hasEmptyNode(n.rightChild()));
  }

  @Test
  void onlyTreeModelsAreExplained() {
    Dataset<Row> d = data();
    var linear = new LogisticRegression().setLabelCol("binary").fit(d);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TreeEnsemble.of(linear));
    assertTrue(e.getMessage().contains("DecisionTree, RandomForest and GBT"), e.getMessage());
  }

  /** Exact Shapley values of the game v(S) = E[f(x) | x_S] computed from the covers. */
  private static double[] oracle(TreeEnsemble e, double[] x, int k) {
    double[] v = new double[1 << M];
    for (int s = 0; s < v.length; s++) {
      for (int t = 0; t < e.trees().length; t++) {
        v[s] += e.weights()[t] * conditional(e.trees()[t], 0, x, s, k, e.outputs());
      }
    }
    return ShapleyValues.of(v, M);
  }

  private static double conditional(TreeEnsemble.Tree t, int n, double[] x, int s, int k, int w) {
    if (t.left()[n] < 0) {
      return t.values()[n * w + k];
    }
    if ((s & (1 << t.feature()[n])) != 0) {
      return conditional(t, t.next(n, x), x, s, k, w);
    }
    int l = t.left()[n];
    int r = t.right()[n];
    return (t.cover()[l] * conditional(t, l, x, s, k, w)
            + t.cover()[r] * conditional(t, r, x, s, k, w))
        / t.cover()[n];
  }

  private static boolean hasCategoricalSplit(TreeEnsemble e) {
    for (TreeEnsemble.Tree t : e.trees()) {
      for (double[] c : t.categories()) {
        if (c != null) {
          return true;
        }
      }
    }
    return false;
  }
}
