package io.trustlens.explain.lime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.Tables;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LIME on Spark: the credit table's true features first, partition-free bits, MLlib contract. */
class LimeExplainerTest {
  static final String CREDIT_GBT = "datasets/models/credit_gbt";
  @TempDir Path dir;

  static Dataset<Row> credit() {
    return Tables.csv("synthetic/credit.csv");
  }

  static LimeExplainer onCredit() {
    return new LimeExplainer()
        .setModelPath(CREDIT_GBT)
        .setIdCol("id")
        .setSamples(1000)
        .fitStatistics(credit(), 1000);
  }

  @Test
  void ranksTheCreditTablesTrueFeaturesFirst() {
    LimeExplainer stage = onCredit().setSamples(5000); // lime's default: a low noise floor
    Dataset<Row> rows = credit().limit(100);
    List<Row> out =
        stage.transform(rows).select("lime", "lime_score", "lime_class").collectAsList();
    List<String> players = stage.playerNames(rows.schema());
    double[] meanAbs = new double[players.size()];
    double fidelity = 0;
    for (Row r : out) {
      List<Double> w = r.getList(0);
      for (int j = 0; j < w.size(); j++) {
        meanAbs[j] += Math.abs(w.get(j)) / out.size();
      }
      fidelity += r.getDouble(1) / out.size();
      assertEquals(1, r.getInt(2), "a binary classifier's positive class by default");
    }
    List<String> ranked =
        IntStream.range(0, players.size())
            .boxed()
            .sorted(Comparator.comparingDouble(j -> -meanAbs[j]))
            .map(players::get)
            .toList();
    // The truth (credit.truth.json): debt, income and region move the log-odds; age's main effect
    // (-0.8 + 1.5 debt per unit of z_age) nearly cancels at the table's typical debt ratio, and
    // years_employed has none (the GBT's own splits on it give it about a fifth of debt's weight).
    assertEquals(
        java.util.Set.of("debt_ratio", "income", "region"),
        java.util.Set.copyOf(ranked.subList(0, 3)),
        ranked + " " + java.util.Arrays.toString(meanAbs));
    assertTrue(ranked.subList(3, 5).contains("years_employed"), ranked.toString());
    assertTrue(fidelity > 0.2, "mean local fidelity " + fidelity);
  }

