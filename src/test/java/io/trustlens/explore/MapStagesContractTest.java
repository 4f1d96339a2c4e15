package io.trustlens.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explore.knn.Knn;
import io.trustlens.explore.mds.Mds;
import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.FeatureSpaceParam;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The maps' stages keep MLlib's contract: a uid constructor, the features as a Param, {@code
 * copy(ParamMap)}, and save/load alone and inside a {@code Pipeline}, with the same bits.
 */
class MapStagesContractTest {
  @TempDir Path dir;

  private static Dataset<Row> table() {
    Random r = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      rows.add(
          RowFactory.create((long) i, r.nextGaussian(), r.nextGaussian(), 3 * r.nextGaussian()));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("a", DataTypes.DoubleType, false)
            .add("b", DataTypes.DoubleType, false)
            .add("c", DataTypes.DoubleType, false);
    return SparkTestSession.get().createDataFrame(rows, schema);
  }

  @Test
  void aFeatureSpaceRoundTripsThroughItsParam() {
    FeatureSpace columns = FeatureSpace.ofColumns(table().schema(), List.of("a", "b", "c"));
    FeatureSpace grouped =
        columns.withNamesAndGroups(
            List.of("a", "b=x", "b=y"),
            List.of(new FeatureGroup("a", new int[] {0}), new FeatureGroup("b", new int[] {1, 2})));
    FeatureSpaceParam param = new Knn().features();
    for (FeatureSpace f : List.of(columns, grouped)) {
      FeatureSpace back = param.jsonDecode(param.jsonEncode(f));
      assertEquals(f.source(), back.source());
      assertEquals(f.columns(), back.columns());
      assertEquals(f.names(), back.names());
      assertEquals(f.groups().size(), back.groups().size());
      for (int g = 0; g < f.groups().size(); g++) {
        assertEquals(f.groups().get(g).name(), back.groups().get(g).name());
        assertEquals(
            List.of(java.util.Arrays.stream(f.groups().get(g).slots()).boxed().toArray()),
            List.of(java.util.Arrays.stream(back.groups().get(g).slots()).boxed().toArray()));
      }
    }
    assertThrows(IllegalArgumentException.class, () -> param.jsonDecode("{\"source\":\"X\"}"));
  }

  @Test
  void knnMdsAndTsneCopySaveAndLoadAloneAndInAPipeline() throws Exception {
    Dataset<Row> t = table();
    FeatureSpace f = FeatureSpace.ofColumns(t.schema(), List.of("a", "b", "c"));
    Transformer[] stages = {
      new Knn().setFeatures(f).setK(4).setIdCol("id"),
      new Mds().setFeatures(f).setK(2).setLandmarks(50).setIdCol("id"),
      new io.trustlens.explore.tsne.Tsne()
          .setFeatures(f)
          .setPerplexity(5)
          .setIterations(40, 40)
          .setIdCol("id")
    };
    for (Transformer stage : stages) {
      String name = stage.getClass().getSimpleName();
      List<Row> direct = stage.transform(t).orderBy("id").collectAsList();
      PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(t);
      assertEquals(direct, fitted.transform(t).orderBy("id").collectAsList(), name);
      String saved = dir.resolve(name).toString();
      fitted.write().overwrite().save(saved);
      assertEquals(
          direct, PipelineModel.load(saved).transform(t).orderBy("id").collectAsList(), name);
      Transformer copied = (Transformer) stage.copy(new ParamMap());
      assertEquals(stage.uid(), copied.uid());
      assertEquals(direct, copied.transform(t).orderBy("id").collectAsList(), name + " copied");
    }
    Knn knn = (Knn) stages[0];
    Knn two = knn.copy(new ParamMap().put(knn.k(), 2));
    Row first = two.transform(t).first();
    assertEquals(2, first.getList(first.fieldIndex("neighbours")).size());
    assertEquals(4, (int) knn.getOrDefault(knn.k()));
    io.trustlens.explore.tsne.Tsne tsne = (io.trustlens.explore.tsne.Tsne) stages[2];
    io.trustlens.explore.tsne.Tsne wider = tsne.copy(new ParamMap().put(tsne.perplexity(), 8.0));
    assertEquals(8.0, wider.getPerplexity());
    assertEquals(5.0, tsne.getPerplexity());
    assertEquals(List.of("a", "b", "c"), wider.getFeatures().columns());
    Exception unset = assertThrows(IllegalArgumentException.class, () -> new Knn().transform(t));
    assertTrue(unset.getMessage().contains("set features"), unset.getMessage());
  }

  @Test
  void anEmbedderIsItsParamsAloneAndSavesInAPipeline() throws Exception {
    Dataset<Row> digits = io.trustlens.testing.Tables.csv("digits.csv").limit(50);
    List<String> pixels = new ArrayList<>();
    for (int p = 0; p < 64; p++) {
      pixels.add("p" + p);
    }
    Embedder stage =
        new Embedder()
            .setModelPath("datasets/models/torch/digits_cnn.pt")
            .setFeatures(FeatureSpace.ofColumns(digits.schema(), pixels))
            .setMethod("embed");
    List<Row> direct = stage.transform(digits).collectAsList();
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(digits);
    String saved = dir.resolve("embedder").toString();
    fitted.write().overwrite().save(saved);
    assertEquals(direct, PipelineModel.load(saved).transform(digits).collectAsList());
    Embedder copied = stage.copy(new ParamMap().put(stage.outputCol(), "e"));
    assertTrue(List.of(copied.transform(digits).columns()).contains("e"));
    Exception none =
        assertThrows(IllegalArgumentException.class, () -> new Embedder().transform(digits));
    assertTrue(none.getMessage().contains("set"), none.getMessage());
  }

