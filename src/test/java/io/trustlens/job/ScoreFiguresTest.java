package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class ScoreFiguresTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  private static final StructType SCHEMA =
      new StructType()
          .add("label", DataTypes.StringType)
          .add("prediction", DataTypes.DoubleType)
          .add("probability", DataTypes.createArrayType(DataTypes.DoubleType));

  /**
   * Three classes, with labels that are null, out of range, not whole or negative: every figure
   * against a direct count over the rows (the log loss summed exactly in decimal), and the same
   * bits from one partition and from seven.
   */
  @Test
  void classifierFiguresEqualDirectCountsInAnyPartitioning() {
    Random random = new Random(11);
    List<Row> rows = new ArrayList<>();
    long right = 0;
    long outside = 0;
    long[][] confusion = new long[3][3];
    BigDecimal loss = BigDecimal.ZERO;
    long lossRows = 0;
    for (int i = 0; i < 5000; i++) {
      double u = random.nextDouble();
      String label =
          u < 0.02 ? null : u < 0.03 ? "7" : u < 0.04 ? "1.5" : u < 0.05 ? "-1" : "" + (i % 3);
      // Class 2's probabilities lie below the clamp.
      double[] p = {random.nextDouble(), random.nextDouble(), random.nextDouble() * 1e-17};
      int predicted = random.nextInt(3);
      rows.add(RowFactory.create(label, (double) predicted, toList(p)));
      Integer l = label == null || !label.matches("[0-2]") ? null : Integer.valueOf(label);
      if (l == null) {
        outside++; // null, not a class index, or not a number
        continue;
      }
      right += l == predicted ? 1 : 0;
      confusion[l][predicted]++;
      loss = loss.add(new BigDecimal(-Math.log(Math.max(p[l], ScoreTask.EPSILON))));
      lossRows++;
    }
    double expectedLoss =
        loss.divide(BigDecimal.valueOf(lossRows), MathContext.DECIMAL128).doubleValue();
    Dataset<Row> table = SPARK.createDataFrame(rows, SCHEMA);
    ScoreFigures one = ScoreFigures.of(table.coalesce(1), "label", 3, true);
    ScoreFigures seven = ScoreFigures.of(table.repartition(7), "label", 3, true);
    for (ScoreFigures f : List.of(one, seven)) {
      assertEquals(5000, f.rows());
      assertEquals((double) right / 5000, f.accuracy(), 0);
      assertEquals(outside, f.outside());
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(confusion[i], f.confusion()[i], "label " + i);
      }
      assertEquals(lossRows, f.lossRows());
      assertEquals(expectedLoss, f.logLoss(), Math.ulp(expectedLoss), "exact, rounded once");
    }
    assertEquals(Double.doubleToLongBits(one.logLoss()), Double.doubleToLongBits(seven.logLoss()));
  }

  /** A regressor: the RMSE over rows with a label, null labels left out, any partitioning. */
  @Test
  void regressorRmseLeavesOutRowsWithoutALabel() {
    Random random = new Random(12);
    List<Row> rows = new ArrayList<>();
    BigDecimal squares = BigDecimal.ZERO;
    long labelled = 0;
    for (int i = 0; i < 3000; i++) {
      double prediction = random.nextGaussian() * 1e3;
      double label = prediction + random.nextGaussian();
      boolean missing = i % 10 == 0;
      rows.add(RowFactory.create(missing ? null : Double.toString(label), prediction, null));
      if (!missing) {
        double e = prediction - label;
        squares = squares.add(new BigDecimal(e * e));
        labelled++;
      }
    }
    double expected =
        Math.sqrt(
            squares.divide(BigDecimal.valueOf(labelled), MathContext.DECIMAL128).doubleValue());
    Dataset<Row> table = SPARK.createDataFrame(rows, SCHEMA);
    ScoreFigures one = ScoreFigures.of(table.coalesce(1), "label", 0, false);
    ScoreFigures seven = ScoreFigures.of(table.repartition(7), "label", 0, false);
    assertEquals(3000, one.rows());
    assertEquals(expected, one.rmse(), 2 * Math.ulp(expected));
    assertEquals(Double.doubleToLongBits(one.rmse()), Double.doubleToLongBits(seven.rmse()));
    assertEquals(0, one.lossRows(), "a regressor has no log loss");
    assertTrue(Double.isNaN(new ScoreFigures(2).accuracy()), "no rows: no accuracy");
  }

  private static List<Double> toList(double[] p) {
    List<Double> list = new ArrayList<>();
    for (double v : p) {
      list.add(v);
    }
    return list;
  }
}
