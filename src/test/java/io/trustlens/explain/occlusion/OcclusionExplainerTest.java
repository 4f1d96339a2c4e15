package io.trustlens.explain.occlusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.TextFeatures;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.CountVectorizer;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.StopWordsRemover;
import org.apache.spark.ml.feature.Tokenizer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The occlusion stage on Spark: true regions and words found, exact text features, contract. */
class OcclusionExplainerTest {
  static final String SHAPES_CNN = "datasets/models/torch/shapes_cnn.pt";
  @TempDir Path dir;

  static Dataset<Row> shapes() {
    return SparkTestSession.get().read().json("datasets/synthetic/shapes.json");
  }

  static OcclusionExplainer onShapes() {
    return new OcclusionExplainer()
        .setModelPath(SHAPES_CNN)
        .setImageCol("image")
        .setImageShape("1,16,16")
        .setIdCol("id")
        .setTarget("top_left");
  }

  static Dataset<Row> jobads() {
    return Tables.csv("synthetic/jobads.csv");
  }

  @Test
  void imageMapsPeakInsideTheTrueRegionForPositiveRowsWithEveryFill() {
    Dataset<Row> positives = shapes().filter("label = 1");
    for (String fill : List.of("zero", "mean", "blur")) {
      OcclusionExplainer stage = onShapes().setFill(fill).setPatch(4).setStride(2);
      List<Row> rows = stage.transform(positives).select("occlusion").collectAsList();
      assertEquals(256, rows.get(0).getList(0).size(), "one value per pixel");
      int inside = 0;
      for (Row r : rows) {
        List<Float> map = r.getList(0);
        int best = 0;
        for (int p = 1; p < map.size(); p++) {
          if (map.get(p) > map.get(best)) {
            best = p;
          }
        }
        inside += best / 16 < 8 && best % 16 < 8 ? 1 : 0;
      }
      double share = (double) inside / rows.size();
      System.out.printf(
          "occlusion (fill %s, patch 4, stride 2): %.3f of %d positive maps peak in the true"
              + " region%n",
          fill, share, rows.size());
      assertTrue(share >= 0.9, fill + ": " + share);
    }
  }

  @Test
  void textFeaturesEqualWhatThePipelineWritesForEveryStageKind() {
    Dataset<Row> ads = jobads().withColumn("bonus", org.apache.spark.sql.functions.expr("id % 7"));
    List<PipelineStage[]> pipelines =
        List.of(
            new PipelineStage[] {
              new Tokenizer().setInputCol("text").setOutputCol("words"),
              new CountVectorizer().setInputCol("words").setOutputCol("features").setBinary(true)
            },
            new PipelineStage[] {
              new RegexTokenizer().setInputCol("text").setOutputCol("raw").setPattern("\\W+"),
              new StopWordsRemover().setInputCol("raw").setOutputCol("words"),
              new HashingTF().setInputCol("words").setOutputCol("tf").setNumFeatures(64),
              new IDF().setInputCol("tf").setOutputCol("tfidf"),
              new VectorAssembler()
                  .setInputCols(new String[] {"bonus", "tfidf"})
                  .setOutputCol("features")
            },
            new PipelineStage[] {
              new Tokenizer().setInputCol("text").setOutputCol("words"),
              new CountVectorizer().setInputCol("words").setOutputCol("counts").setMinTF(2),
              new IDF().setInputCol("counts").setOutputCol("features")
            });
    for (PipelineStage[] stages : pipelines) {
      PipelineModel fitted = new Pipeline().setStages(stages).fit(ads);
      TextFeatures text = TextFeatures.find(List.of(fitted.stages()), "features", ads.schema());
      assertEquals("text", text.textColumn());
      int checked = 0;
      for (Row r : fitted.transform(ads).limit(300).collectAsList()) {
        Vector expected = r.getAs("features");
        double[] got = new double[text.size()];
        text.vector(text.tokens(r.getAs("text")), r, got, 0);
        assertArrayEquals(expected.toArray(), got, 0.0, "row " + r.getAs("id"));
        checked++;
      }
      assertEquals(300, checked);
    }
  }

