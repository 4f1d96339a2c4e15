package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterpretedPlansTest {
  @TempDir Path dir;

  private static final String BREAST_CANCER = "datasets/breast_cancer.csv";

  @Test
  void aSmallTableRunsInterpretedWithTheSameBitsAndTheSessionIsPutBack() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Path interpreted = dir.resolve("interpreted");
    Path compiled = dir.resolve("compiled");
    // The demo audit: a profile, scores, TreeSHAP and PCA, their aggregations in the summary.
    String[] demo = {"audit", "conf/demo.yaml", "--set"};
    assertEquals(0, Cli.run(with(demo, "output=" + interpreted)).exitCode());
    assertTrue(plans(interpreted).startsWith("interpreted (tables of "), plans(interpreted));
    assertFalse(spark.sessionState().conf().contains(InterpretedPlans.WHOLE_STAGE));
    assertFalse(spark.sessionState().conf().contains(InterpretedPlans.FACTORY_MODE));

    spark.conf().set(InterpretedPlans.WHOLE_STAGE, "true");
    try {
      assertEquals(0, Cli.run(with(demo, "output=" + compiled)).exitCode());
      assertEquals("as the Spark settings given say", plans(compiled));
      assertEquals("true", spark.conf().get(InterpretedPlans.WHOLE_STAGE), "the user's setting");
    } finally {
      spark.conf().unset(InterpretedPlans.WHOLE_STAGE);
    }
    assertEquals(tasks(compiled), tasks(interpreted), "the summaries' figures");
    for (String table : List.of("profile", "predictions", "shap", "pca")) {
      Dataset<Row> a = spark.read().parquet(interpreted.resolve(table).toString());
      Dataset<Row> b = spark.read().parquet(compiled.resolve(table).toString());
      assertTrue(a.count() > 0, table);
      assertEquals(0, a.exceptAll(b).count(), table + ": every value the same bits");
      assertEquals(0, b.exceptAll(a).count(), table + ": every value the same bits");
    }
  }

  @Test
  void theTablesCountedAreTheInputAndTheOnesATaskNames() throws Exception {
    Path big = dir.resolve("reference.csv");
    StringBuilder rows = new StringBuilder("a,b\n");
    while (rows.length() <= InterpretedPlans.SMALL_TABLES_BYTES) {
      rows.append("0.123456789,9.87654321\n");
    }
    Files.writeString(big, rows);
    Path spec =
        breastCancerSpec("drift.yaml", "{type: data, method: drift, reference: " + big + "}");
    org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
    long bytes = InterpretedPlans.tableBytes(hadoop, AuditSpecParser.read(spec));
    assertEquals(120924 + Files.size(big), bytes, "the input and the drift reference");
    SparkSession spark = SparkTestSession.get();
    try (InterpretedPlans plans = InterpretedPlans.forRun(spark, AuditSpecParser.read(spec))) {
      assertFalse(plans.interpreted(), plans.describe());
      assertFalse(spark.sessionState().conf().contains(InterpretedPlans.FACTORY_MODE));
    }
    Files.writeString(spec, Files.readString(spec).replace(big.toString(), BREAST_CANCER));
    try (InterpretedPlans plans = InterpretedPlans.forRun(spark, AuditSpecParser.read(spec))) {
      assertTrue(plans.interpreted(), plans.describe());
      assertEquals("NO_CODEGEN", spark.conf().get(InterpretedPlans.FACTORY_MODE));
      assertEquals("false", spark.conf().get(InterpretedPlans.WHOLE_STAGE));
    }
    assertFalse(spark.sessionState().conf().contains(InterpretedPlans.FACTORY_MODE));
  }

  @Test
  void jobsOnAPlansRddRunTheirTasksInterpretedToo() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Path spec = breastCancerSpec("small.yaml", "{type: profile}");
    String before = spark.sparkContext().getLocalProperty(InterpretedPlans.FACTORY_MODE);
    try (InterpretedPlans plans = InterpretedPlans.forRun(spark, AuditSpecParser.read(spec))) {
      assertTrue(plans.interpreted(), plans.describe());
      assertEquals(List.of("NO_CODEGEN|false"), taskSettings(spark), "a task's SQL settings");
    }
    assertEquals(before, spark.sparkContext().getLocalProperty(InterpretedPlans.FACTORY_MODE));
    assertEquals(List.of("FALLBACK|true"), taskSettings(spark), "the settings put back");
  }

  /** A spec file {@code file} running {@code task} over breast_cancer.csv. */
  private Path breastCancerSpec(String file, String task) throws java.io.IOException {
    Path spec = dir.resolve(file);
    Files.writeString(
        spec,
        "input: {path: "
            + BREAST_CANCER
            + "}\noutput: "
            + dir.resolve("out")
            + "\ntasks:\n  - "
            + task
            + "\n");
    return spec;
  }

  /** The code generation settings a task of a job on a plan's RDD runs with. */
  private static List<String> taskSettings(SparkSession spark) {
    return spark
        .range(1)
        .queryExecution()
        .toRdd()
        .toJavaRDD()
        .map(
            r -> {
              org.apache.spark.sql.internal.SQLConf conf =
                  org.apache.spark.sql.internal.SQLConf.get();
              return conf.getConfString(InterpretedPlans.FACTORY_MODE)
                  + "|"
                  + conf.getConfString(InterpretedPlans.WHOLE_STAGE);
            })
        .collect();
  }

  private static String plans(Path out) throws Exception {
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    return summary.get("spark_plans").asText();
  }

  /** The summary's tasks without their times and output paths. */
  private static String tasks(Path out) throws Exception {
    JsonNode tasks = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("tasks");
    for (JsonNode t : tasks) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) t).remove(List.of("seconds", "outputs"));
    }
    return sorted(tasks).toString();
  }

  /** {@code node} with every object's keys in order. */
  private static JsonNode sorted(JsonNode node) throws Exception {
    ObjectMapper mapper =
        new ObjectMapper()
            .configure(
                com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS,
                true);
    return mapper.readTree(mapper.writeValueAsString(mapper.treeToValue(node, Object.class)));
  }

  private static String[] with(String[] args, String last) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.add(last);
    return all.toArray(new String[0]);
  }
}
