package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.internal.SQLConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a run reads while its Spark session starts ({@link EarlyReads}). */
class EarlyReadsTest {
  private static final SparkSession SPARK = SparkTestSession.get();
  private static final String INPUT = "datasets/synthetic/credit.csv";
  private static final String MODEL = "datasets/models/credit_gbt";

  @TempDir Path dir;

  /** The test session's own SQL settings (not the static ones), as --conf options give them. */
  private static Map<String, String> sessionSettings() {
    Map<String, String> settings = new java.util.TreeMap<>();
    scala.jdk.javaapi.CollectionConverters.asJava(SPARK.sessionState().conf().getAllConfs())
        .forEach(
            (k, v) -> {
              if (k.startsWith("spark.sql.") && !SQLConf.isStaticConfigKey(k)) {
                settings.put(k, v);
              }
            });
    return settings;
  }

  private static SparkConf likeTheSession() {
    SparkConf conf = new SparkConf(false);
    sessionSettings().forEach(conf::set);
    return conf;
  }

  @Test
  void theInputAndModelReadBeforeTheSessionAreThoseReadWithIt() throws Exception {
    AuditSpec spec = AuditSpecParser.load(Path.of("conf/demo.yaml"), null);
    EarlyReads early = EarlyReads.start(likeTheSession(), spec);
    assertTrue(early.matches(SPARK), "the same SQL settings");

    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(INPUT);
    FileSystem fs = path.getFileSystem(SPARK.sparkContext().hadoopConfiguration());
    SmallCsv.Table read = SmallCsv.read(SPARK, fs, path);
    SmallCsv.Parsed parsed = early.input();
    assertNotNull(parsed, "parsed before the session");
    assertEquals(read.table().schema(), parsed.schema());
    assertEquals(read.rows(), parsed.rows());
    assertEquals(read.internalRows(), parsed.internalRows());

    Object model = early.models().get(MODEL);
    assertNotNull(model, "read before the session");
    Dataset<Row> table = read.table();
    assertEquals(
        PipelineModel.load(MODEL).transform(table).collectAsList(),
        ((PipelineModel) model).transform(table).collectAsList(),
        "the model read before the session scores as MLlib's load does");
  }

  @Test
  void aSessionWithOtherSqlSettingsTakesNothingReadBeforeIt() {
    AuditSpec spec = AuditSpecParser.load(Path.of("conf/demo.yaml"), null);
    SparkConf other = likeTheSession().set("spark.sql.session.timeZone", "America/New_York");
    assertFalse(EarlyReads.start(other, spec).matches(SPARK), "another time zone");
    SparkConf more = likeTheSession().set("spark.sql.caseSensitive", "true");
    assertFalse(EarlyReads.start(more, spec).matches(SPARK), "a setting the session lacks");
    SparkConf less = new SparkConf(false);
    assertFalse(EarlyReads.start(less, spec).matches(SPARK), "settings the session has");
    SparkConf beyondSql = likeTheSession().set("spark.executor.memory", "3g");
    assertTrue(EarlyReads.start(beyondSql, spec).matches(SPARK), "only SQL settings count");
  }

  @Test
  void aRunTakesWhatWasReadBeforeItsSessionOnlyWhenTheSettingsMatch() throws Exception {
    Path taken = dir.resolve("taken");
    Path notTaken = dir.resolve("not-taken");
    Path without = dir.resolve("without");
    AuditSpec spec = scoreSpec(taken);
    assertEquals(
        0, new AuditRun(SPARK, spec, "audit", EarlyReads.start(likeTheSession(), spec)).run(false));
    SparkConf other = likeTheSession().set("spark.sql.caseSensitive", "true");
    AuditSpec spec2 = scoreSpec(notTaken);
    assertEquals(0, new AuditRun(SPARK, spec2, "audit", EarlyReads.start(other, spec2)).run(false));
    assertEquals(0, new AuditRun(SPARK, scoreSpec(without), "audit").run(false));

    ObjectMapper json = new ObjectMapper();
    JsonNode a = json.readTree(taken.resolve("summary.json").toFile());
    JsonNode b = json.readTree(notTaken.resolve("summary.json").toFile());
    JsonNode c = json.readTree(without.resolve("summary.json").toFile());
    assertEquals(List.of("input", "model gbt"), strings(a.path("read_while_spark_started")));
    assertEquals(List.of(), strings(b.path("read_while_spark_started")), "other settings");
    assertEquals(List.of(), strings(c.path("read_while_spark_started")), "no reads before");
    assertEquals(figures(c), figures(a), "the same figures either way");
    assertEquals(figures(c), figures(b));
    List<Row> expected = SPARK.read().parquet(without.resolve("scored").toString()).collectAsList();
    assertEquals(
        expected,
        SPARK.read().parquet(taken.resolve("scored").toString()).collectAsList(),
        "the same predictions, in the same order");
  }

  /** A spec that scores the demo's table with its model into {@code output}. */
  private static AuditSpec scoreSpec(Path output) {
    return AuditSpecParser.parse(
        "name: early\n"
            + "input:\n  path: "
            + INPUT
            + "\n  id: id\n  label: default\n"
            + "models:\n  gbt: "
            + MODEL
            + "\noutput: "
            + output
            + "\ntasks:\n  - type: score\n    model: gbt\n    name: scored\n",
        "test");
  }

  /** The score task's summary but its seconds and output paths. */
  private static JsonNode figures(JsonNode summary) {
    com.fasterxml.jackson.databind.node.ObjectNode task =
        (com.fasterxml.jackson.databind.node.ObjectNode) summary.path("tasks").get(0).deepCopy();
    task.remove("seconds");
    task.remove("outputs");
    return task;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