  /** A linear regression on word presence, fitted on the job ads. */
  static PipelineModel salaryModel() {
    return new Pipeline()
        .setStages(
            new PipelineStage[] {
              new Tokenizer().setInputCol("text").setOutputCol("words"),
              new CountVectorizer().setInputCol("words").setOutputCol("features").setBinary(true),
              new LinearRegression().setLabelCol("salary")
            })
        .fit(jobads());
  }

  @Test
  void wordOcclusionRanksTheSixSalaryWordsFirstWithTheirSigns() throws Exception {
    String saved = dir.resolve("salary").toString();
    salaryModel().write().save(saved);
    OcclusionExplainer stage = new OcclusionExplainer().setModelPath(saved).setIdCol("id");
    Dataset<Row> out = stage.transform(jobads());
    assertEquals(
        List.of(
            "id",
            "text",
            "salary",
            "occlusion",
            "occlusion_words",
            "occlusion_class",
            "occlusion_output"),
        List.of(out.columns()));
    Map<String, double[]> sums = new HashMap<>(); // word -> sum of drops, count
    for (Row r : out.select("occlusion", "occlusion_words").collectAsList()) {
      List<Double> drops = r.getList(0);
      List<String> words = r.getList(1);
      assertEquals(words.size(), drops.size());
      for (int k = 0; k < words.size(); k++) {
        double[] s = sums.computeIfAbsent(words.get(k), w -> new double[2]);
        s[0] += drops.get(k);
        s[1]++;
      }
    }
    List<String> ranked = new ArrayList<>(sums.keySet());
    ranked.sort(Comparator.comparingDouble(w -> -Math.abs(sums.get(w)[0] / sums.get(w)[1])));
    JsonNode truth =
        new ObjectMapper()
            .readTree(new File("datasets/synthetic/jobads.truth.json"))
            .get("word_effects");
    List<String> top = ranked.subList(0, 6);
    System.out.println("word occlusion, largest mean |drop| first: " + ranked.subList(0, 8));
    for (var e : truth.properties()) {
      assertTrue(top.contains(e.getKey()), e.getKey() + " is among the top six: " + top);
      double mean = sums.get(e.getKey())[0] / sums.get(e.getKey())[1];
      assertEquals(
          Math.signum(e.getValue().asDouble()),
          Math.signum(mean),
          e.getKey() + ": removing a word takes its effect away");
      assertEquals(e.getValue().asDouble(), mean, 500, e.getKey() + ": its effect in dollars");
    }
  }

  @Test
  void tableOcclusionDropsOneHotGroupsOfAPipeline() {
    Dataset<Row> credit = Tables.csv("synthetic/credit.csv").limit(200);
    OcclusionExplainer stage =
        new OcclusionExplainer().setModelPath("datasets/models/credit_gbt").setIdCol("id");
    Dataset<Row> out = stage.transform(credit);
    assertEquals(List.of(credit.columns()), List.of(out.columns()).subList(0, 7), "input kept");
    assertEquals(
        List.of("age", "income", "debt_ratio", "years_employed", "region"),
        List.of(out.schema().apply("occlusion").metadata().getStringArray("names")),
        "one value per column, the one-hot block of region as one");
    assertEquals(5, out.first().getList(out.schema().fieldIndex("occlusion")).size());
  }

  @Test
  void oneAndSevenPartitionsGiveTheSameBits() throws Exception {
    OcclusionExplainer stage = onShapes().setPatch(3).setStride(2).setFill("blur");
    Dataset<Row> one = stage.transform(shapes().repartition(1));
    Dataset<Row> seven = stage.transform(shapes().repartition(7));
    assertEquals(600, one.count());
    assertEquals(0, one.exceptAll(seven).count());
    assertEquals(0, seven.exceptAll(one).count());
    String saved = dir.resolve("salary").toString();
    salaryModel().write().save(saved);
    OcclusionExplainer words = new OcclusionExplainer().setModelPath(saved).setNgrams(2);
    Dataset<Row> w1 = words.transform(jobads().repartition(1));
    Dataset<Row> w7 = words.transform(jobads().repartition(7));
    assertEquals(0, w1.exceptAll(w7).count(), "words");
    assertEquals(0, w7.exceptAll(w1).count(), "words");
  }

