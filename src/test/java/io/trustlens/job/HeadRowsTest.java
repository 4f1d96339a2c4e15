package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustlens.testing.SparkTestSession;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The first rows a summary pass gathers ({@link HeadRows}: the score figures' and the SHAP
 * statistics') are the rows {@code limit(n).collectAsList()} gives, in its order, whatever the
 * partitioning (past {@link HeadRows#PARTITIONS} partitions too), the number asked for, the
 * columns' types and their names.
 */
class HeadRowsTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType)
          .add("label", DataTypes.DoubleType)
          .add("prediction", DataTypes.DoubleType)
          .add("probability", SQLDataTypes.VectorType())
          .add("shap", DataTypes.createArrayType(DataTypes.DoubleType, true))
          .add("shap_base", DataTypes.DoubleType)
          .add("shap_gap", DataTypes.DoubleType)
          .add("at", DataTypes.TimestampType)
          .add("a `quoted`.name", DataTypes.IntegerType);

  @Test
  void theFirstRowsAreThoseOfALimitInItsOrder() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      double p = (i % 10) / 10.0;
      rows.add(
          RowFactory.create(
              i % 9 == 0 ? null : "row " + i,
              (double) (i % 2),
              (double) (i % 3 == 0 ? 1 : 0),
              Vectors.dense(1 - p, p),
              i % 7 == 0 ? null : Arrays.asList(p, -p, i % 5 == 0 ? null : 2 * p),
              0.5,
              i % 4 == 0 ? null : 1e-9 * i,
              new Timestamp(1_700_000_000_000L + 1000L * i),
              i));
    }
    Dataset<Row> table = SPARK.createDataFrame(rows, SCHEMA);
    // Twenty partitions: the first eight hold too few rows for ten or more, and the limit runs.
    for (Dataset<Row> parts :
        List.of(table.coalesce(1), table.repartition(7), table.repartition(20))) {
      for (int n : new int[] {1, 3, 10, 500}) {
        List<Row> expected = parts.limit(n).collectAsList();
        String where = parts.rdd().getNumPartitions() + " partitions, " + n + " rows";
        List<Row> scored = ScoreFigures.of(parts, "label", 2, false, false, n).head();
        List<Row> explained = ArrayStats.of(parts, n, "shap", 3, "shap_base", "shap_gap").head();
        for (List<Row> head : List.of(scored, explained)) {
          assertEquals(expected, head, where);
          assertEquals(parts.schema(), head.get(0).schema(), where + ": the table's schema");
        }
      }
    }
    assertEquals(List.of(), ScoreFigures.of(table, "label", 2, false, false, 0).head());
  }
}
