package io.trustlens.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Bundled tables as test inputs. */
public final class Tables {
  private Tables() {}

  /** A bundled CSV from {@code datasets/}, schema inferred. */
  public static Dataset<Row> csv(String name) {
    return SparkTestSession.get()
        .read()
        .option("header", "true")
        .option("inferSchema", "true")
        .csv("datasets/" + name);
  }

  /** A bundled CSV with every column but {@code label} assembled into {@code features}. */
  public static Dataset<Row> assembled(String name, String label) {
    Dataset<Row> df = csv(name);
    String[] inputs =
        Arrays.stream(df.columns()).filter(c -> !c.equals(label)).toArray(String[]::new);
    return new VectorAssembler().setInputCols(inputs).setOutputCol("features").transform(df);
  }

  /**
   * Each Parquet table of a run's output folder {@code out}, by name: its rows as text with doubles
   * in full ({@code Double.toString} gives the shortest string that reads back to the same bits),
   * sorted, so that two runs' outputs are equal exactly when their bits are.
   */
  public static Map<String, List<String>> outputs(SparkSession spark, Path out) throws Exception {
    Map<String, List<String>> tables = new TreeMap<>();
    try (var entries = Files.list(out)) {
      for (Path t : entries.filter(Files::isDirectory).toList()) {
        List<String> rows = new ArrayList<>();
        for (Row r : spark.read().parquet(t.toString()).collectAsList()) {
          rows.add(r.toString());
        }
        rows.sort(null);
        tables.put(t.getFileName().toString(), rows);
      }
    }
    return tables;
  }
}
