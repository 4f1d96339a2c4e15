package io.trustlens.explain.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * {@link NearestExamples} on Spark: examples equal brute force, credibility falls for rows shifted
 * out of the training distribution, the same bits for 1 and 7 partitions, MLlib's contract.
 */
class NearestExamplesTest {
  private static final String[] X = {"x0", "x1", "x2", "x3"};
  private final SparkSession spark = SparkTestSession.get();
  @TempDir Path dir;

  /**
   * Two classes of Gaussian rows around (−3, 0, 0, 0) and (+3, 0, 0, 0); {@code shift} moves both
   * toward the middle by that much along x0 (3: every row around the boundary, where the training
   * rows are few and of both labels).
   */
  private Dataset<Row> table(int n, long seed, long firstId, double shift) {
    Random r = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean second = i % 2 == 1;
      double centre = second ? 3 - shift : -3 + shift;
      rows.add(
          RowFactory.create(
              firstId + i,
              second ? "yes" : "no",
              centre + r.nextGaussian(),
              r.nextGaussian(),
              r.nextGaussian(),
              r.nextGaussian()));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("label", DataTypes.StringType, false)
            .add("x0", DataTypes.DoubleType, false)
            .add("x1", DataTypes.DoubleType, false)
            .add("x2", DataTypes.DoubleType, false)
            .add("x3", DataTypes.DoubleType, false);
    return spark.createDataFrame(rows, schema);
  }

  private static double[] x(Row r) {
    double[] v = new double[X.length];
    for (int j = 0; j < X.length; j++) {
      v[j] = r.getDouble(r.fieldIndex(X[j]));
    }
    return v;
  }

