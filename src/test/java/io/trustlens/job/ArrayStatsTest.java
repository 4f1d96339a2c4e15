package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** One pass of a written table's summary figures, equal to SQL's avg and max over the same rows. */
class ArrayStatsTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("shap", DataTypes.createArrayType(DataTypes.DoubleType, true))
          .add("base", DataTypes.DoubleType)
          .add("gap", DataTypes.DoubleType)
          .add("never", DataTypes.DoubleType);

  @Test
  void meansAndLargestAbsoluteValuesSkipNullsOverAnyPartitioning() {
    List<Row> rows =
        List.of(
            RowFactory.create(Arrays.asList(1.0, -2.0, null), 0.5, -3.0, null),
            RowFactory.create(Arrays.asList(-3.0, 4.0, 6.0), 1.5, 2.0, null),
            RowFactory.create(null, null, null, null),
            RowFactory.create(Arrays.asList(2.0, 0.0, -6.0), 1.0, -0.5, null));
    Dataset<Row> table = SparkTestSession.get().createDataFrame(rows, SCHEMA);
    for (int partitions : new int[] {1, 3}) {
      ArrayStats s =
          ArrayStats.of(table.repartition(partitions), "shap", 3, "base", "gap", "never");
      assertArrayEquals(new double[] {2, 2, 6}, s.meanAbs(), 1e-15, partitions + " partitions");
      assertEquals(1.0, s.mean(0), 1e-15, "avg skips the null base");
      assertEquals(3.0, s.maxAbs(1), 0.0, "largest |gap|");
      assertEquals(-3.0, s.min(1), 0.0, "smallest gap");
      assertEquals(2.0, s.max(1), 0.0, "largest gap");
      assertEquals(0.5, s.min(0), 0.0, "smallest base, the null skipped");
      assertEquals(3.0, s.sum(0), 0.0, "the bases' sum");
      assertNull(s.mean(2), "null in every row: null, as SQL's avg");
      assertNull(s.maxAbs(2));
      assertNull(s.min(2));
      assertNull(s.max(2));
    }
    Dataset<Row> nan =
        SparkTestSession.get()
            .createDataFrame(
                List.of(RowFactory.create(Arrays.asList(Double.NaN), Double.NaN, 1.0, null)),
                SCHEMA);
    ArrayStats n = ArrayStats.of(nan, "shap", 1, "base");
    assertTrue(Double.isNaN(n.meanAbs()[0]) && Double.isNaN(n.mean(0)), "NaN stays NaN");
  }

  @Test
  void theFiguresAreTheSameBitsForAnyPartitioning() {
    java.util.Random random = new java.util.Random(3);
    List<Row> rows = new java.util.ArrayList<>();
    java.math.BigDecimal exact = java.math.BigDecimal.ZERO; // of the first position's |values|
    for (int i = 0; i < 2000; i++) {
      double a = (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(12) - 6);
      exact = exact.add(new java.math.BigDecimal(Math.abs(a)));
      double b = random.nextGaussian() * 1e-3;
      rows.add(RowFactory.create(Arrays.asList(a, b, a * b), a + b, b, null));
    }
    Dataset<Row> table = SparkTestSession.get().createDataFrame(rows, SCHEMA);
    ArrayStats one = ArrayStats.of(table.coalesce(1), "shap", 3, "base", "gap");
    assertEquals(
        Double.parseDouble(exact.toString()) / rows.size(),
        one.meanAbs()[0],
        0.0,
        "the exact sum, rounded once, over the rows");
    for (int partitions : new int[] {2, 3, 7, 16}) {
      ArrayStats many = ArrayStats.of(table.repartition(partitions), "shap", 3, "base", "gap");
      for (int i = 0; i < 3; i++) {
        assertEquals(
            Double.doubleToLongBits(one.meanAbs()[i]),
            Double.doubleToLongBits(many.meanAbs()[i]),
            partitions + " partitions, position " + i);
      }
      assertEquals(
          Double.doubleToLongBits(one.mean(0)),
          Double.doubleToLongBits(many.mean(0)),
          partitions + " partitions, base");
    }
  }
}
