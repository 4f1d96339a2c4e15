package io.trustlens.model;

import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkJobs;
import io.trustlens.testing.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LinearSVC;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.SQLTransformer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.Tokenizer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.feature.VectorIndexer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.regression.DecisionTreeRegressor;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.DecisionTreeModel;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.TreeEnsembleModel;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models read on the driver equal MLlib's own load in everything (class, uid, params, trees and
 * their weights, every node) and transform a table to the same bits; what the reader does not know
 * is left to MLlib; reading starts no Spark job.
 */
class SavedMllibReaderTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  @TempDir Path dir;

  @Test
  void treeAndLinearModelsEqualMllibsLoadOnManyRandomModels() throws IOException {
    int checked = 0;
    for (long seed = 1; seed <= 2; seed++) {
      for (int classes : new int[] {0, 2, 3}) {
        Dataset<Row> t = CompiledTreesTest.table(seed, 300, classes, seed == 1);
        int depth = (int) (2 + seed * 2);
        List<Model<?>> models = new ArrayList<>();
        if (classes == 0) {
          models.add(new DecisionTreeRegressor().setMaxDepth(depth).fit(t));
          models.add(
              new RandomForestRegressor().setNumTrees(5).setMaxDepth(depth).setSeed(seed).fit(t));
          models.add(new GBTRegressor().setMaxIter(6).setWeightCol("weight").setSeed(seed).fit(t));
          models.add(
              new LinearRegression()
                  .setLoss(seed == 1 ? "huber" : "squaredError")
                  .setElasticNetParam(seed == 1 ? 0 : 0.5)
                  .setRegParam(0.01)
                  .fit(t));
        } else {
          DecisionTreeClassifier tree = new DecisionTreeClassifier().setMaxDepth(depth);
          tree.setLeafCol("leaf");
          models.add(tree.fit(t));
          models.add(
              new RandomForestClassifier()
                  .setNumTrees(4)
                  .setWeightCol("weight")
                  .setSeed(seed)
                  .fit(t));
          models.add(
              new LogisticRegression()
                  .setMaxIter(20)
                  .setRegParam(0.01)
                  .setElasticNetParam(seed == 1 ? 1 : 0)
                  .setFamily(seed == 1 ? "multinomial" : "auto")
                  .fit(t));
          if (classes == 2) {
            models.add(
                new GBTClassifier()
                    .setMaxIter(7)
                    .setMaxDepth(depth)
                    .setThresholds(new double[] {0.3, 0.7})
                    .setSeed(seed)
                    .fit(t));
          }
        }
        for (Model<?> model : models) {
          Object read = saveAndRead(model, "m" + checked++);
          assertSame(reloaded(model, "m" + (checked - 1)), read, model.toString());
          assertSameRows(model, read, t);
        }
      }
    }
    assertEquals(22, checked);
  }

  @Test
  void pipelinesReadEachKnownStageHereAndTheOthersByMllib() throws IOException {
    Dataset<Row> t =
        CompiledTreesTest.table(3, 300, 2, false)
            .withColumn(
                "colour",
                expr(
                    "CASE WHEN weight < 0.5 THEN 'red' WHEN weight < 1.2 THEN 'green'"
                        + " ELSE 'blue' END"))
            .withColumn("size", expr("CASE WHEN label > 0 THEN 'big' ELSE 'small' END"))
            .withColumn("words", expr("concat_ws(' ', colour, size, colour)"));
    List<PipelineStage> stages = new ArrayList<>();
    stages.add(
        new StringIndexer()
            .setInputCols(new String[] {"colour", "size"})
            .setOutputCols(new String[] {"ci", "si"})
            .setStringOrderType("alphabetDesc")
            .setHandleInvalid("keep"));
    stages.add(
        new OneHotEncoder()
            .setInputCols(new String[] {"ci", "si"})
            .setOutputCols(new String[] {"co", "so"})
            .setDropLast(false));
    stages.add(new Tokenizer().setInputCol("words").setOutputCol("tokens"));
    stages.add(new CountVectorizer().setInputCol("tokens").setOutputCol("counts").setMinDF(2));
    stages.add(
        new VectorAssembler()
            .setInputCols(new String[] {"features", "co", "so", "counts"})
            .setOutputCol("a"));
    // Ten more stages: the stage folders are numbered with two digits ("07_sql_...").
    for (int i = 0; i < 10; i++) {
      stages.add(new SQLTransformer().setStatement("SELECT * FROM __THIS__"));
    }
    stages.add(new VectorIndexer().setInputCol("a").setOutputCol("idx").setMaxCategories(3));
    stages.add(new GBTClassifier().setFeaturesCol("idx").setMaxIter(5).setSeed(4));
    PipelineModel model = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(t);
    Object read = saveAndRead(model, "pipeline");
    assertInstanceOf(PipelineModel.class, read);
    assertSame(reloaded(model, "pipeline"), read, "pipeline");
    assertSameRows(model, read, t);
    // Without a session (a run's reads while Spark starts) a stage only MLlib reads is not read.
    assertNull(readWithoutSession(dir.resolve("pipeline")), "the vector indexer needs MLlib");
  }

  @Test
  void modelsItDoesNotKnowAndDamagedFilesAreLeftToMllib() throws IOException {
    Dataset<Row> t = CompiledTreesTest.table(4, 200, 2, false);
    assertNull(
        saveAndRead(new LinearSVC().setMaxIter(5).fit(t), "svc"),
        "a linear SVC is MLlib's to read");
    Model<?> gbt = new GBTClassifier().setMaxIter(3).setSeed(1).fit(t);
    saveAndRead(gbt, "damaged");
    try (var files = Files.list(dir.resolve("damaged").resolve("data"))) {
      Path part =
          files.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().get();
      byte[] bytes = Files.readAllBytes(part);
      Files.write(part, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    }
    assertNull(read(dir.resolve("damaged")), "a truncated Parquet file is MLlib's to report");
  }

  @Test
  void readingAPipelineOfKnownStagesStartsNoSparkJob() throws IOException {
    Dataset<Row> t =
        CompiledTreesTest.table(5, 200, 2, false)
            .withColumn("size", expr("CASE WHEN weight > 1 THEN 'big' ELSE 'small' END"))
            .withColumn("words", expr("concat_ws(' ', size, 'and', size)"));
    PipelineModel model =
        new Pipeline()
            .setStages(
                new PipelineStage[] {
                  new StringIndexer().setInputCol("size").setOutputCol("si"),
                  new OneHotEncoder().setInputCol("si").setOutputCol("so"),
                  new Tokenizer().setInputCol("words").setOutputCol("tokens"),
                  new CountVectorizer().setInputCol("tokens").setOutputCol("counts"),
                  new VectorAssembler()
                      .setInputCols(new String[] {"features", "so", "counts"})
                      .setOutputCol("a"),
                  new LogisticRegression().setFeaturesCol("a").setMaxIter(5)
                })
            .fit(t);
    model.save(dir.resolve("jobs").toString());
    Object early = readWithoutSession(dir.resolve("jobs"));
    assertSame(reloaded(model, "jobs"), early, "read as without a session");
    ModelLoader loader = new ModelLoader(SPARK);
    String where = dir.resolve("jobs").toString();
    assertEquals(
        0,
        SparkJobs.count(SPARK, () -> loader.load(where, -1, OutputKind.LOGIT)).jobs(),
        "read on the driver");
    SPARK.conf().set(SavedMllibReader.ENABLED, "false");
    try {
      assertTrue(
          SparkJobs.count(SPARK, () -> loader.load(where, -1, OutputKind.LOGIT)).jobs() > 0,
          "MLlib's loader");
    } finally {
      SPARK.conf().unset(SavedMllibReader.ENABLED);
    }
  }

  private Object saveAndRead(Model<?> model, String name) throws IOException {
    ((MLWritable) model).save(dir.resolve(name).toString());
    return read(dir.resolve(name));
  }

  private static Object read(Path where) throws IOException {
    Configuration conf = SPARK.sparkContext().hadoopConfiguration();
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(where.toString());
    return new SavedMllibReader(FileSystem.get(path.toUri(), conf), conf).read(path);
  }

  private static Object readWithoutSession(Path where) throws IOException {
    Configuration conf = SPARK.sparkContext().hadoopConfiguration();
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(where.toString());
    return SavedMllibReader.withoutSession(FileSystem.get(path.toUri(), conf), conf).read(path);
  }

  /** The model as MLlib's own loader reads it back. */
  private Object reloaded(Model<?> model, String name) {
    try {
      return model
          .getClass()
          .getMethod("load", String.class)
          .invoke(null, dir.resolve(name).toString());
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertSameRows(Model<?> model, Object read, Dataset<Row> t) {
    List<Row> expected = model.transform(t).collectAsList();
    List<Row> actual = ((Model<?>) read).transform(t).collectAsList();
    assertEquals(expected, actual, "transformed rows");
  }

  /** Everything MLlib's load gives, compared exactly. */
  private static void assertSame(Object expected, Object actual, String what) {
    assertNotNull(actual, what + ": not read on the driver");
    assertEquals(expected.getClass(), actual.getClass(), what);
    assertParams((Params) expected, (Params) actual, what);
    if (expected instanceof PipelineModel p) {
      PipelineModel q = (PipelineModel) actual;
      assertEquals(p.stages().length, q.stages().length, what + ": stages");
      for (int i = 0; i < p.stages().length; i++) {
        assertSame(p.stages()[i], q.stages()[i], what + ", stage " + i);
      }
    }
    if (expected instanceof StringIndexerModel e) {
      String[][] labels = ((StringIndexerModel) actual).labelsArray();
      assertEquals(e.labelsArray().length, labels.length, what + ": columns");
      for (int i = 0; i < labels.length; i++) {
        assertArrayEquals(e.labelsArray()[i], labels[i], what + ": labels");
      }
    }
    if (expected instanceof OneHotEncoderModel e) {
      assertArrayEquals(
          e.categorySizes(), ((OneHotEncoderModel) actual).categorySizes(), what + ": sizes");
    }
    if (expected instanceof CountVectorizerModel e) {
      assertArrayEquals(
          e.vocabulary(), ((CountVectorizerModel) actual).vocabulary(), what + ": vocabulary");
    }
    if (expected instanceof LogisticRegressionModel e) {
      LogisticRegressionModel a = (LogisticRegressionModel) actual;
      assertEquals(e.coefficientMatrix().getClass(), a.coefficientMatrix().getClass(), what);
      assertArrayEquals(
          e.coefficientMatrix().toArray(), a.coefficientMatrix().toArray(), what + ": coef");
      assertEquals(e.interceptVector().getClass(), a.interceptVector().getClass(), what);
      assertArrayEquals(
          e.interceptVector().toArray(), a.interceptVector().toArray(), what + ": intercepts");
      assertEquals(e.numClasses(), a.numClasses(), what + ": classes");
    }
    if (expected instanceof LinearRegressionModel e) {
      LinearRegressionModel a = (LinearRegressionModel) actual;
      assertEquals(e.coefficients().getClass(), a.coefficients().getClass(), what);
      assertArrayEquals(e.coefficients().toArray(), a.coefficients().toArray(), what + ": coef");
      assertEquals(bits(e.intercept()), bits(a.intercept()), what + ": intercept");
      assertEquals(bits(e.scale()), bits(a.scale()), what + ": scale");
    }
    if (expected instanceof TreeEnsembleModel<?> e) {
      TreeEnsembleModel<?> f = (TreeEnsembleModel<?>) actual;
      assertArrayEquals(e.treeWeights(), f.treeWeights(), what + ": tree weights");
      assertEquals(e.trees().length, f.trees().length, what + ": trees");
      for (int k = 0; k < e.trees().length; k++) {
        assertSame(e.trees()[k], f.trees()[k], what + ", tree " + k);
      }
    }
    if (expected instanceof DecisionTreeModel d) {
      assertNodes(d.rootNode(), ((DecisionTreeModel) actual).rootNode(), what + ", root");
    }
  }

  private static void assertParams(Params expected, Params actual, String what) {
    assertEquals(expected.uid(), actual.uid(), what + ": uid");
    for (Param<?> p : expected.params()) {
      @SuppressWarnings("unchecked")
      Param<Object> param = (Param<Object>) p;
      String name = what + ": param " + p.name();
      assertEquals(expected.isSet(param), actual.isSet(actual.getParam(p.name())), name);
      assertEquals(expected.hasDefault(param), actual.hasDefault(actual.getParam(p.name())), name);
      if (expected.isDefined(param)) {
        assertEquals(
            param.jsonEncode(expected.getOrDefault(param)),
            param.jsonEncode(actual.getOrDefault(actual.getParam(p.name()))),
            name);
      }
    }
  }

  private static void assertNodes(Node expected, Node actual, String where) {
    assertEquals(expected.getClass(), actual.getClass(), where);
    assertEquals(bits(expected.prediction()), bits(actual.prediction()), where + " prediction");
    assertEquals(bits(expected.impurity()), bits(actual.impurity()), where + " impurity");
    assertArrayEquals(
        expected.impurityStats().stats(), actual.impurityStats().stats(), where + " stats");
    assertEquals(
        expected.impurityStats().rawCount(), actual.impurityStats().rawCount(), where + " count");
    if (expected instanceof InternalNode e) {
      InternalNode a = (InternalNode) actual;
      assertEquals(bits(e.gain()), bits(a.gain()), where + " gain");
      assertEquals(e.split().getClass(), a.split().getClass(), where + " split");
      assertEquals(e.split().featureIndex(), a.split().featureIndex(), where + " feature");
      if (e.split() instanceof ContinuousSplit c) {
        assertEquals(bits(c.threshold()), bits(((ContinuousSplit) a.split()).threshold()), where);
      } else {
        CategoricalSplit c = (CategoricalSplit) e.split();
        CategoricalSplit d = (CategoricalSplit) a.split();
        assertArrayEquals(c.leftCategories(), d.leftCategories(), where + " categories");
        assertEquals(c.numCategories(), d.numCategories(), where + " categories");
      }
      assertNodes(e.leftChild(), a.leftChild(), where + " left");
      assertNodes(e.rightChild(), a.rightChild(), where + " right");
    }
  }

  private static long bits(double v) {
    return Double.doubleToRawLongBits(v);
  }
}
