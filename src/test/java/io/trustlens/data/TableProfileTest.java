package io.trustlens.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

class TableProfileTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("x", DataTypes.DoubleType)
          .add("n", DataTypes.IntegerType)
          .add("city", DataTypes.StringType)
          .add("flag", DataTypes.BooleanType)
          .add("same", DataTypes.StringType)
          .add("label", DataTypes.IntegerType);

  /** 400 random rows, then special cells, a repeated id and two copies of row 1 under new ids. */
  private static List<Row> rows() {
    Random random = new Random(3);
    String[] cities = {"Oslo", "Lima", "Pune", "Kyiv", ""};
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Double x = random.nextGaussian() * 3 + 10;
      if (i % 37 == 0) {
        x = null;
      } else if (i % 41 == 0) {
        x = Double.NaN;
      } else if (i == 7) {
        x = Double.POSITIVE_INFINITY;
      } else if (i == 8) {
        x = 200.0;
      }
      String city = i % 23 == 0 ? null : cities[random.nextInt(i < 200 ? 5 : 3)];
      rows.add(
          RowFactory.create(
              (long) i,
              x,
              random.nextInt(50),
              city,
              random.nextBoolean(),
              "k",
              random.nextDouble() < 0.2 ? 1 : 0));
    }
    rows.add(RowFactory.create(5L, 1.0, 1, "Oslo", true, "k", 0));
    Row one = rows.get(1);
    for (long copy : new long[] {900, 901}) {
      rows.add(
          RowFactory.create(
              copy, one.get(1), one.get(2), one.get(3), one.get(4), one.get(5), one.get(6)));
    }
    return rows;
  }

  @Test
  void everyFigureEqualsTheValueComputedDirectly() {
    SparkSession spark = SparkTestSession.get();
    List<Row> rows = rows();
    Dataset<Row> table = spark.createDataFrame(rows, SCHEMA).repartition(3);
    TableProfile p = TableProfile.of(table, new TableProfile.Options("id", "label", 8, 3));
    assertEquals(rows.size(), p.rows());

    TableProfile.ColumnProfile x = p.columns().get(1);
    List<Double> finite = new ArrayList<>();
    long nulls = 0;
    long nans = 0;
    long inf = 0;
    for (Row r : rows) {
      if (r.isNullAt(1)) {
        nulls++;
      } else if (Double.isNaN(r.getDouble(1))) {
        nans++;
      } else if (Double.isInfinite(r.getDouble(1))) {
        inf++;
      } else {
        finite.add(r.getDouble(1));
      }
    }
    assertEquals(TableProfile.Kind.NUMERIC, x.kind());
    assertEquals(nulls, x.nulls());
    assertEquals(nans, x.nans());
    assertEquals(1, inf);
    assertEquals(inf, x.infinities());
    assertEquals(finite.size(), x.values());
    double[] v = finite.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double mean = Arrays.stream(v).average().orElseThrow();
    double var = Arrays.stream(v).map(a -> (a - mean) * (a - mean)).sum() / (v.length - 1);
    assertEquals(v[0], x.min());
    assertEquals(v[v.length - 1], x.max());
    assertEquals(mean, x.mean(), 1e-12);
    assertEquals(Math.sqrt(var), x.stddev(), 1e-12);
    for (int i = 0; i < TableProfile.QUANTILES.length; i++) {
      // percentile_approx on few values is exact: the smallest value with at least q of them <= it.
      double q = TableProfile.QUANTILES[i];
      int rank = (int) Math.ceil(q * v.length) - 1;
      assertEquals(v[Math.max(0, rank)], x.quantiles()[i], "quantile " + q);
    }
    long[] hist = new long[8];
    double width = (v[v.length - 1] - v[0]) / 8;
    for (double a : v) {
      hist[(int) Math.min(7, Math.floor((a - v[0]) / width))]++;
    }
    assertArrayEquals(hist, x.histogram().counts());
    double q1 = x.quantile(0.25);
    double q3 = x.quantile(0.75);
    long outliers =
        Arrays.stream(v).filter(a -> a < q1 - 1.5 * (q3 - q1) || a > q3 + 1.5 * (q3 - q1)).count();
    assertTrue(outliers >= 1, "200.0 is an outlier");
    assertEquals(outliers, x.outliers());

    TableProfile.ColumnProfile city = p.columns().get(3);
    assertEquals(TableProfile.Kind.CATEGORICAL, city.kind());
    long empty = rows.stream().filter(r -> "".equals(r.get(3))).count();
    assertEquals(empty, city.empty());
    assertEquals(rows.stream().filter(r -> r.isNullAt(3)).count(), city.nulls());
    assertTrue(city.topExact());
    assertEquals(3, city.top().size());
    for (FrequentValues.Count c : city.top()) {
      assertEquals(rows.stream().filter(r -> c.value().equals(r.get(3))).count(), c.count());
    }
    assertEquals(5, city.distinct());
    assertNull(city.mean());
    assertFalse(city.constant());

    TableProfile.ColumnProfile same = p.columns().get(5);
    assertTrue(same.constant());
    assertTrue(same.nearConstant());
    assertFalse(p.columns().get(4).nearConstant());

    long positives = rows.stream().filter(r -> r.getInt(6) == 1).count();
    assertEquals("label", p.label().column());
    assertEquals("0", p.label().classes().get(0).value());
    assertEquals(rows.size() - positives, p.label().classes().get(0).count());
    assertEquals(positives, p.label().classes().get(1).count());
    assertEquals((rows.size() - positives) / (double) positives, p.label().imbalance(), 1e-12);

    java.util.Set<List<Object>> seen = new java.util.HashSet<>();
    long repeated = 0;
    for (Row r : rows) {
      List<Object> content = new ArrayList<>();
      for (int c = 1; c < r.length(); c++) {
        content.add(r.get(c));
      }
      repeated += seen.add(content) ? 0 : 1;
    }
    assertTrue(repeated >= 2, "two copies of row 1 under other ids");
    assertEquals(repeated, p.duplicates().rows());
    assertEquals(1, p.duplicates().ids(), "id 5");
    assertEquals(1, p.duplicates().idRows());
  }

  @Test
  void approximateFiguresStayWithinTheirStatedErrors() {
    SparkSession spark = SparkTestSession.get();
    int n = 100_000;
    Random random = new Random(8);
    double[] x = new double[n];
    long[] code = new long[n];
    java.util.Map<String, Long> counts = new java.util.HashMap<>();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      x[i] = Math.exp(random.nextGaussian());
      // Zipf-like: a few heavy codes and a tail of some 20,000 rare ones.
      code[i] = (long) Math.floor(Math.pow(random.nextDouble(), 4) * 20_000);
      counts.merge("k" + code[i], 1L, Long::sum);
      rows.add(RowFactory.create(x[i], "k" + code[i]));
    }
    StructType schema =
        new StructType().add("x", DataTypes.DoubleType).add("code", DataTypes.StringType);
    TableProfile p =
        TableProfile.of(
            spark.createDataFrame(rows, schema).repartition(4),
            new TableProfile.Options(null, null, 10, 5));
    TableProfile.ColumnProfile px = p.columns().get(0);
    double[] sorted = x.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < TableProfile.QUANTILES.length; i++) {
      // The rank of the reported value is within n / accuracy of the level's rank.
      int rank = Arrays.binarySearch(sorted, px.quantiles()[i]);
      double target = TableProfile.QUANTILES[i] * n;
      assertTrue(
          Math.abs(rank - target) <= (double) n / TableProfile.QUANTILE_ACCURACY + 1,
          "quantile " + TableProfile.QUANTILES[i] + " at rank " + rank);
    }
    assertEquals(n, px.distinct(), 3 * TableProfile.DISTINCT_RSD * n, "HyperLogLog++");
    TableProfile.ColumnProfile pc = p.columns().get(1);
    assertEquals(counts.size(), pc.distinct(), 3 * TableProfile.DISTINCT_RSD * counts.size());
    assertFalse(pc.topExact(), "more distinct values than counters");
    List<java.util.Map.Entry<String, Long>> truth = new ArrayList<>(counts.entrySet());
    truth.sort(java.util.Map.Entry.<String, Long>comparingByValue().reversed());
    long bound = n / (5L * TableProfile.SUMMARY_FACTOR + 1);
    for (int i = 0; i < 5; i++) {
      FrequentValues.Count c = pc.top().get(i);
      assertEquals(truth.get(i).getKey(), c.value(), "the heavy values, in order");
      long t = counts.get(c.value());
      assertTrue(c.count() <= t && c.count() >= t - bound, c + " against " + t);
    }
  }

  @Test
  void theSameBitsForAnyPartitioning() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> table = spark.createDataFrame(rows(), SCHEMA);
    TableProfile.Options options = new TableProfile.Options("id", "label", 10, 4);
    TableProfile a = TableProfile.of(table.repartition(1), options);
    TableProfile b = TableProfile.of(table.repartition(5), options);
    for (int i = 0; i < a.columns().size(); i++) {
      var ca = a.columns().get(i);
      var cb = b.columns().get(i);
      assertEquals(ca.nulls(), cb.nulls());
      assertEquals(ca.top(), cb.top());
      assertEquals(ca.outliers(), cb.outliers());
      assertEquals(ca.min(), cb.min());
      assertEquals(ca.max(), cb.max());
      assertEquals(ca.mean(), cb.mean(), ca.name() + ": mean"); // Double.equals: the same bits
      assertEquals(ca.stddev(), cb.stddev(), ca.name() + ": stddev");
      if (ca.histogram() != null) {
        assertArrayEquals(ca.histogram().counts(), cb.histogram().counts());
      }
    }
    assertEquals(a.duplicates(), b.duplicates());
  }

  @Test
  void passesOverAFileAreThreeWhateverItsWidth(@TempDir Path dir) {
    SparkSession spark = SparkTestSession.get();
    for (int columns : new int[] {3, 30, 1000}) {
      int rowCount = columns > 100 ? 500 : 2000;
      List<Row> rows = new ArrayList<>();
      StructType schema = new StructType();
      for (int c = 0; c < columns; c++) {
        schema = schema.add("c" + c, c % 3 == 0 ? DataTypes.StringType : DataTypes.DoubleType);
      }
      Random random = new Random(columns);
      for (int i = 0; i < rowCount; i++) {
        Object[] values = new Object[columns];
        for (int c = 0; c < columns; c++) {
          values[c] = c % 3 == 0 ? "v" + random.nextInt(9) : random.nextDouble();
        }
        rows.add(RowFactory.create(values));
      }
      String path = dir.resolve("t" + columns).toString();
      spark.createDataFrame(rows, schema).repartition(2).write().parquet(path);
      Dataset<Row> table = spark.read().parquet(path);
      try (RecordsRead read = RecordsRead.start(spark)) {
        long start = System.nanoTime();
        TableProfile p = TableProfile.of(table);
        System.out.printf(
            "profile of %d columns x %d rows: %.1f s%n",
            columns, rowCount, (System.nanoTime() - start) / 1e9);
        assertEquals(columns, p.columns().size());
        assertEquals(2, TableProfile.passes(rowCount), "duplicate keys ride on the second pass");
        assertEquals(2L * rowCount, read.records(), columns + " columns");
      }
    }
  }
}
