package io.trustlens.data;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import scala.Function1;

/**
 * The profile's second pass over a partition's rows: histograms and outlier counts of the numeric
 * columns (ranges and quartiles from the first pass), frequent values of the text and boolean
 * columns and of the label.
 */
final class SecondPass implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int[] numeric;
  private final double[] lo;
  private final double[] hi;
  private final double[] fenceLow;
  private final double[] fenceHigh;
  private final int bins;
  private final int[] categorical;
  private final int summary;
  private final int[] numericSlot;
  private final int[] categoricalSlot;
  private final DataType[] types;

  private SecondPass(
      int[] numeric,
      double[] lo,
      double[] hi,
      double[] fenceLow,
      double[] fenceHigh,
      int bins,
      int[] categorical,
      int summary,
      DataType[] types) {
    this.numeric = numeric;
    this.lo = lo;
    this.hi = hi;
    this.fenceLow = fenceLow;
    this.fenceHigh = fenceHigh;
    this.bins = bins;
    this.categorical = categorical;
    this.summary = summary;
    this.types = types;
    numericSlot = slots(numeric, types.length);
    categoricalSlot = slots(categorical, types.length);
  }

  private static int[] slots(int[] columns, int n) {
    int[] slot = new int[n];
    java.util.Arrays.fill(slot, -1);
    for (int s = 0; s < columns.length; s++) {
      slot[columns[s]] = s;
    }
    return slot;
  }

  /** The pass for {@code fields}, from the first pass's sketches (ranges and quartiles). */
  static SecondPass plan(
      StructField[] fields, ColumnSketch[] first, TableProfile.Options options, int summary) {
    List<Integer> numeric = new java.util.ArrayList<>();
    List<Integer> categorical = new java.util.ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      TableProfile.Kind kind = TableProfile.kind(fields[i].dataType());
      if (kind == TableProfile.Kind.NUMERIC && first[i].values() > 0) {
        numeric.add(i);
      }
      if (kind == TableProfile.Kind.CATEGORICAL || fields[i].name().equals(options.label())) {
        categorical.add(i);
      }
    }
    int n = numeric.size();
    double[] lo = new double[n];
    double[] hi = new double[n];
    double[] fenceLow = new double[n];
    double[] fenceHigh = new double[n];
    for (int s = 0; s < n; s++) {
      ColumnSketch c = first[numeric.get(s)];
      lo[s] = c.min();
      hi[s] = c.max();
      double[] q = c.quantiles(new double[] {0.25, 0.75});
      fenceLow[s] = q[0] - 1.5 * (q[1] - q[0]);
      fenceHigh[s] = q[1] + 1.5 * (q[1] - q[0]);
    }
    return new SecondPass(
        numeric.stream().mapToInt(Integer::intValue).toArray(),
        lo,
        hi,
        fenceLow,
        fenceHigh,
        options.bins(),
        categorical.stream().mapToInt(Integer::intValue).toArray(),
        summary,
        java.util.Arrays.stream(fields).map(StructField::dataType).toArray(DataType[]::new));
  }

  /** A result with nothing counted. */
  Result empty() {
    Histogram[] h = new Histogram[numeric.length];
    for (int s = 0; s < h.length; s++) {
      h[s] = Histogram.empty(lo[s], hi[s], bins);
    }
    FrequentValues[] f = new FrequentValues[categorical.length];
    for (int s = 0; s < f.length; s++) {
      f[s] = new FrequentValues(summary);
    }
    return new Result(h, new long[numeric.length], f);
  }

  /**
   * Counts one partition of Spark's internal rows, each cell read as the {@code Row} encoder gives
   * it (by Catalyst's converter of its type): no row deserializer is compiled for the table.
   */
  Iterator<Result> run(Iterator<InternalRow> rows) {
    Result r = empty();
    Function1<Object, Object>[] external = converters();
    while (rows.hasNext()) {
      InternalRow row = rows.next();
      for (int s = 0; s < numeric.length; s++) {
        Object o = cell(row, numeric[s], external);
        if (o == null) {
          continue;
        }
        double v = ((Number) o).doubleValue();
        if (Double.isNaN(v) || Double.isInfinite(v)) {
          continue;
        }
        r.histograms[s].counts()[r.histograms[s].bin(v)]++;
        if (v < fenceLow[s] || v > fenceHigh[s]) {
          r.outliers[s]++;
        }
      }
      for (int s = 0; s < categorical.length; s++) {
        Object o = cell(row, categorical[s], external);
        if (o != null && !(o instanceof Double d && d.isNaN())) {
          r.frequent[s].add(String.valueOf(o));
        }
      }
    }
    return List.of(r).iterator();
  }

  @SuppressWarnings("unchecked")
  private Function1<Object, Object>[] converters() {
    Function1<Object, Object>[] c = new Function1[types.length];
    for (int i = 0; i < types.length; i++) {
      c[i] = CatalystTypeConverters.createToScalaConverter(types[i]);
    }
    return c;
  }

  private Object cell(InternalRow row, int column, Function1<Object, Object>[] external) {
    return row.isNullAt(column) ? null : external[column].apply(row.get(column, types[column]));
  }

  Histogram histogram(int column, Result r) {
    return numericSlot[column] < 0 ? null : r.histograms[numericSlot[column]];
  }

  Long outliers(int column, Result r) {
    return numericSlot[column] < 0 ? null : r.outliers[numericSlot[column]];
  }

  FrequentValues frequent(int column, Result r) {
    return categoricalSlot[column] < 0 ? null : r.frequent[categoricalSlot[column]];
  }

  /** What one partition (or several, merged) counted. */
  record Result(Histogram[] histograms, long[] outliers, FrequentValues[] frequent)
      implements Serializable {

    /** Adds {@code other} into this result. */
    Result merge(Result other) {
      for (int s = 0; s < histograms.length; s++) {
        long[] c = histograms[s].counts();
        long[] o = other.histograms[s].counts();
        for (int b = 0; b < c.length; b++) {
          c[b] += o[b];
        }
        outliers[s] += other.outliers[s];
      }
      for (int s = 0; s < frequent.length; s++) {
        frequent[s].merge(other.frequent[s]);
      }
      return this;
    }
  }
}
