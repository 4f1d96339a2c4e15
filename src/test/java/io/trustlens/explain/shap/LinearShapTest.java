package io.trustlens.explain.shap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.trustlens.model.BatchModel;
import io.trustlens.model.Capability;
import io.trustlens.model.ModelLoader;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.util.List;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.GeneralizedLinearRegression;
import org.apache.spark.ml.regression.GeneralizedLinearRegressionModel;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** Linear SHAP equals exact Shapley values of the same linear model and background. */
class LinearShapTest {

  @Test
  void linearRegressionEqualsExactShapley() {
    Dataset<Row> d = Tables.assembled("diabetes.csv", "progression");
    check(new LinearRegression().setLabelCol("progression").fit(d), d, 10, false);
  }

  @Test
  void multinomialLogisticEqualsExactShapleyOfItsMargins() {
    Dataset<Row> d = Tables.assembled("iris.csv", "species");
    check(new LogisticRegression().setLabelCol("species").setMaxIter(30).fit(d), d, 4, true);
  }

  @Test
  void generalizedLinearRegressionIsExplainedOnItsLinkScale() {
    Dataset<Row> d = Tables.assembled("diabetes.csv", "progression");
    GeneralizedLinearRegressionModel model =
        new GeneralizedLinearRegression()
            .setFamily("poisson")
            .setLink("log")
            .setLabelCol("progression")
            .fit(d);
    List<Row> rows = d.select("features").limit(12).collectAsList();
    double[] bg = background(rows, 10);
    LinearShap linear = LinearShap.of(model, Background.of(bg, 10), Games.singletons(10));
    // eta = log(mu): the exact Shapley values of the log of the prediction.
    BatchModel eta =
        Games.vectorModel(
            10,
            1,
            x ->
                new double[] {
                  Math.log(model.predict(org.apache.spark.ml.linalg.Vectors.dense(x)))
                });
    ExactShapley exact =
        new ExactShapley(new InterventionalGame(eta, Background.of(bg, 10), Games.singletons(10)));
    for (Row row : d.select("features").limit(10).collectAsList()) {
      double[] x = ((Vector) row.getAs(0)).toArray();
      ShapleyResult expected = exact.explain(x, 0)[0];
      ShapleyResult actual = linear.explain(x, 0)[0];
      assertArrayEquals(expected.values(), actual.values(), 1e-9);
      assertEquals(expected.base(), actual.base(), 1e-9);
    }
    var withOffset =
        new ModelLoader(SparkTestSession.get())
            .fromMllib(model.copy(new ParamMap().put(model.offsetCol(), "exposure")), "glr")
            .info();
    assertFalse(withOffset.capabilities().contains(Capability.LINEAR), "an offset is no feature");
  }

  @Test
  void binaryLogisticExplainsTheMarginAndItsNegative() {
    Dataset<Row> d = Tables.assembled("wine.csv", "cultivar").filter("cultivar < 2");
    var model = new LogisticRegression().setLabelCol("cultivar").setMaxIter(30).fit(d);
    List<Row> rows = d.select("features").limit(30).collectAsList();
    double[] bg = background(rows, 13);
    LinearShap linear = LinearShap.of(model, Background.of(bg, 13), Games.singletons(13));
    Vector v = d.select("features").first().getAs(0);
    ShapleyResult[] r = linear.explain(v.toArray(), 0);
    assertEquals(model.predictRaw(v).apply(1), r[1].output(), 1e-9);
    for (int j = 0; j < 13; j++) {
      assertEquals(-r[1].values()[j], r[0].values()[j], 1e-12);
    }
  }

  private static void check(PredictionModel<Vector, ?> model, Dataset<Row> d, int m, boolean raw) {
    List<Row> rows = d.select("features").limit(12).collectAsList();
    double[] bg = background(rows, m);
    LinearShap linear = LinearShap.of(model, Background.of(bg, m), Games.singletons(m));
    // The same model's margins as a batch model: MLlib's raw prediction, or the value.
    BatchModel margins =
        raw
            ? marginModel(
                (org.apache.spark.ml.classification.ClassificationModel<Vector, ?>) model, m)
            : new ModelLoader(SparkTestSession.get()).fromMllib(model, "linear").open();
    InterventionalGame game =
        new InterventionalGame(margins, Background.of(bg, m), Games.singletons(m));
    ExactShapley exact = new ExactShapley(game);
    for (Row row : d.select("features").limit(20).collectAsList()) {
      double[] x = ((Vector) row.getAs(0)).toArray();
      ShapleyResult[] expected = exact.explain(x, 0);
      ShapleyResult[] actual = linear.explain(x, 0);
      assertEquals(expected.length, actual.length);
      for (int k = 0; k < expected.length; k++) {
        assertArrayEquals(expected[k].values(), actual[k].values(), 1e-9);
        assertEquals(expected[k].base(), actual[k].base(), 1e-9);
        assertEquals(0, actual[k].gap(), 1e-9);
      }
    }
  }

  private static BatchModel marginModel(
      org.apache.spark.ml.classification.ClassificationModel<Vector, ?> model, int m) {
    return Games.vectorModel(
        m,
        model.numClasses(),
        x -> model.predictRaw(org.apache.spark.ml.linalg.Vectors.dense(x)).toArray());
  }

  private static double[] background(List<Row> rows, int m) {
    double[] bg = new double[rows.size() * m];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(((Vector) rows.get(i).getAs(0)).toArray(), 0, bg, i * m, m);
    }
    return bg;
  }
}