  @Test
  void pcaAndItsModelSaveAndLoadWithTheSameComponents() throws Exception {
    Dataset<Row> t = table();
    io.trustlens.explore.pca.Pca pca =
        new io.trustlens.explore.pca.Pca()
            .setFeatures(FeatureSpace.ofColumns(t.schema(), List.of("a", "b", "c")))
            .setScale(true);
    assertEquals(3, pca.getK(), "min(10, features) by default");
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {pca.setK(2)}).fit(t);
    List<Row> direct = fitted.transform(t).orderBy("id").collectAsList();
    String saved = dir.resolve("pca").toString();
    fitted.write().overwrite().save(saved);
    PipelineModel loaded = PipelineModel.load(saved);
    assertEquals(direct, loaded.transform(t).orderBy("id").collectAsList());
    io.trustlens.explore.pca.PcaModel model =
        (io.trustlens.explore.pca.PcaModel) loaded.stages()[0];
    io.trustlens.explore.pca.PcaModel original =
        (io.trustlens.explore.pca.PcaModel) fitted.stages()[0];
    assertEquals(original.explainedVarianceRatio()[0], model.explainedVarianceRatio()[0], 0);
    assertEquals(original.component(2, 1), model.component(2, 1), 0);
    assertEquals(List.of("a", "b", "c"), model.featureNames());
    io.trustlens.explore.pca.PcaModel renamed =
        model.copy(new ParamMap().put(model.outputPrefix(), "z"));
    assertTrue(List.of(renamed.transform(t).columns()).contains("z2"));
    io.trustlens.explore.pca.Pca three = pca.copy(new ParamMap().put(pca.k(), 3));
    assertEquals(3, three.fit(t).k());
  }

  @Test
  void aScorerByModelPathSavesInAPipeline() throws Exception {
    Dataset<Row> cancer = io.trustlens.testing.Tables.csv("breast_cancer.csv").limit(100);
    List<String> columns = new ArrayList<>(List.of(cancer.columns()));
    columns.remove("malignant");
    io.trustlens.model.ModelScorer scorer =
        new io.trustlens.model.ModelScorer()
            .setModelPath("datasets/models/torch/breast_cancer_mlp.pt")
            .setFeatures(FeatureSpace.ofColumns(cancer.schema(), columns))
            .setBatchSize(64);
    List<Row> direct = scorer.transform(cancer).collectAsList();
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {scorer}).fit(cancer);
    String saved = dir.resolve("scorer").toString();
    fitted.write().overwrite().save(saved);
    assertEquals(direct, PipelineModel.load(saved).transform(cancer).collectAsList());
    io.trustlens.model.ModelScorer renamed =
        scorer.copy(new ParamMap().put(scorer.predictionCol(), "p"));
    assertTrue(List.of(renamed.transform(cancer).columns()).contains("p"));
    Exception none =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new io.trustlens.model.ModelScorer()
                    .setFeatures(FeatureSpace.ofColumns(cancer.schema(), columns))
                    .transform(cancer));
    assertTrue(none.getMessage().contains("set modelPath"), none.getMessage());
  }

  @Test
  void shapExplainerKeepsTheContractInAPipeline() throws Exception {
    Dataset<Row> cancer = io.trustlens.testing.Tables.csv("breast_cancer.csv").limit(40);
    List<String> columns = new ArrayList<>(List.of(cancer.columns()));
    columns.remove("malignant");
    FeatureSpace features = FeatureSpace.ofColumns(cancer.schema(), columns);
    double[] rows = new double[3 * columns.size()];
    List<Row> first = cancer.limit(3).collectAsList();
    for (int r = 0; r < 3; r++) {
      for (int j = 0; j < columns.size(); j++) {
        rows[r * columns.size() + j] = ((Number) first.get(r).getAs(columns.get(j))).doubleValue();
      }
    }
    io.trustlens.explain.shap.ShapExplainer explainer =
        new io.trustlens.explain.shap.ShapExplainer()
            .setModelPath("datasets/models/torch/breast_cancer_mlp.pt")
            .setFeatures(features)
            .setBackground(io.trustlens.explain.shap.Background.of(rows, columns.size()))
            .setMethod("kernel")
            .setSamples(200)
            .setSeed(7);
    List<Row> direct = explainer.transform(cancer).collectAsList();
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {explainer}).fit(cancer);
    String saved = dir.resolve("shap").toString();
    fitted.write().overwrite().save(saved);
    assertEquals(direct, PipelineModel.load(saved).transform(cancer).collectAsList());
    io.trustlens.explain.shap.ShapExplainer other =
        explainer.copy(new ParamMap().put(explainer.outputCol(), "phi").put(explainer.seed(), 8L));
    assertEquals("phi", other.getOrDefault(other.outputCol()));
    assertEquals(7L, (Long) explainer.getOrDefault(explainer.seed()), "the original is unchanged");
    Dataset<Row> copied = other.transform(cancer);
    assertTrue(List.of(copied.columns()).contains("phi_base"));
    io.trustlens.explain.shap.ShapExplainer loaded =
        io.trustlens.explain.shap.ShapExplainer.load(saved + "/stages/0_" + explainer.uid());
    org.junit.jupiter.api.Assertions.assertArrayEquals(rows, loaded.getBackground().rows());
    assertEquals(explainer.getFeatures().names(), loaded.getFeatures().names());
    Exception none =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new io.trustlens.explain.shap.ShapExplainer()
                    .setFeatures(features)
                    .transform(cancer));
    assertTrue(none.getMessage().contains("set modelPath"), none.getMessage());
  }
}
