package io.trustlens.explore.pca;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Per-column count, mean, variance, second moment and range of a table's features, in two exact
 * passes (the variance about the mean of the first pass, so large offsets cost no precision).
 */
public final class ColumnMoments implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long rows;
  private final double[] mean;
  private final double[] variance;
  private final double[] secondMoment;
  private final double[] min;
  private final double[] max;

  private ColumnMoments(
      long rows,
      double[] mean,
      double[] variance,
      double[] secondMoment,
      double[] min,
      double[] max) {
    this.rows = rows;
    this.mean = mean;
    this.variance = variance;
    this.secondMoment = secondMoment;
    this.min = min;
    this.max = max;
  }

  /** The moments of {@code features} in {@code table}; fails on null or NaN with the row named. */
  public static ColumnMoments of(Dataset<Row> table, FeatureSpace features, String idCol) {
    return of(new Pass.Source(table, features, idCol, KEPT_VALUES));
  }

  /**
   * Feature values at most that the first pass keeps for the later passes to fold on the driver (16
   * MB): a small table is read once, not once a pass.
   */
  static final long KEPT_VALUES = 1L << 21;

  /** The moments of {@code source}'s features, its first pass keeping a small table's rows. */
  static ColumnMoments of(Pass.Source source) {
    int d = source.features().size();
    First first = source.run(() -> new First(d), First::add, (a, b) -> a.merge(b));
    if (first.count == 0) {
      throw new InvalidFeatureException("the table has no rows");
    }
    long n = first.count;
    double[] mean = new double[d];
    double[] second = new double[d];
    for (int j = 0; j < d; j++) {
      mean[j] = first.sums.value(j) / n;
      second[j] = first.sums.value(d + j) / n;
    }
    ExactSums squares =
        source.run(
            () -> new ExactSums(d),
            (acc, x) -> {
              for (int j = 0; j < d; j++) {
                double c = x[j] - mean[j];
                acc.add(j, c * c);
              }
            },
            ExactSums::merge);
    double[] variance = new double[d];
    List<String> overflow = new ArrayList<>();
    for (int j = 0; j < d; j++) {
      variance[j] = n > 1 ? squares.value(j) / (n - 1) : 0;
      if (!Double.isFinite(mean[j])
          || !Double.isFinite(second[j])
          || !Double.isFinite(variance[j])) {
        overflow.add(
            source.features().names().get(j)
                + " (largest |value| "
                + Math.max(Math.abs(first.min[j]), Math.abs(first.max[j]))
                + ")");
      }
    }
    if (!overflow.isEmpty()) {
      throw new InvalidFeatureException(
          "the sums of squares of "
              + String.join(", ", overflow.subList(0, Math.min(5, overflow.size())))
              + (overflow.size() > 5 ? " and " + (overflow.size() - 5) + " more columns" : "")
              + " overflow a double: rescale such columns (to other units, or a log) before a"
              + " map");
    }
    return new ColumnMoments(n, mean, variance, second, first.min, first.max);
  }

  public long rows() {
    return rows;
  }

  public double[] mean() {
    return mean.clone();
  }

  /** Sample variances (divided by n - 1). */
  public double[] variance() {
    return variance.clone();
  }

  /** Means of the squared values (about zero). */
  public double[] secondMoment() {
    return secondMoment.clone();
  }

  /** The names of the columns whose every value is the same. */
  public List<String> constantColumns(List<String> names) {
    List<String> constant = new ArrayList<>();
    for (int j = 0; j < min.length; j++) {
      if (min[j] == max[j]) {
        constant.add(names.get(j));
      }
    }
    return constant;
  }

  /**
   * The error for {@code constant} columns, which carry no {@code what} (variance, distance): the
   * first {@value #NAMED} named, and how many there are in all.
   */
  public static String constantColumnsError(List<String> constant, String what) {
    String named =
        constant.size() <= NAMED
            ? constant.toString()
            : constant.subList(0, NAMED)
                + " and "
                + String.format(java.util.Locale.ROOT, "%,d", constant.size() - NAMED)
                + " more";
    return String.format(
        java.util.Locale.ROOT,
        "%,d constant feature column%s (one value in every row) %s no %s: %s; leave %s out"
            + " of the features, or let %s pass (--constant-columns ignore; in a spec,"
            + " constant_columns: ignore)",
        constant.size(),
        constant.size() == 1 ? "" : "s",
        constant.size() == 1 ? "carries" : "carry",
        what,
        named,
        constant.size() == 1 ? "it" : "them",
        constant.size() == 1 ? "it" : "them");
  }

  /** Constant columns an error names. */
  static final int NAMED = 20;

  /** First-pass accumulator: count, sums of values and squares, range. */
  private static final class First implements Serializable {
    private static final long serialVersionUID = 1L;
    long count;
    final ExactSums sums;
    final double[] min;
    final double[] max;

    First(int d) {
      sums = new ExactSums(2 * d);
      min = new double[d];
      max = new double[d];
      Arrays.fill(min, Double.POSITIVE_INFINITY);
      Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    void add(double[] x) {
      int d = min.length;
      count++;
      for (int j = 0; j < d; j++) {
        double v = x[j];
        sums.add(j, v);
        sums.add(d + j, v * v);
        min[j] = Math.min(min[j], v);
        max[j] = Math.max(max[j], v);
      }
    }

    First merge(First other) {
      count += other.count;
      sums.merge(other.sums);
      for (int j = 0; j < min.length; j++) {
        min[j] = Math.min(min[j], other.min[j]);
        max[j] = Math.max(max[j], other.max[j]);
      }
      return this;
    }
  }
}
