package io.trustlens.testing;

import java.util.Arrays;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

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
}
