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

  /**
   * Two classes with tied, negative-zero and null probabilities and labels outside 0..1: the AUC
   * gathered in the figures' pass equals a brute-force count over every (positive, negative) pair
   * of the rows the confusion matrix counts (ties one half, null scores below all), equals
   * RocArea's sorted-table path over the same rows, and is the same bits in one partition and in
   * seven.
   */
  @Test
  void gatheredAucEqualsAPairCountAndTheSortedPath() {
    Random random = new Random(13);
    List<Row> rows = new ArrayList<>();
    List<Double> positives = new ArrayList<>();
    List<Double> negatives = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      double u = random.nextDouble();
      String label = u < 0.03 ? null : u < 0.05 ? "2" : u < 0.06 ? "0.5" : "" + (i % 2);
      // Few distinct scores (ties), 0.0 and -0.0 among them, and some rows without probabilities.
      double p1 = random.nextInt(40) / 40.0 * (random.nextBoolean() ? 1 : -1);
      p1 = p1 == 0 && random.nextBoolean() ? -0.0 : p1;
      boolean noScore = random.nextDouble() < 0.03;
      rows.add(
          RowFactory.create(
              label, (double) random.nextInt(2), noScore ? null : toList(new double[] {0, p1})));
      if ("0".equals(label) || "1".equals(label)) {
        ("1".equals(label) ? positives : negatives).add(noScore ? null : p1);
      }
    }
    double twice = 0;
    for (Double p : positives) {
      for (Double n : negatives) {
        double a = p == null ? Double.NEGATIVE_INFINITY : p;
        double b = n == null ? Double.NEGATIVE_INFINITY : n;
        twice += a > b ? 2 : a == b ? 1 : 0; // nulls tie with nulls, -0.0 with 0.0
      }
    }
    double expected = twice / (2.0 * positives.size() * negatives.size());
    Dataset<Row> table = SPARK.createDataFrame(rows, SCHEMA);
    ScoreFigures one = ScoreFigures.of(table.coalesce(1), "label", 2, true, true);
    ScoreFigures seven = ScoreFigures.of(table.repartition(7), "label", 2, true, true);
    org.apache.spark.sql.Column label = org.apache.spark.sql.functions.col("label").cast("double");
    double sorted =
        RocArea.ofSortedScores(
            table.filter(label.isin(0.0, 1.0)),
            org.apache.spark.sql.functions.element_at(
                org.apache.spark.sql.functions.col("probability"), 2),
            label);
    assertEquals(expected, one.rocArea(), 1e-15);
    assertEquals(Double.doubleToLongBits(sorted), Double.doubleToLongBits(one.rocArea()));
    assertEquals(Double.doubleToLongBits(one.rocArea()), Double.doubleToLongBits(seven.rocArea()));
    assertTrue(!new ScoreFigures(2).gatheredScores(), "not gathered unless asked");
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