  @Test
  void givesTheSameBitsForOneOrSevenPartitionsAndEachSelection() {
    Dataset<Row> rows = credit().limit(40);
    for (String selection : List.of("none", "highest_weights", "lasso")) {
      LimeExplainer stage = onCredit().setSamples(400).setSelection(selection);
      if (!selection.equals("none")) {
        stage.setKeep(2);
      }
      Dataset<Row> one = stage.transform(rows.coalesce(1));
      Dataset<Row> seven = stage.transform(rows.repartition(7));
      assertEquals(0, one.exceptAll(seven).count(), selection);
      if (!selection.equals("none")) {
        for (Row r : one.select("lime").collectAsList()) {
          List<Double> w = r.getList(0);
          assertTrue(w.stream().filter(v -> v != 0).count() <= 2, selection + ": " + w);
        }
      }
    }
    LimeExplainer shared = onCredit().setSamples(400).setNeighbourhood("shared");
    Dataset<Row> oneShared = shared.transform(rows.coalesce(1));
    assertEquals(0, oneShared.exceptAll(shared.transform(rows.repartition(7))).count(), "shared");
    assertTrue(
        oneShared.exceptAll(onCredit().setSamples(400).transform(rows)).count() > 0,
        "one draw for every row, not each row's own");
    String saved = dir.resolve("shared-stage").toString();
    try {
      shared.write().overwrite().save(saved);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    LimeExplainer loaded = LimeExplainer.load(saved);
    assertEquals("shared", loaded.getNeighbourhood());
    assertEquals(0, loaded.transform(rows.repartition(3)).exceptAll(oneShared).count(), "loaded");
    LimeExplainer other = onCredit().setSamples(400).setSeed(7);
    assertTrue(
        other.transform(rows).exceptAll(onCredit().setSamples(400).transform(rows)).count() > 0,
        "another seed, other draws");
  }

  @Test
  void keepsMllibsContractInsideAPipeline() throws Exception {
    Dataset<Row> rows = credit().limit(20);
    LimeExplainer stage = onCredit().setSamples(300).setDiscretize(false);
    Dataset<Row> direct = stage.transform(rows);
    PipelineModel fitted = new Pipeline().setStages(new PipelineStage[] {stage}).fit(rows);
    assertEquals(0, fitted.transform(rows).exceptAll(direct).count(), "inside a Pipeline");

    LimeExplainer copy = stage.copy(new ParamMap().put(stage.kernelWidth().w(0.5)));
    assertEquals(0.5, copy.getKernelWidth());
    assertEquals(0.0, stage.getKernelWidth(), "the original keeps its params");
    assertEquals(stage.uid(), copy.uid());
    assertTrue(copy.transform(rows).exceptAll(direct).count() > 0, "another width differs");

    String saved = dir.resolve("pipeline").toString();
    fitted.write().overwrite().save(saved);
    assertEquals(
        0, PipelineModel.load(saved).transform(rows).exceptAll(direct).count(), "saved, loaded");
    String stagePath = dir.resolve("stage").toString();
    stage.write().overwrite().save(stagePath);
    LimeExplainer again = LimeExplainer.load(stagePath);
    assertEquals(300, again.getSamples());
    assertEquals(0, again.transform(rows).exceptAll(direct).count());
    assertEquals(
        List.of("age", "income", "debt_ratio", "years_employed", "region"),
        List.of(again.transform(rows).schema().apply("lime").metadata().getStringArray("names")));
    assertNull(new LimeExplainer().getStatistics());
  }

  @Test
  void textLimeGivesTheSalaryWordsTheirEffects() throws Exception {
    Dataset<Row> ads = Tables.csv("synthetic/jobads.csv");
    String saved = dir.resolve("salary").toString();
    // A linear regression on word presence: each word's LIME weight is its coefficient.
    new Pipeline()
        .setStages(
            new PipelineStage[] {
              new org.apache.spark.ml.feature.Tokenizer().setInputCol("text").setOutputCol("words"),
              new org.apache.spark.ml.feature.CountVectorizer()
                  .setInputCol("words")
                  .setOutputCol("features")
                  .setBinary(true),
              new org.apache.spark.ml.regression.LinearRegression().setLabelCol("salary")
            })
        .fit(ads)
        .write()
        .save(saved);
    // lime's ridge penalty (alpha 1) shrinks weights by a few percent at these kernel weights;
    // without it the surrogate of a model linear in word presence is that model.
    LimeExplainer stage =
        new LimeExplainer().setModelPath(saved).setIdCol("id").setSamples(400).setAlpha(1e-9);
    Dataset<Row> out = stage.transform(ads.limit(120));
    assertEquals(
        List.of(
            "id",
            "text",
            "salary",
            "lime",
            "lime_words",
            "lime_intercept",
            "lime_score",
            "lime_prediction",
            "lime_output",
            "lime_class"),
        List.of(out.columns()));
    java.util.Map<String, double[]> sums = new java.util.HashMap<>();
    for (Row r : out.select("lime", "lime_words", "lime_score").collectAsList()) {
      List<Double> w = r.getList(0);
      List<String> words = r.getList(1);
      assertEquals(words.size(), w.size());
      assertTrue(r.getDouble(2) > 0.99, "a linear model of word presence: fidelity " + r.get(2));
      for (int k = 0; k < words.size(); k++) {
        double[] s = sums.computeIfAbsent(words.get(k), x -> new double[2]);
        s[0] += w.get(k);
        s[1]++;
      }
    }
    List<String> ranked = new java.util.ArrayList<>(sums.keySet());
    ranked.sort(Comparator.comparingDouble(w -> -Math.abs(sums.get(w)[0] / sums.get(w)[1])));
    var truth =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(new java.io.File("datasets/synthetic/jobads.truth.json"))
            .get("word_effects");
    for (var e : truth.properties()) {
      assertTrue(ranked.subList(0, 6).contains(e.getKey()), e.getKey() + " in " + ranked);
      double mean = sums.get(e.getKey())[0] / sums.get(e.getKey())[1];
      assertEquals(e.getValue().asDouble(), mean, 500, e.getKey() + ": its effect in dollars");
    }
    Dataset<Row> one = stage.transform(ads.limit(30).coalesce(1));
    Dataset<Row> seven = stage.transform(ads.limit(30).repartition(7));
    assertEquals(0, one.exceptAll(seven).count(), "partitions do not change the draws");
    assertMessage(
        "statistics does not apply to text",
        () ->
            stage
                .copy(new ParamMap())
                .setStatistics(
                    TabularStatistics.of(
                        new double[] {1},
                        1,
                        List.of(new io.trustlens.feature.FeatureGroup("x", new int[] {0}))))
                .transformSchema(ads.schema()));
  }

  @Test
  void badRequestsFailBeforeAnyTaskNamingTheProblem() {
    StructType schema = credit().schema();
    assertMessage(
        "set the statistics",
        () -> new LimeExplainer().setModelPath(CREDIT_GBT).transformSchema(schema));
    assertMessage(
        "keep applies to selection highest_weights or lasso",
        () -> onCredit().setKeep(3).transformSchema(schema));
    assertMessage(
        "keep is 9, more than the 5 players",
        () -> onCredit().setSelection("lasso").setKeep(9).transformSchema(schema));
    TabularStatistics other =
        TabularStatistics.of(
            new double[] {1, 2},
            1,
            List.of(new io.trustlens.feature.FeatureGroup("x", new int[] {0})));
    assertMessage(
        "the statistics describe players [x]",
        () -> onCredit().setStatistics(other).transformSchema(schema));
    assertMessage("is a pipeline", () -> onCredit().setFeaturesCols("age").transformSchema(schema));
    assertMessage(
        "neighbourhood given invalid value global", () -> onCredit().setNeighbourhood("global"));
  }

  private static void assertMessage(String part, Runnable action) {
    Exception e = assertThrows(Exception.class, action::run);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void imagesWeighTheSuperpixelsOfTheBrightSquareHighest() throws Exception {
    Dataset<Row> shapes =
        io.trustlens.testing.SparkTestSession.get()
            .read()
            .json("datasets/synthetic/shapes.json")
            .where("label = 1")
            .orderBy("id")
            .limit(24);
    LimeExplainer stage =
        new LimeExplainer()
            .setModelPath("datasets/models/torch/shapes_cnn.pt")
            .setImageCol("image")
            .setImageShape("1,16,16")
            .setIdCol("id")
            .setSuperpixels("grid:4")
            .setHideValue(0) // the square may fill a cell, whose mean would not hide it
            .setSamples(400);
    List<Row> out = stage.transform(shapes).collectAsList();
    int found = 0;
    for (Row r : out) {
      List<Double> w = r.getList(r.fieldIndex("lime"));
      assertEquals(16, w.size(), "16 cells of 4 x 4");
      List<Double> image = r.getList(r.fieldIndex("image"));
      List<Integer> segments = r.getList(r.fieldIndex("lime_segments"));
      List<Float> map = r.getList(r.fieldIndex("lime_map"));
      int heaviest = IntStream.range(0, 16).boxed().max(Comparator.comparing(w::get)).get();
      boolean bright = false;
      for (int p = 0; p < 256; p++) {
        bright |= segments.get(p) == heaviest && image.get(p) > 0.5;
        assertEquals(w.get(segments.get(p)).floatValue(), map.get(p), 0f);
      }
      found += bright ? 1 : 0;
      assertEquals(1, r.getInt(r.fieldIndex("lime_class")), "top_left, the positive class");
    }
    assertTrue(found >= 22, found + " of 24 rows weigh a cell of the square highest");
    // the same bits for 1 and 3 partitions; MLlib's contract
    assertEquals(
        stage.transform(shapes.repartition(1)).orderBy("id").collectAsList(),
        stage.transform(shapes.repartition(3)).orderBy("id").collectAsList());
    String saved = dir.resolve("image-lime").toString();
    stage.write().overwrite().save(saved);
    LimeExplainer again = LimeExplainer.load(saved);
    assertEquals("grid:4", again.getSuperpixels());
    assertEquals(0, again.transform(shapes).exceptAll(stage.transform(shapes)).count());
    assertThrows(
        IllegalArgumentException.class,
        () -> stage.copy(new ParamMap()).setSuperpixels("quickshift"));
    Exception table =
        assertThrows(
            IllegalArgumentException.class,
            () -> stage.copy(new ParamMap()).setDiscretize(false).transform(shapes));
    assertTrue(table.getMessage().contains("does not apply to images"), table.getMessage());
  }
}
