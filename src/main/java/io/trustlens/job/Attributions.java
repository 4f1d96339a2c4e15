package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The global importance in an explain output: the mean absolute Shapley value of each player (a
 * column, or a one-hot group named after its column), over rows and, for target all, outputs.
 *
 * @param importance mean |shap| by player, in the explanation's order
 */
record Attributions(Map<String, Double> importance) {

  /**
   * Reads the explanations {@code ref}: an explain task's table written earlier in this run, or the
   * path of an explain output (Parquet; JSON with its {@code _schema.json}).
   */
  static Attributions read(AuditRun run, String ref) {
    Dataset<Row> table = run.wrote(ref) ? run.readWritten(ref) : readPath(run, ref);
    if (table.schema().getFieldIndex("shap").isEmpty()) {
      throw new SpecException(
          "the explanations "
              + ref
              + " have no shap column; give an explain output (its path, or"
              + " an earlier explain task's name)");
    }
    StructField field = table.schema().apply("shap");
    if (!field.metadata().contains("names")) {
      throw new SpecException(
          "the explanations " + ref + " do not name their players (the shap column's metadata)");
    }
    String[] names = field.metadata().getStringArray("names");
    Dataset<Row> flat =
        ((ArrayType) field.dataType()).elementType() instanceof ArrayType
            ? table.select(explode(col("shap")).as("shap"))
            : table.select(col("shap"));
    ArrayStats stats = ArrayStats.of(flat, "shap", names.length);
    double[] meanAbs = stats.meanAbs();
    Map<String, Double> importance = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      importance.put(names[i], meanAbs[i]);
    }
    return new Attributions(importance);
  }

  private static Dataset<Row> readPath(AuditRun run, String path) {
    Path dir = Path.of(path.startsWith("file:") ? path.substring("file:".length()) : path);
    Path schemaFile = dir.resolve("_schema.json");
    if (!Files.isRegularFile(schemaFile)) {
      return run.spark().read().parquet(path);
    }
    try (var files = Files.list(dir)) {
      boolean json =
          files.anyMatch(
              f ->
                  f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")
                      && f.getFileName().toString().startsWith("part-"));
      StructType schema = (StructType) DataType.fromJson(Files.readString(schemaFile));
      return (json ? OutputFormat.JSON : OutputFormat.PARQUET).read(run.spark(), schema, path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the explanations at " + path, e);
    }
  }

  /**
   * The share of the total mean |shap| that the players of {@code columns} carry: a player named as
   * the column, or {@code column=...} (a one-hot slot).
   */
  double share(List<String> columns) {
    double total = 0;
    double part = 0;
    for (var e : importance.entrySet()) {
      total += e.getValue();
      for (String c : columns) {
        if (e.getKey().equals(c) || e.getKey().startsWith(c + "=")) {
          part += e.getValue();
          break;
        }
      }
    }
    return total == 0 ? 0 : part / total;
  }

  /** The players in decreasing importance. */
  List<String> ranking() {
    return importance.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .map(Map.Entry::getKey)
        .toList();
  }

  /** A class value as text: 1 for 1.0. */
  static String number(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
