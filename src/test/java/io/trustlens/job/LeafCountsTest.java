package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leaves most used per tree, counted while the rows are written ({@link LeafCounts}), are the
 * rows and the order of the grouping query over the written table that they replace (by rows, most
 * first, then by leaf, ties included), whatever the partitioning; a null array counts nowhere.
 */
class LeafCountsTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  @TempDir Path dir;

  @Test
  void theLeavesMostUsedAreThoseOfTheGroupingQuery() {
    StructType schema =
        new StructType()
            .add("id", DataTypes.IntegerType)
            .add("rule_leaves", DataTypes.createArrayType(DataTypes.IntegerType));
    Random random = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      // Four trees (the fourth not counted): trees 1 and 2 tie their leaves' rows exactly.
      rows.add(
          RowFactory.create(
              i, Arrays.asList(random.nextInt(3), i % 3, i % 2, 4 * random.nextInt(9))));
    }
    rows.add(RowFactory.create(900, null));
    Dataset<Row> all = SPARK.createDataFrame(rows, schema);
    int written = 0;
    for (Dataset<Row> table : List.of(all.coalesce(1), all.repartition(6))) {
      LeafCounts counts = LeafCounts.whileWriting(table, "rule_leaves", 3);
      String path = dir.resolve("rules" + written++).toString();
      OutputFormat.PARQUET.write("rules", counts.table(), path);
      Dataset<Row> back =
          SPARK.read().parquet(path).where(col("rule_leaves").isNotNull()); // counted nowhere
      for (int t = 0; t < 3; t++) {
        for (int n : new int[] {1, 3, 20}) {
          List<Row> expected =
              back.select(element_at(col("rule_leaves"), lit(t + 1)).as("leaf"))
                  .groupBy("leaf")
                  .agg(count(lit(1)).as("rows"))
                  .orderBy(col("rows").desc(), col("leaf"))
                  .limit(n)
                  .collectAsList();
          List<long[]> got = counts.mostUsed(t, n);
          String where = table.rdd().getNumPartitions() + " partitions, tree " + t + ", n " + n;
          assertEquals(expected.size(), got.size(), where);
          for (int i = 0; i < got.size(); i++) {
            long[] want = {expected.get(i).getInt(0), expected.get(i).getLong(1)};
            assertArrayEquals(want, got.get(i), where + ", place " + i);
          }
        }
      }
    }
  }
}
