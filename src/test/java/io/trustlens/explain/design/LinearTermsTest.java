package io.trustlens.explain.design;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explain.shap.Background;
import io.trustlens.explain.shap.LinearShap;
import io.trustlens.testing.Tables;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A linear model's terms add up to MLlib's own margin; the stage keeps MLlib's contract. */
class LinearTermsTest {
  @TempDir Path dir;

  static Dataset<Row> credit() {
    return Tables.csv("synthetic/credit.csv");
  }

  /** Region one-hot encoded, then a logistic or a linear regression of default. */
  static PipelineModel fit(PipelineStage last) {
    return new Pipeline()
        .setStages(
            new PipelineStage[] {
              new StringIndexer().setInputCol("region").setOutputCol("region_index"),
              new OneHotEncoder().setInputCol("region_index").setOutputCol("region_vec"),
              new VectorAssembler()
                  .setInputCols(
                      new String[] {"age", "income", "debt_ratio", "years_employed", "region_vec"})
                  .setOutputCol("features"),
              last
            })
        .fit(credit());
  }

  @Test
  void termsAddUpToMllibsMarginAndCentredTermsAreLinearShap() throws Exception {
    PipelineModel logistic = fit(new LogisticRegression().setLabelCol("default"));
    String path = dir.resolve("logistic").toString();
    logistic.write().save(path);
    LinearTermsExplainer stage =
        new LinearTermsExplainer().setModelPath(path).setIdCol("id").fitMeans(credit(), 500, 3);
    Dataset<Row> rows = credit().limit(60);
    List<Row> out =
        stage
            .transform(rows)
            .join(logistic.transform(rows).select("id", "rawPrediction"), "id")
            .collectAsList();
    LogisticRegressionModel lr = (LogisticRegressionModel) logistic.stages()[3];
    double[] mean = stage.getMeans();
    double meanMargin = lr.intercept();
    for (int j = 0; j < mean.length; j++) {
      meanMargin += lr.coefficients().apply(j) * mean[j];
    }
    List<String> names = stage.playerNames(rows.schema());
    assertEquals(List.of("age", "income", "debt_ratio", "years_employed", "region"), names);
    for (Row r : out) {
      double[] terms = doubles(r.getList(r.fieldIndex("terms")));
      double[] centred = doubles(r.getList(r.fieldIndex("terms_centred")));
      double[] odds = doubles(r.getList(r.fieldIndex("terms_odds_ratio")));
      double margin = r.getDouble(r.fieldIndex("terms_margin"));
      double mllib = ((Vector) r.getAs("rawPrediction")).apply(1);
      assertEquals(mllib, margin, 1e-12 * (1 + Math.abs(mllib)), "MLlib's log-odds");
      double sum = r.getDouble(r.fieldIndex("terms_intercept"));
      double centredSum = 0;
      double product = 1;
      for (int g = 0; g < terms.length; g++) {
        sum += terms[g];
        centredSum += centred[g];
        product *= odds[g];
      }
      assertEquals(margin, sum, 1e-12 * (1 + Math.abs(margin)));
      assertEquals(margin - meanMargin, centredSum, 1e-12 * (1 + Math.abs(margin)));
      assertEquals(Math.exp(centredSum), product, 1e-9 * product);
      assertEquals(1, r.getInt(r.fieldIndex("terms_class")), "the positive class by default");
    }
    // The centred terms are Linear SHAP's values against the same mean.
    Row first = stage.transform(rows.limit(1)).first();
    Vector x = (Vector) logistic.transform(rows.limit(1)).first().getAs("features");
    LinearShap shap =
        LinearShap.of(
            lr,
            Background.of(mean, mean.length),
            io.trustlens.feature.PipelineFeatures.describe(
                    io.trustlens.feature.FeatureSpace.ofVector(
                        logistic.transform(rows.limit(1)).schema(), "features", mean.length),
                    java.util.Arrays.asList(
                        (org.apache.spark.ml.Transformer[])
                            java.util.Arrays.copyOf(logistic.stages(), 3)),
                    logistic.transform(rows.limit(1)).schema())
                .groups());
    double[] values = shap.explain(x.toArray(), 0)[1].values();
    double[] centred = doubles(first.getList(first.fieldIndex("terms_centred")));
    for (int g = 0; g < values.length; g++) {
      assertEquals(values[g], centred[g], 1e-12);
    }
  }

  @Test
  void keepsMllibsContractAndRefusesModelsThatAreNotLinear() throws Exception {
    PipelineModel linear = fit(new LinearRegression().setLabelCol("default"));
    String path = dir.resolve("linear").toString();
    linear.write().save(path);
    Dataset<Row> rows = credit().limit(25);
    LinearTermsExplainer stage =
        new LinearTermsExplainer().setModelPath(path).fitMeans(credit(), 200, 1);
    Dataset<Row> direct = stage.transform(rows);
    assertTrue(
        List.of(direct.columns()).containsAll(List.of("terms", "terms_margin", "terms_class")));
    assertTrue(!List.of(direct.columns()).contains("terms_odds_ratio"), "no odds for a regression");
    for (Row r :
        direct.join(linear.transform(rows).select("id", "prediction"), "id").collectAsList()) {
      assertEquals(
          r.getDouble(r.fieldIndex("prediction")),
          r.getDouble(r.fieldIndex("terms_margin")),
          1e-12);
    }
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(rows);
    assertEquals(0, fitted.transform(rows).exceptAll(direct).count(), "inside a Pipeline");
    LinearTermsExplainer copy =
        stage.copy(new ParamMap().put(stage.means().w(new double[stage.getMeans().length])));
    assertEquals(stage.uid(), copy.uid());
    assertTrue(copy.transform(rows).exceptAll(direct).count() > 0, "other means, other terms");
    String saved = dir.resolve("pipeline").toString();
    fitted.write().overwrite().save(saved);
    assertEquals(0, PipelineModel.load(saved).transform(rows).exceptAll(direct).count());
    String stagePath = dir.resolve("stage").toString();
    stage.write().overwrite().save(stagePath);
    assertEquals(0, LinearTermsExplainer.load(stagePath).transform(rows).exceptAll(direct).count());

    Exception e =
        assertThrows(
            Exception.class,
            () ->
                new LinearTermsExplainer()
                    .setModelPath("datasets/models/credit_gbt")
                    .setMeans(new double[8])
                    .transformSchema(rows.schema()));
    assertTrue(e.getMessage().contains("GBTClassificationModel"), e.getMessage());
    Exception unset =
        assertThrows(
            Exception.class,
            () -> new LinearTermsExplainer().setModelPath(path).transformSchema(rows.schema()));
    assertTrue(unset.getMessage().contains("set the reference means"), unset.getMessage());
  }

  private static double[] doubles(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