  private static double distance(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      float d = (float) a[j] - (float) b[j]; // the index keeps floats
      s += (double) d * d;
    }
    return Math.sqrt(s);
  }

  @Test
  void examplesEqualBruteForce() {
    Dataset<Row> training = table(600, 1, 0, 0);
    NearestExamplesModel model =
        new NearestExamples().setFeaturesCols(X).setK(5).setCredibility(false).fit(training);
    assertEquals("exact", model.searchUsed());
    Map<Long, double[]> points = new HashMap<>();
    Map<Long, String> labels = new HashMap<>();
    for (Row r : training.collectAsList()) {
      points.put(r.getLong(0), x(r));
      labels.put(r.getLong(0), r.getString(1));
    }
    for (Row q : model.transform(table(40, 2, 10_000, 0)).collectAsList()) {
      double[] v = x(q);
      List<Long> truth = new ArrayList<>(points.keySet());
      truth.sort(
          Comparator.<Long>comparingDouble(id -> distance(points.get(id), v))
              .thenComparingLong(id -> id));
      List<Long> ids = q.getList(q.fieldIndex("examples"));
      List<Double> d = q.getList(q.fieldIndex("examples_distances"));
      List<String> l = q.getList(q.fieldIndex("examples_labels"));
      assertEquals(truth.subList(0, 5), ids, "row " + q.getLong(0));
      for (int j = 0; j < 5; j++) {
        assertEquals(distance(points.get(ids.get(j)), v), d.get(j), 1e-9);
        assertEquals(labels.get(ids.get(j)), l.get(j));
      }
    }
  }

  @Test
  void standardizedExamplesDoNotDependOnAColumnsUnit() {
    Dataset<Row> training = table(500, 12, 0, 1);
    Dataset<Row> queries = table(60, 13, 10_000, 1);
    org.apache.spark.sql.Column grams = org.apache.spark.sql.functions.col("x3").multiply(1000);
    NearestExamples stage = new NearestExamples().setFeaturesCols(X).setK(6).setCredibility(false);
    NearestExamples standardized = stage.copy(new ParamMap()).setStandardize(true);
    List<Row> metres = ids(standardized.fit(training).transform(queries));
    List<Row> millimetres =
        ids(
            standardized
                .fit(training.withColumn("x3", grams))
                .transform(queries.withColumn("x3", grams)));
    assertEquals(metres, millimetres);
    List<Row> raw =
        ids(stage.fit(training.withColumn("x3", grams)).transform(queries.withColumn("x3", grams)));
    assertTrue(!raw.equals(metres), "without standardizing, x3's unit decides the neighbours");
  }

  private static List<Row> ids(Dataset<Row> out) {
    return out.select("id", "examples", "examples_labels").orderBy("id").collectAsList();
  }

  @Test
  void credibilityIsLowerForRowsShiftedOutOfTheTrainingDistribution() {
    NearestExamplesModel model =
        new NearestExamples().setFeaturesCols(X).setK(10).fit(table(2000, 3, 0, 0));
    assertArrayEquals(new String[] {"no", "yes"}, model.getClasses());
    assertTrue(model.calibrationRows() > 150 && model.calibrationRows() < 250);
    double inside = meanCredibility(model.transform(table(400, 4, 10_000, 0)));
    double shifted = meanCredibility(model.transform(table(400, 4, 10_000, 3)));
    assertTrue(inside > 0.8, "inside " + inside);
    assertTrue(shifted < inside - 0.2, "shifted " + shifted + ", inside " + inside);
  }

  private static double meanCredibility(Dataset<Row> out) {
    return out.agg(org.apache.spark.sql.functions.avg("examples_credibility")).first().getDouble(0);
  }

  @Test
  void sameBitsForOneAndSevenPartitions() {
    Dataset<Row> training = table(3000, 5, 0, 0);
    Dataset<Row> queries = table(300, 6, 10_000, 1.5);
    NearestExamples stage = new NearestExamples().setFeaturesCols(X).setK(7);
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
    // the forest too (forced on a small table)
    NearestExamples forest = stage.copy(new ParamMap()).setSearch("approximate");
    NearestExamplesModel m1 = forest.fit(training.repartition(1));
    assertEquals("approximate", m1.searchUsed());
    assertEquals(
        m1.transform(queries.repartition(1)).orderBy("id").collectAsList(),
        forest
            .fit(training.repartition(7))
            .transform(queries.repartition(7))
            .orderBy("id")
            .collectAsList());
  }

  @Test
  void keepsMllibsContractInsideAPipeline() throws Exception {
    Dataset<Row> training = table(800, 7, 0, 0);
    Dataset<Row> queries = table(100, 8, 10_000, 1);
    NearestExamples stage =
        new NearestExamples().setFeaturesCols(X).setK(4).setSeed(9).setStandardize(true);
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(training);
    Dataset<Row> direct = stage.fit(training).transform(queries);
    assertEquals(0, fitted.transform(queries).exceptAll(direct).count(), "inside a Pipeline");

    String saved = dir.resolve("pipeline").toString();
    fitted.write().overwrite().save(saved);
    assertEquals(
        direct.orderBy("id").collectAsList(),
        PipelineModel.load(saved).transform(queries).orderBy("id").collectAsList(),
        "saved and loaded");
    String forestPath = dir.resolve("forest").toString();
    NearestExamplesModel forest = stage.copy(new ParamMap()).setSearch("approximate").fit(training);
    forest.save(forestPath);
    assertEquals(
        forest.transform(queries).orderBy("id").collectAsList(),
        NearestExamplesModel.load(forestPath).transform(queries).orderBy("id").collectAsList());

    NearestExamples copied = stage.copy(new ParamMap().put(stage.k(), 2));
    assertEquals(2, copied.getK());
    assertEquals(4, stage.getK());
    assertEquals(9L, copied.getSeed());
    Row first = copied.fit(training).transform(queries).first();
    assertEquals(2, first.getList(first.fieldIndex("examples")).size());

    String stagePath = dir.resolve("stage").toString();
    stage.write().overwrite().save(stagePath);
    NearestExamples again = NearestExamples.load(stagePath);
    assertEquals(stage.uid(), again.uid());
    assertEquals(0, again.fit(training).transform(queries).exceptAll(direct).count());
    NearestExamplesModel copyOfModel =
        fitted.stages()[0] instanceof NearestExamplesModel m ? m.copy(new ParamMap()) : null;
    assertEquals(0, copyOfModel.transform(queries).exceptAll(direct).count(), "a model's copy");
  }

  @Test
  void badInputIsRefusedByName() {
    Dataset<Row> training = table(200, 9, 0, 0);
    Exception regression =
        assertThrows(
            RuntimeException.class,
            () ->
                new NearestExamples().setFeaturesCols("x0", "x1").setLabelCol("x3").fit(training));
    assertTrue(regression.getMessage().contains("not a class"), regression.getMessage());
    Exception many =
        assertThrows(
            RuntimeException.class,
            () -> new NearestExamples().setFeaturesCols(X).setK(500).fit(training));
    assertTrue(many.getMessage().contains("500 examples asked"), many.getMessage());
    Exception label =
        assertThrows(
            RuntimeException.class,
            () -> new NearestExamples().setFeaturesCols(X).setLabelCol("y").fit(training));
    assertTrue(label.getMessage().contains("'y'"), label.getMessage());
    NearestExamplesModel model = new NearestExamples().setFeaturesCols(X).fit(training);
    Exception missing =
        assertThrows(RuntimeException.class, () -> model.transform(training.drop("x2")));
    assertTrue(missing.getMessage().contains("x2"), missing.getMessage());
    Exception nothing =
        assertThrows(RuntimeException.class, () -> new NearestExamples().fit(training));
    assertTrue(nothing.getMessage().contains("featuresCols"), nothing.getMessage());
  }
}