  @Test
  void stageCopiesSavesAndLoadsInsideAPipelineWithTheSameBits() throws Exception {
    Dataset<Row> data = shapes().limit(40);
    OcclusionExplainer stage = onShapes().setPatch(4).setStride(4);
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {stage});
    PipelineModel fitted = pipeline.fit(data);
    Dataset<Row> direct = stage.transform(data);
    assertEquals(0, fitted.transform(data).exceptAll(direct).count(), "inside a Pipeline");

    OcclusionExplainer copy = stage.copy(new ParamMap().put(stage.stride().w(2)));
    assertEquals(2, copy.getStride());
    assertEquals(4, stage.getStride(), "the original keeps its params");
    assertEquals(stage.uid(), copy.uid());
    assertTrue(copy.transform(data).exceptAll(direct).count() > 0, "stride 2 differs from 4");

    String saved = dir.resolve("pipeline").toString();
    fitted.write().overwrite().save(saved);
    assertEquals(
        0, PipelineModel.load(saved).transform(data).exceptAll(direct).count(), "saved, loaded");
    String stagePath = dir.resolve("stage").toString();
    stage.write().overwrite().save(stagePath);
    OcclusionExplainer again = OcclusionExplainer.load(stagePath);
    assertEquals(4, again.getPatch());
    assertEquals(0, again.transform(data).exceptAll(direct).count());
    Transformer t = again;
    assertEquals(
        List.of(1L, 16L, 16L),
        java.util.Arrays.stream(
                t.transform(data).schema().apply("occlusion").metadata().getLongArray("shape"))
            .boxed()
            .toList());
  }

  @Test
  void badRequestsFailBeforeAnyTaskNamingTheProblem() throws Exception {
    StructType schema = shapes().schema();
    assertMessage(
        "larger than the 16x16 image", () -> onShapes().setPatch(17).transformSchema(schema));
    assertMessage(
        "ngrams does not apply to occlusion of images",
        () -> onShapes().setNgrams(2).transformSchema(schema));
    assertMessage(
        "blurSigma does not apply", () -> onShapes().setBlurSigma(1).transformSchema(schema));
    assertMessage("reads 256", () -> onShapes().setImageShape("1,8,8").transformSchema(schema));
    StructType credit = Tables.csv("synthetic/credit.csv").schema();
    assertMessage(
        "fill mean is for images",
        () ->
            new OcclusionExplainer()
                .setModelPath("datasets/models/credit_gbt")
                .setFill("mean")
                .transformSchema(credit));
    assertMessage(
        "patch does not apply to occlusion of table features",
        () ->
            new OcclusionExplainer()
                .setModelPath("datasets/models/credit_gbt")
                .setPatch(2)
                .transformSchema(credit));
    String saved = dir.resolve("salary").toString();
    salaryModel().write().save(saved);
    assertMessage(
        "fill does not apply",
        () ->
            new OcclusionExplainer()
                .setModelPath(saved)
                .setFill("constant")
                .transformSchema(jobads().schema()));
    Dataset<Row> nullText =
        jobads()
            .limit(3)
            .withColumn("text", org.apache.spark.sql.functions.lit(null).cast("string"));
    var e =
        assertThrows(
            Exception.class,
            () ->
                new OcclusionExplainer()
                    .setModelPath(saved)
                    .setIdCol("id")
                    .transform(nullText)
                    .collect());
    Throwable root = e;
    while (root.getCause() != null && !(root instanceof InvalidFeatureException)) {
      root = root.getCause();
    }
    assertTrue(
        root.getMessage().contains("row id=0: null in text column 'text'"), root.getMessage());
    assertMessage(
        "unknown target 'circle'", () -> onShapes().setTarget("circle").transformSchema(schema));
  }

  private static void assertMessage(String part, org.junit.jupiter.api.function.Executable run) {
    Exception e = assertThrows(Exception.class, run);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
