package io.trustlens.model;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LinearSVC;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The in-JVM fast path gives exactly what MLlib's own {@code transform} gives. */
class MllibFastPathTest {

  static Stream<Arguments> models() {
    Dataset<Row> binary = Tables.assembled("breast_cancer.csv", "malignant");
    Dataset<Row> multi = Tables.assembled("iris.csv", "species");
    Dataset<Row> regression = Tables.assembled("diabetes.csv", "progression");
    return Stream.of(
        Arguments.of(
            "logistic, binary",
            new LogisticRegression().setLabelCol("malignant").setMaxIter(50).fit(binary),
            binary),
        Arguments.of(
            "logistic, threshold 0.2",
            new LogisticRegression()
                .setLabelCol("malignant")
                .setMaxIter(50)
                .setThreshold(0.2)
                .fit(binary),
            binary),
        Arguments.of(
            "logistic, multiclass thresholds",
            new LogisticRegression()
                .setLabelCol("species")
                .setThresholds(new double[] {0.5, 0.2, 0.3})
                .fit(multi),
            multi),
        Arguments.of(
            "gbt classifier",
            new GBTClassifier().setLabelCol("malignant").setMaxIter(10).setSeed(1).fit(binary),
            binary),
        Arguments.of(
            "random forest, multiclass",
            new RandomForestClassifier()
                .setLabelCol("species")
                .setNumTrees(10)
                .setSeed(1)
                .fit(multi),
            multi),
        Arguments.of(
            "decision tree, multiclass",
            new DecisionTreeClassifier().setLabelCol("species").fit(multi),
            multi),
        Arguments.of(
            "linear svc (raw scores)",
            new LinearSVC().setLabelCol("malignant").setMaxIter(20).fit(binary),
            binary),
        Arguments.of(
            "linear regression",
            new LinearRegression().setLabelCol("progression").fit(regression),
            regression),
        Arguments.of(
            "gbt regressor",
            new GBTRegressor().setLabelCol("progression").setMaxIter(10).setSeed(1).fit(regression),
            regression),
        Arguments.of(
            "random forest regressor",
            new RandomForestRegressor()
                .setLabelCol("progression")
                .setNumTrees(5)
                .setSeed(1)
                .fit(regression),
            regression));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void fastPathEqualsTransform(String name, PredictionModel<Vector, ?> model, Dataset<Row> data) {
    ModelSource source = new ModelLoader(SparkTestSession.get()).fromMllib(model, name);
    FeatureSpace features = FeatureSpace.ofVector(data.schema(), "features", -1);
    Dataset<Row> fast =
        new ModelScorer(source, features)
            .setPredictionCol("fast_prediction")
            .setProbabilityCol("fast_probability")
            .setLogitsCol("fast_raw")
            .setBatchSize(37)
            .transform(data.repartition(3));
    Dataset<Row> mllib = model.transform(fast);
    List<Row> rows = mllib.collectAsList();
    assertEquals(data.count(), rows.size());
    OutputKind kind = source.info().kind();
    for (Row r : rows) {
      assertEquals(r.<Double>getAs("prediction"), r.<Double>getAs("fast_prediction"), name);
      if (kind == OutputKind.PROBABILITY) {
        Vector p = r.getAs("probability");
        assertArrayEquals(p.toArray(), toArray(r.getList(r.fieldIndex("fast_probability"))), name);
      } else if (kind == OutputKind.LOGIT) {
        Vector raw = r.getAs("rawPrediction");
        assertArrayEquals(raw.toArray(), toArray(r.getList(r.fieldIndex("fast_raw"))), name);
      }
    }
    assertTrue(mllib.filter(col("prediction").notEqual(col("fast_prediction"))).isEmpty());
    // The outputs alone (what explainers score) are the scores' outputs, bit for bit.
    List<Row> vectors = data.select("features").collectAsList();
    int n = vectors.size();
    int d = vectors.get(0).<Vector>getAs(0).size();
    double[] x = new double[n * d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(vectors.get(i).<Vector>getAs(0).toArray(), 0, x, i * d, d);
    }
    BatchModel open = source.open();
    assertArrayEquals(open.score(x, n).outputs(), open.outputs(x, n), name);
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
