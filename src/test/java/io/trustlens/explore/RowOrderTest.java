package io.trustlens.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustlens.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** A map's seeded sample taken from internal rows is {@code RowOrder.sample}'s, row for row. */
class RowOrderTest {
  private final SparkSession spark = SparkTestSession.get();

  /** 300 rows, a third of them repeated (no id tells them apart), with nulls and text. */
  private Dataset<Row> table(int partitions) {
    StructType schema =
        new StructType()
            .add("id", DataTypes.IntegerType, false)
            .add("x", DataTypes.DoubleType, true)
            .add("name", DataTypes.StringType, true);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      int k = i % 200;
      rows.add(RowFactory.create(i, k % 9 == 0 ? null : k / 7.0, k % 4 == 0 ? null : "r" + k));
    }
    return spark.createDataFrame(rows, schema).repartition(partitions);
  }

  private static List<Row> bySample(
      Dataset<Row> t, String id, int size, long seed, List<String> c) {
    Column[] columns = c.stream().map(n -> functions.col("`" + n + "`")).toArray(Column[]::new);
    return RowOrder.sample(t, id, size, seed).select(columns).collectAsList();
  }

  @Test
  void sampleRowsAreTheSampleInItsOrderForAnyPartitioning() {
    List<String> columns = List.of("name", "x", "id");
    List<String> noId = List.of("x", "name");
    for (int partitions : new int[] {1, 7}) {
      Dataset<Row> t = table(partitions);
      Dataset<Row> withoutId = t.drop("id");
      for (int size : new int[] {1, 37, 300, 1000}) {
        for (long seed : new long[] {0, 42}) {
          String where = partitions + " partitions, " + size + " rows, seed " + seed;
          List<Row> expected = bySample(t, "id", size, seed, columns);
          assertEquals(Math.min(size, 300), expected.size(), where);
          assertEquals(expected, RowOrder.sampleRows(t, "id", size, seed, columns), where);
          assertEquals(
              bySample(withoutId, null, size, seed, noId),
              RowOrder.sampleRows(withoutId, null, size, seed, noId),
              where + ", no id");
        }
      }
    }
    // The order is the hashes' (not the table's): the first of a sample of 1 leads every sample.
    Dataset<Row> t = table(3);
    assertEquals(
        RowOrder.sampleRows(t, "id", 1, 5, columns).get(0),
        RowOrder.sampleRows(t, "id", 50, 5, columns).get(0));
  }
}
