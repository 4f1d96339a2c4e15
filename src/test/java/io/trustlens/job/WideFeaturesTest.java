package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100,000 features (a sparse vector column, as hashed text gives): each command either runs, with
 * memory that grows linearly in the features, or refuses at once, naming the size a row would need.
 */
class WideFeaturesTest {
  private static final int FEATURES = 100_000;
  @TempDir static Path dir;
  static String input;
  static String model;
  static String train;

  @BeforeAll
  static void tableAndModel() throws Exception {
    SparkSession spark = SparkTestSession.get();
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("features", SQLDataTypes.VectorType())
            .add("y", DataTypes.DoubleType);
    Random random = new Random(5);
    List<Row> rows = new ArrayList<>();
    for (long i = 0; i < 60; i++) {
      int[] at = {random.nextInt(10), 10 + random.nextInt(FEATURES - 10), FEATURES - 1};
      java.util.Arrays.sort(at);
      double[] v = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
      double y = 2 * (at[0] < 5 ? v[0] : 0) - v[2] + 0.01 * random.nextGaussian();
      rows.add(RowFactory.create(i, Vectors.sparse(FEATURES, at, v), y));
    }
    // Sized in its ML metadata, as HashingTF's or VectorAssembler's output is.
    Dataset<Row> table =
        spark
            .createDataFrame(rows, schema)
            .withColumn(
                "features",
                org.apache.spark.sql.functions.col("features"),
                new org.apache.spark.ml.attribute.AttributeGroup("features", FEATURES)
                    .toMetadata());
    model = dir.resolve("wide-lr").toString();
    new LinearRegression().setLabelCol("y").setMaxIter(20).setRegParam(0.01).fit(table).save(model);
    train = dir.resolve("train").toString();
    table.coalesce(1).write().parquet(train);
    input = dir.resolve("wide").toString();
    table.limit(3).coalesce(1).write().parquet(input);
  }

  private static Cli explain(String method, String out) {
    return Cli.run(
        "explain",
        "--input",
        input,
        "--id",
        "id",
        "--vector",
        "features",
        "--model",
        model,
        "--method",
        method,
        "--output",
        dir.resolve(out).toString());
  }

  @Test
  void methodsWhoseRowsGrowWithTheSquareOfTheFeaturesAreRefusedAtOnce() {
    for (String method : List.of("kernel", "permutation", "lime")) {
      Cli cli = explain(method, "out-" + method);
      assertEquals(1, cli.exitCode(), cli.errors());
      assertTrue(
          cli.errors().contains("method " + method + " over 100,000 players would hold"),
          cli.errors());
      assertTrue(cli.errors().contains("GiB per row"), cli.errors());
      assertTrue(cli.errors().contains("the limit is 128.0 MiB per row"), cli.errors());
      assertFalse(Files.exists(dir.resolve("out-" + method)), "no output");
    }
    Cli exact = explain("exact", "out-exact");
    assertEquals(1, exact.exitCode(), exact.errors());
    assertTrue(exact.errors().contains("method exact takes at most 16 players"), exact.errors());
  }

  @Test
  void mapsNameHowManyColumnsAreConstantAndRunWhenToldToLetThemPass() {
    Cli refused =
        Cli.run(
            "explore",
            "--input",
            input,
            "--vector",
            "features",
            "--method",
            "pca",
            "--output",
            dir.resolve("out-pca").toString());
    assertEquals(1, refused.exitCode(), refused.errors());
    String error = refused.errors();
    assertTrue(error.contains("99,994 constant feature columns"), error);
    assertTrue(error.contains("f21] and 99,974 more"), "the first 20 named: " + error);
    assertTrue(error.length() < 1000, "one readable line, not 100,000 names");
    Cli pca =
        Cli.run(
            "explore",
            "--input",
            train,
            "--vector",
            "features",
            "--method",
            "pca",
            "--components",
            "2",
            "--constant-columns",
            "ignore",
            "--output",
            dir.resolve("out-pca-ignore").toString());
    assertEquals(0, pca.exitCode(), pca.errors());
    Cli uncertainty =
        Cli.run(
            "uncertainty",
            "--input",
            train,
            "--label",
            "y",
            "--vector",
            "features",
            "--model",
            model,
            "--output",
            dir.resolve("out-u").toString());
    assertEquals(0, uncertainty.exitCode(), uncertainty.errors());
  }

  @Test
  void linearShapleyValuesScoreAndProfileRun() throws Exception {
    Cli linear = explain("linear", "out-linear");
    assertEquals(0, linear.exitCode(), linear.errors());
    Dataset<Row> shap =
        SparkTestSession.get().read().parquet(dir.resolve("out-linear/shap").toString());
    assertEquals(3, shap.count());
    for (Row r : shap.select("shap", "shap_base", "shap_gap").collectAsList()) {
      List<Double> phi = r.getList(0);
      assertEquals(FEATURES, phi.size());
      assertEquals(0, r.getDouble(2), 1e-9, "additivity: sum + base = the prediction");
    }
    Cli score =
        Cli.run(
            "score",
            "--input",
            input,
            "--vector",
            "features",
            "--model",
            model,
            "--output",
            dir.resolve("out-score").toString());
    assertEquals(0, score.exitCode(), score.errors());
    Cli profile =
        Cli.run(
            "profile", "--input", input, "--id", "id", "--output", dir.resolve("out-p").toString());
    assertEquals(0, profile.exitCode(), profile.errors());
  }
}
