package io.trustlens.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;

/** One column's mergeable sketch against direct computation, and the first pass over Spark. */
class ColumnSketchTest {
  private static final double ERROR = 1e-3;

  private static double[] cells(int n, long seed) {
    Random random = new Random(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = Math.exp(random.nextGaussian()) * 100;
    }
    x[3] = Double.NaN;
    x[5] = Double.POSITIVE_INFINITY;
    x[8] = Double.NEGATIVE_INFINITY;
    return x;
  }

  private static ColumnSketch sketch(double[] x, int from, int to) {
    ColumnSketch s = new ColumnSketch(DataTypes.DoubleType, ERROR, 0.02);
    for (int i = from; i < to; i++) {
      s.add(new GenericInternalRow(new Object[] {i % 97 == 0 ? null : x[i]}), 0);
    }
    return s;
  }

  @Test
  void countsMomentsAndQuantilesEqualTheDirectValues() {
    double[] x = cells(100_000, 1);
    ColumnSketch s = sketch(x, 0, x.length);
    List<Double> finite = new ArrayList<>();
    long nulls = 0;
    for (int i = 0; i < x.length; i++) {
      if (i % 97 == 0) {
        nulls++;
      } else if (Double.isFinite(x[i])) {
        finite.add(x[i]);
      }
    }
    assertEquals(nulls, s.nulls());
    assertEquals(1, s.nans());
    assertEquals(2, s.infinities());
    assertEquals(finite.size(), s.values());
    double[] v = finite.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    assertEquals(v[0], s.min());
    assertEquals(v[v.length - 1], s.max());
    double mean = Arrays.stream(v).sum() / v.length;
    double ss = Arrays.stream(v).map(a -> (a - mean) * (a - mean)).sum();
    assertEquals(mean, s.mean(), 1e-9 * Math.abs(mean));
    assertEquals(Math.sqrt(ss / (v.length - 1)), s.stddev(), 1e-9 * Math.sqrt(ss / v.length));
    double[] levels = {0.001, 0.01, 0.25, 0.5, 0.75, 0.99, 0.999};
    double[] q = s.quantiles(levels);
    for (int i = 0; i < levels.length; i++) {
      // The value's rank range must reach within ERROR * n of the asked rank.
      int lo = lowerBound(v, q[i]);
      int hi = upperBound(v, q[i]);
      double target = levels[i] * v.length;
      double off = target < lo ? lo - target : target > hi ? target - hi : 0;
      assertTrue(off <= ERROR * v.length + 1, levels[i] + ": rank off by " + off);
    }
  }

  @Test
  void mergedPartsAndSerializedSketchesAgreeWithOneSketch() throws Exception {
    double[] x = cells(50_000, 2);
    ColumnSketch whole = sketch(x, 0, x.length);
    ColumnSketch merged = sketch(x, 0, 0);
    int[] cuts = {0, 7, 3000, 3001, 20_000, 49_999, 50_000};
    for (int c = 0; c + 1 < cuts.length; c++) {
      merged.merge(roundTrip(sketch(x, cuts[c], cuts[c + 1])));
    }
    assertEquals(whole.values(), merged.values());
    assertEquals(whole.nulls(), merged.nulls());
    assertEquals(whole.nans(), merged.nans());
    assertEquals(whole.infinities(), merged.infinities());
    assertEquals(whole.min(), merged.min());
    assertEquals(whole.max(), merged.max());
    assertEquals(whole.mean(), merged.mean(), 1e-12 * whole.mean());
    assertEquals(whole.stddev(), merged.stddev(), 1e-12 * whole.stddev());
    // HyperLogLog registers merge by maximum: the same estimate whatever the split.
    assertEquals(whole.distinct(), merged.distinct());
    double[] a = whole.quantiles(new double[] {0.1, 0.5, 0.9});
    double[] b = merged.quantiles(new double[] {0.1, 0.5, 0.9});
    double[] sorted = Arrays.stream(x).filter(Double::isFinite).sorted().toArray();
    for (int i = 0; i < 3; i++) {
      double rankA = lowerBound(sorted, a[i]);
      double rankB = lowerBound(sorted, b[i]);
      assertTrue(Math.abs(rankA - rankB) <= 2 * ERROR * sorted.length + 1, "quantile " + i);
    }
  }

