package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data randomization check of an MLlib model: the permutation's distribution, the refit, and
 * the command's verdicts, table and report.
 */
class MllibSanityTest {
  @TempDir Path dir;

  /**
   * Over 2,400 seeds, the order of 4 rows' hashes is each of the 24 permutations about 100 times: a
   * chi-square of 23 degrees of freedom below 49.7 (p = 0.001). An order keyed on the seed alone,
   * or one that favoured the key order, would put every draw in a few cells.
   */
  @Test
  void theLabelPermutationIsUniform() {
    SparkSession spark = SparkTestSession.get();
    int seeds = 2_400;
    Dataset<Row> pairs = spark.range(4).toDF("id").crossJoin(spark.range(seeds).toDF("seed"));
    List<Row> hashed =
        pairs
            .select(
                col("seed"),
                col("id"),
                PermutedLabels.order(List.of(col("id")), col("seed")).as("u"))
            .collectAsList();
    Map<Long, double[]> bySeed = new HashMap<>();
    for (Row r : hashed) {
      bySeed.computeIfAbsent(r.getLong(0), s -> new double[4])[(int) r.getLong(1)] = r.getDouble(2);
    }
    Map<String, Integer> counts = new HashMap<>();
    for (double[] u : bySeed.values()) {
      List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
      order.sort((a, b) -> Double.compare(u[a], u[b]));
      counts.merge(order.toString(), 1, Integer::sum);
    }
    assertEquals(24, counts.size(), counts.toString());
    double expected = seeds / 24.0;
    double chi2 = 0;
    for (int c : counts.values()) {
      chi2 += (c - expected) * (c - expected) / expected;
    }
    assertTrue(chi2 < 49.7, "chi-square " + chi2 + " over " + counts);
  }

  /**
   * The permuted table keeps every row's features and the multiset of labels, gives row r of the
   * hash order the label of row r of the key order, and is the same whatever the partitioning.
   */
  @Test
  void permutingKeepsFeaturesAndLabelsAndIgnoresPartitioning() {
    SparkSession spark = SparkTestSession.get();
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("x", SQLDataTypes.VectorType(), false)
            .add("y", DataTypes.DoubleType, false);
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < 50; i++) {
      rows.add(RowFactory.create(i, Vectors.dense(i, -i), (double) (i % 7)));
    }
    Dataset<Row> one = spark.createDataFrame(rows, schema).coalesce(1);
    Dataset<Row> three = spark.createDataFrame(rows, schema).repartition(3);
    List<org.apache.spark.sql.Column> keys = List.of(col("id"));
    List<Row> a = PermutedLabels.permute(one, "x", "y", keys, 5).collectAsList();
    List<Row> b = PermutedLabels.permute(three, "x", "y", keys, 5).collectAsList();
    assertEquals(a, b, "the same rows in the same order for 1 and 3 partitions");
    assertEquals(50, a.size());
    List<Row> byHash =
        one.withColumn("u", PermutedLabels.order(keys, org.apache.spark.sql.functions.lit(5L)))
            .orderBy("u", "id")
            .collectAsList();
    int moved = 0;
    for (int r = 0; r < 50; r++) {
      assertEquals(byHash.get(r).get(1), a.get(r).get(0), "features in hash order");
      assertEquals((double) (r % 7), a.get(r).getDouble(1), 0, "the label of key rank r");
      if (((org.apache.spark.ml.linalg.Vector) a.get(r).get(0)).apply(0) != r) {
        moved++;
      }
    }
    assertTrue(moved > 40, moved + " of 50 rows took another row's label");
    List<Row> other = PermutedLabels.permute(one, "x", "y", keys, 6).collectAsList();
    assertFalse(other.equals(a), "another seed, another permutation");
  }

  /**
   * On the credit GBT, TreeSHAP and occlusion attributions of a model fitted on permuted labels are
   * unlike the trained model's (mean Spearman below 0.5): both pass, as the paper finds for
   * model-dependent methods. A refit on the true labels instead gives the trained model back (the
   * settings copied, the same seed: Spearman 1.0), so the bound fails when the labels are not
   * permuted.
   */
  @Test
  void anMllibModelIsRefitOnPermutedLabelsAndEachMethodJudged() throws Exception {
    Cli cli =
        Cli.run(
            "explain",
            "--input",
            "datasets/synthetic/credit.csv",
            "--id",
            "id",
            "--label",
            "default",
            "--model",
            "datasets/models/credit_gbt",
            "--method",
            "sanity_checks",
            "--rows",
            "16",
            "--output",
            dir.resolve("s").toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task =
        new ObjectMapper().readTree(dir.resolve("s/summary.json").toFile()).at("/tasks/0");
    assertEquals(16, task.at("/rows_compared").asInt());
    assertTrue(task.at("/cascading").asText().startsWith("not applicable"), task.toString());
    assertTrue(task.at("/permuted_from").asText().contains("default permuted"), task.toString());
    for (String m : List.of("tree", "occlusion")) {
      JsonNode method = task.at("/methods/" + m);
      double spearman = method.at("/permuted_labels/spearman").asDouble();
      assertTrue(spearman < 0.5, m + " " + method);
      assertTrue(method.at("/data_passed").asBoolean(), m);
      assertTrue(method.at("/verdict").asText().startsWith("passes the data check"), m);
    }
    Dataset<Row> table =
        SparkTestSession.get().read().parquet(dir.resolve("s/sanity_checks").toString());
    assertEquals(2L * 16, table.count(), "methods x rows");
    String report = Files.readString(dir.resolve("s/report.html"));
    assertTrue(report.contains("fitted on permuted labels"), "says how the check works");
    assertTrue(report.contains("class_1 (the positive class)"), "says what is explained");
  }

  @Test
  void refusesGradientMethodsAndSettingsAndAMissingLabel() {
    String[] base = {
      "explain",
      "--input",
      "datasets/synthetic/credit.csv",
      "--id",
      "id",
      "--model",
      "datasets/models/credit_gbt",
      "--method",
      "sanity_checks"
    };
    Cli noLabel = Cli.run(OutputFormatsTest.concat(base, "--output", dir.resolve("a").toString()));
    assertEquals(1, noLabel.exitCode());
    assertTrue(noLabel.errors().contains("name the label column (--label)"), noLabel.errors());
    Cli gradient =
        Cli.run(
            OutputFormatsTest.concat(
                base,
                "--label",
                "default",
                "--compare",
                "tree,saliency",
                "--output",
                dir.resolve("b").toString()));
    assertEquals(1, gradient.exitCode());
    assertTrue(gradient.errors().contains("saliency is a gradient method"), gradient.errors());
    Cli steps =
        Cli.run(
            OutputFormatsTest.concat(
                base,
                "--label",
                "default",
                "--steps",
                "8",
                "--output",
                dir.resolve("c").toString()));
    assertEquals(1, steps.exitCode());
    assertTrue(steps.errors().contains("steps applies to the gradient methods"), steps.errors());
    Cli linear =
        Cli.run(
            OutputFormatsTest.concat(
                base,
                "--label",
                "default",
                "--compare",
                "linear",
                "--output",
                dir.resolve("d").toString()));
    assertEquals(1, linear.exitCode());
    assertTrue(linear.errors().contains("linear"), linear.errors());
    for (String d : List.of("a", "b", "c", "d")) {
      assertFalse(Files.exists(dir.resolve(d)), d);
    }
  }
}
