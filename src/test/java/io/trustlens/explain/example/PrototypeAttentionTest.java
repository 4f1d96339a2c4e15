package io.trustlens.explain.example;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PrototypeAttention} on Spark: the weights and prediction of class-mean prototypes against
 * direct computation, agreement with a model that falls for rows shifted out of the training
 * distribution, the same bits for 1 and 7 partitions, MLlib's contract, bad input named.
 */
class PrototypeAttentionTest {
  private static final String[] X = {"x0", "x1", "x2"};
  private final SparkSession spark = SparkTestSession.get();
  @TempDir Path dir;

  /**
   * Classes 0 and 1 around x0 = −3 and +3 ({@code shift} moves both toward 0 along x0); column
   * {@code model}: a model whose boundary is slanted, x0 + 0.5 x1 > 0, which the training rows
   * cannot tell from x0 > 0 but rows near the boundary can.
   */
  private Dataset<Row> table(int n, long seed, long firstId, double shift) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int label = i % 2;
      double x0 = (label == 1 ? 3 - shift : -3 + shift) + r.nextGaussian();
      double x1 = r.nextGaussian();
      rows.add(
          RowFactory.create(
              firstId + i,
              (double) label,
              x0,
              x1,
              r.nextGaussian(),
              x0 + 0.5 * x1 > 0 ? 1.0 : 0.0));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("label", DataTypes.DoubleType, false)
            .add("x0", DataTypes.DoubleType, false)
            .add("x1", DataTypes.DoubleType, false)
            .add("x2", DataTypes.DoubleType, false)
            .add("model", DataTypes.DoubleType, false);
    return spark.createDataFrame(rows, schema);
  }

  @Test
  void classMeansWeighRowsByTheSoftmaxOfTheirSimilarity() {
    Dataset<Row> training = table(600, 1, 0, 0);
    PrototypeAttentionModel model =
        new PrototypeAttention()
            .setFeaturesCols(X)
            .setPrototypes("class_means")
            .setSimilarity("neg_squared_distance")
            .fit(training);
    double[][] means = new double[2][3];
    int[] counts = new int[2];
    for (Row r : training.collectAsList()) {
      int c = (int) r.getDouble(1);
      counts[c]++;
      for (int j = 0; j < 3; j++) {
        means[c][j] += (float) r.getDouble(2 + j); // the space holds floats
      }
    }
    for (Row q : model.transform(table(50, 2, 10_000, 1)).collectAsList()) {
      double[] s = new double[2];
      for (int c = 0; c < 2; c++) {
        for (int j = 0; j < 3; j++) {
          double e = (float) q.getDouble(2 + j) - means[c][j] / counts[c];
          s[c] -= e * e;
        }
      }
      double w1 = 1 / (1 + Math.exp(s[0] - s[1]));
      List<Double> w = q.getList(q.fieldIndex("prototype_weights"));
      assertEquals(1 - w1, w.get(0), 1e-9);
      assertEquals(w1, w.get(1), 1e-9);
      assertEquals(w1 > 0.5 ? 1.0 : 0.0, q.getDouble(q.fieldIndex("prototype_prediction")));
      List<Double> shares = q.getList(q.fieldIndex("prototype_shares"));
      assertEquals(w1, shares.get(1), 1e-9);
      List<String> top = q.getList(q.fieldIndex("prototype_top"));
      assertTrue(top.get(0).startsWith(w1 > 0.5 ? "class 1 mean" : "class 0 mean"), top.toString());
    }
  }

  @Test
  void agreementWithTheModelFallsForRowsShiftedOutOfTheTrainingDistribution() {
    PrototypeAttention stage =
        new PrototypeAttention()
            .setFeaturesCols(X)
            .setPredictionCol("model")
            .setStandardize(true)
            .setPrototypes("kmeans:8");
    PrototypeAttentionModel model = stage.fit(table(2000, 3, 0, 0));
    double inside = agreement(model.transform(table(500, 4, 10_000, 0)));
    double shifted = agreement(model.transform(table(500, 4, 10_000, 3)));
    assertTrue(inside > 0.9, "inside " + inside);
    assertTrue(shifted < inside - 0.1, "shifted " + shifted + ", inside " + inside);
  }

  private static double agreement(Dataset<Row> out) {
    return out.agg(avg(when(col("prototype_agrees"), 1.0).otherwise(0.0))).first().getDouble(0);
  }

  @Test
  void sameBitsForOneAndSevenPartitionsAndMllibsContract() throws Exception {
    Dataset<Row> training = table(1500, 5, 0, 0);
    Dataset<Row> queries = table(200, 6, 10_000, 1);
    PrototypeAttention stage =
        new PrototypeAttention().setFeaturesCols(X).setPrototypes("kmeans:6").setSeed(3);
    List<Row> one =
        stage
            .fit(training.repartition(1))
            .transform(queries.repartition(1))
            .orderBy("id")
            .collectAsList();
    List<Row> seven =
        stage
            .fit(training.repartition(7))
            .transform(queries.repartition(7))
            .orderBy("id")
            .collectAsList();
    assertEquals(one, seven);

    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(training);
    assertEquals(one, fitted.transform(queries).orderBy("id").collectAsList(), "in a Pipeline");
    String saved = dir.resolve("pipeline").toString();
    fitted.write().overwrite().save(saved);
    assertEquals(one, PipelineModel.load(saved).transform(queries).orderBy("id").collectAsList());
    String stagePath = dir.resolve("stage").toString();
    stage.write().overwrite().save(stagePath);
    assertEquals(
        one,
        PrototypeAttention.load(stagePath)
            .fit(training)
            .transform(queries)
            .orderBy("id")
            .collectAsList());
    PrototypeAttention rows = stage.copy(new ParamMap().put(stage.prototypes(), "rows:12"));
    assertEquals("kmeans:6", stage.getPrototypes());
    Row first = rows.fit(training).transform(queries).first();
    assertEquals(12, first.getList(first.fieldIndex("prototype_weights")).size());
    PrototypeAttentionModel m = (PrototypeAttentionModel) fitted.stages()[0];
    for (Object o :
        new Object[] {
          stage, m, new NearestExamples(), new io.trustlens.explain.lime.LimeExplainer()
        }) {
      java.io.ObjectOutputStream bytes =
          new java.io.ObjectOutputStream(new java.io.ByteArrayOutputStream());
      bytes.writeObject(o); // Spark may serialize a stage with its Params
    }
    Row three = m.copy(new ParamMap().put(m.top(), 3)).transform(queries).first();
    assertEquals(3, three.getList(three.fieldIndex("prototype_top")).size());
  }

  @Test
  void badInputIsRefusedByName() {
    Dataset<Row> training = table(100, 7, 0, 0);
    Exception label =
        assertThrows(
            RuntimeException.class,
            () -> new PrototypeAttention().setFeaturesCols(X).setLabelCol("x2").fit(training));
    assertTrue(label.getMessage().contains("not a class index"), label.getMessage());
    Exception many =
        assertThrows(
            RuntimeException.class,
            () ->
                new PrototypeAttention()
                    .setFeaturesCols(X)
                    .setPrototypes("kmeans:500")
                    .fit(training));
    assertTrue(many.getMessage().contains("500 prototypes of 100"), many.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new PrototypeAttention().setPrototypes("rows:5000"));
    assertThrows(
        IllegalArgumentException.class, () -> new PrototypeAttention().setPrototypes("medoids"));
    PrototypeAttentionModel model = new PrototypeAttention().setFeaturesCols(X).fit(training);
    Exception schema =
        assertThrows(RuntimeException.class, () -> model.transform(training.drop("x1")));
    assertTrue(schema.getMessage().contains("x1"), schema.getMessage());
    Exception regression =
        assertThrows(
            RuntimeException.class,
            () ->
                new PrototypeAttention()
                    .setFeaturesCols(X)
                    .setLabelCol("x2")
                    .setClasses(0)
                    .setPrototypes("class_means")
                    .fit(training));
    assertTrue(regression.getMessage().contains("class_means needs classes"));
  }
}