  /**
   * Dates and timestamps: their first and last values in ISO-8601 (Spark's days since the epoch,
   * microseconds in UTC), merged across parts; none for other columns or a column of nulls; and a
   * profile of a table with such columns gives the same on the driver as by Spark.
   */
  @Test
  void datesAndTimestampsKeepTheirFirstAndLastValues() {
    ColumnSketch dates = new ColumnSketch(DataTypes.DateType, ERROR, 0.02);
    ColumnSketch later = new ColumnSketch(DataTypes.DateType, ERROR, 0.02);
    for (Integer days : new Integer[] {19000, null, -1}) {
      dates.add(new GenericInternalRow(new Object[] {days}), 0);
    }
    later.add(new GenericInternalRow(new Object[] {19500}), 0);
    dates.merge(later);
    assertEquals("1969-12-31", dates.earliest());
    assertEquals("2023-05-23", dates.latest());
    assertEquals(3, dates.values());
    assertEquals(1, dates.nulls());
    assertNull(dates.min(), "no numeric statistics of dates");
    ColumnSketch times = new ColumnSketch(DataTypes.TimestampType, ERROR, 0.02);
    for (long micros : new long[] {1_704_067_200_000_000L, -1L, 1_704_067_200_123_456L}) {
      times.add(new GenericInternalRow(new Object[] {micros}), 0);
    }
    assertEquals("1969-12-31T23:59:59.999999Z", times.earliest());
    assertEquals("2024-01-01T00:00:00.123456Z", times.latest());
    ColumnSketch local = new ColumnSketch(DataTypes.TimestampNTZType, ERROR, 0.02);
    local.add(new GenericInternalRow(new Object[] {1_704_067_230_000_000L}), 0);
    assertEquals("2024-01-01T00:00:30", local.earliest());
    ColumnSketch empty = new ColumnSketch(DataTypes.DateType, ERROR, 0.02);
    empty.add(new GenericInternalRow(new Object[] {null}), 0);
    assertNull(empty.earliest());
    assertNull(new ColumnSketch(DataTypes.DoubleType, ERROR, 0.02).latest());

    SparkSession spark = SparkTestSession.get();
    Dataset<Row> table =
        spark.sql(
            "SELECT id, date_add(DATE'2020-01-01', CAST(id * 7 % 900 AS INT)) AS signup,"
                + " TIMESTAMP'2024-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id * 13.5)"
                + " AS seen FROM range(0, 400, 1, 3)");
    TableProfile bySpark =
        TableProfile.of(table, new TableProfile.Options("id", null, 20, 10), null);
    List<org.apache.spark.sql.catalyst.InternalRow> rows = new ArrayList<>();
    org.apache.spark.sql.catalyst.encoders.ExpressionEncoder.Serializer<Row> toInternal =
        org.apache.spark.sql.catalyst.encoders.ExpressionEncoder.apply(table.schema())
            .createSerializer();
    for (Row r : table.collectAsList()) {
      rows.add(toInternal.apply(r).copy());
    }
    TableProfile onDriver =
        TableProfile.of(table, new TableProfile.Options("id", null, 20, 10), rows);
    TableProfile.ColumnProfile signup = bySpark.columns().get(1);
    assertEquals("2020-01-01", signup.earliest());
    assertEquals("2022-06-18", signup.latest(), "day 899 after 2020-01-01");
    assertEquals("2024-01-01T00:00:00Z", bySpark.columns().get(2).earliest());
    assertEquals("2024-01-01T01:29:46.500Z", bySpark.columns().get(2).latest(), "399 x 13.5 s");
    for (int c = 1; c < 3; c++) {
      assertEquals(bySpark.columns().get(c).earliest(), onDriver.columns().get(c).earliest());
      assertEquals(bySpark.columns().get(c).latest(), onDriver.columns().get(c).latest());
    }
  }

