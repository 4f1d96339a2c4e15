package io.trustlens.uncertainty.calibration;

import io.trustlens.uncertainty.InvalidScoresException;
import io.trustlens.uncertainty.OrderStatistics;
import io.trustlens.uncertainty.ScoreColumns;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Measures calibration over a Spark table of class probabilities and labels: reliability diagrams
 * (top label and one-vs-rest per class), ECE, MCE, Brier score, log loss. One pass for the sums,
 * plus one exact sort per curve for equal-mass edges; the result does not depend on the
 * partitioning.
 */
public final class Calibration {
  /** Rows a bin needs on average before its frequency means something. */
  public static final int ROWS_PER_BIN = 10;

  private Calibration() {}

  /**
   * The calibration of {@code probabilityCol} against {@code labelCol}.
   *
   * @param idCol the column that names rows in errors; null for none
   * @param classNames the classes' names, or null for their indices
   */
  public static CalibrationMetrics measure(
      Dataset<Row> table,
      String probabilityCol,
      String labelCol,
      String idCol,
      int bins,
      Binning binning,
      List<String> classNames) {
    if (bins < 2) {
      throw new InvalidScoresException("bins is " + bins + "; a reliability diagram needs >= 2");
    }
    StructType schema = table.schema();
    int p = ScoreColumns.scores(schema, probabilityCol, "class probabilities");
    int y = ScoreColumns.numeric(schema, labelCol, "label");
    int id = idCol == null ? -1 : schema.fieldIndex(idCol);
    long n = table.count();
    if (n < (long) ROWS_PER_BIN * bins) {
      throw new InvalidScoresException(
          "too few rows to measure calibration: "
              + n
              + " rows for "
              + bins
              + " bins; give at least "
              + ROWS_PER_BIN * bins
              + " rows, or fewer bins");
    }
    double[] first = ScoreColumns.read(table.select(probabilityCol).first(), 0);
    int classes = first == null ? 0 : first.length;
    List<String> names = classNames != null ? classNames : indices(classes);
    JavaRDD<Row> rows = table.toJavaRDD();
    double[][] edges = new double[classes + 1][];
    for (int curve = 0; curve <= classes; curve++) {
      if (binning == Binning.EQUAL_WIDTH) {
        edges[curve] = Binning.equalWidthEdges(bins);
      } else {
        int k = curve;
        JavaRDD<Double> values = rows.map(r -> confidence(checked(r, p, y, id, idCol, classes), k));
        edges[curve] = OrderStatistics.at(values, Binning.equalMassRanks(n, bins));
      }
    }
    CalibrationSums total =
        rows.mapPartitions(
                (Iterator<Row> it) -> {
                  CalibrationSums sums = new CalibrationSums(classes, edges);
                  while (it.hasNext()) {
                    Row r = it.next();
                    double[] probabilities = checked(r, p, y, id, idCol, classes);
                    sums.add(probabilities, (int) ScoreColumns.number(r, y));
                  }
                  return Collections.singletonList(sums).iterator();
                })
            .reduce(CalibrationSums::merge);
    return total.metrics(names, binning);
  }

  private static double confidence(double[] probabilities, int curve) {
    if (curve > 0) {
      return probabilities[curve - 1];
    }
    double top = probabilities[0];
    for (double v : probabilities) {
      top = Math.max(top, v);
    }
    return top;
  }

  /** The row's probabilities, refused with the row's name when they cannot be measured. */
  static double[] checked(Row r, int p, int y, int id, String idCol, int classes) {
    double[] probabilities = ScoreColumns.read(r, p);
    String problem =
        probabilities == null
            ? "has no probabilities (null)"
            : CalibrationSums.check(probabilities, ScoreColumns.number(r, y), classes);
    if (problem != null) {
      throw new InvalidScoresException(ScoreColumns.describe(r, id, idCol) + " " + problem);
    }
    return probabilities;
  }

  static List<String> indices(int classes) {
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      names.add("class " + c);
    }
    return names;
  }
}