  @Test
  void textAndEmptyColumnsCountWhatTheyHold() {
    ColumnSketch s = new ColumnSketch(DataTypes.StringType, ERROR, 0.02);
    for (String v : new String[] {"a", "", "  ", null, "b", "a"}) {
      s.add(new GenericInternalRow(new Object[] {v == null ? null : UTF8String.fromString(v)}), 0);
    }
    assertEquals(5, s.values());
    assertEquals(1, s.nulls());
    assertEquals(2, s.empty(), "empty and blank strings");
    assertEquals(4, s.distinct());
    assertNull(s.mean());
    assertNull(s.quantiles(new double[] {0.5}), "no quantiles of text");
    ColumnSketch none = new ColumnSketch(DataTypes.DoubleType, ERROR, 0.02);
    assertNull(none.min());
    assertNull(none.stddev());
    assertNull(none.quantiles(new double[] {0.5}));
    assertEquals(0, none.distinct());
    assertThrows(IllegalArgumentException.class, () -> none.merge(s));
  }

  @Test
  void distinctCountsEqualSparksApproxCountDistinctAndManyPartitionsMergeInOrder() {
    SparkSession spark = SparkTestSession.get();
    Random random = new Random(4);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      rows.add(
          RowFactory.create(
              "w" + random.nextInt(5000),
              random.nextInt(3000),
              i % 50 == 0 ? null : Math.floor(random.nextGaussian() * 500) / 4));
    }
    StructType schema =
        new StructType()
            .add("word", DataTypes.StringType)
            .add("n", DataTypes.IntegerType)
            .add("x", DataTypes.DoubleType);
    Dataset<Row> few = spark.createDataFrame(rows, schema).repartition(3);
    Dataset<Row> many = few.repartition(40);
    int[] all = {0, 1, 2};
    FirstPass.Sketches a = FirstPass.of(few, all, ERROR, TableProfile.DISTINCT_RSD);
    FirstPass.Sketches b = FirstPass.of(many, all, ERROR, TableProfile.DISTINCT_RSD);
    FirstPass.Sketches c = FirstPass.of(many, all, ERROR, TableProfile.DISTINCT_RSD);
    Row spark3 =
        few.agg(
                functions.approx_count_distinct("word", TableProfile.DISTINCT_RSD),
                functions.approx_count_distinct("n", TableProfile.DISTINCT_RSD),
                functions.approx_count_distinct("x", TableProfile.DISTINCT_RSD))
            .first();
    assertEquals(20_000, a.rows());
    assertEquals(20_000, b.rows());
    for (int i = 0; i < 3; i++) {
      assertEquals(spark3.getLong(i), a.columns()[i].distinct(), "column " + i);
      assertEquals(spark3.getLong(i), b.columns()[i].distinct(), "column " + i + ", 40 parts");
    }
    assertEquals(400, b.columns()[2].nulls());
    assertEquals(a.columns()[2].min(), b.columns()[2].min());
    assertEquals(a.columns()[2].mean(), b.columns()[2].mean(), 1e-12);
    double[] levels = {0.05, 0.5, 0.95};
    // Two runs over the same 40 partitions (a two-level merge): the same bits.
    assertArrayEquals(b.columns()[2].quantiles(levels), c.columns()[2].quantiles(levels));
    assertEquals(b.columns()[2].mean(), c.columns()[2].mean());
    assertEquals(b.columns()[2].stddev(), c.columns()[2].stddev());
  }

  private static ColumnSketch roundTrip(ColumnSketch s) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(s);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (ColumnSketch) in.readObject();
    }
  }

  private static int lowerBound(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int m = (lo + hi) >>> 1;
      if (a[m] < v) {
        lo = m + 1;
      } else {
        hi = m;
      }
    }
    return lo;
  }

  private static int upperBound(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int m = (lo + hi) >>> 1;
      if (a[m] <= v) {
        lo = m + 1;
      } else {
        hi = m;
      }
    }
    return lo;
  }
}
