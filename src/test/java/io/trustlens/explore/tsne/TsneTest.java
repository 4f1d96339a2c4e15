package io.trustlens.explore.tsne;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explore.Datasets;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

class TsneTest {
  private final SparkSession spark = SparkTestSession.get();

  /** Rows of blobs: id, x0..x(d-1), blob. */
  Dataset<Row> blobs(int n, int d, int centres, double spread, long seed) {
    double[][] x = Datasets.blobs(n, d, centres, spread, seed);
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("id", DataTypes.LongType, false));
    for (int j = 0; j < d; j++) {
      fields.add(DataTypes.createStructField("x" + j, DataTypes.DoubleType, false));
    }
    fields.add(DataTypes.createStructField("blob", DataTypes.IntegerType, false));
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] v = new Object[d + 2];
      v[0] = (long) i;
      for (int j = 0; j < d; j++) {
        v[j + 1] = x[i][j];
      }
      v[d + 1] = (int) x[i][d];
      rows.add(RowFactory.create(v));
    }
    return spark.createDataFrame(rows, DataTypes.createStructType(fields));
  }

  static List<String> columns(String prefix, int d) {
    List<String> c = new ArrayList<>();
    for (int j = 0; j < d; j++) {
      c.add(prefix + j);
    }
    return c;
  }

  /** 10-NN accuracy of a map of blobs: in the {@code d} features, then in the map. */
  static double[] accuracies(Dataset<Row> map, int d) {
    List<Row> rows = map.orderBy("id").collectAsList();
    double[][] high = new double[rows.size()][d];
    double[][] low = new double[rows.size()][2];
    int[] label = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      for (int j = 0; j < d; j++) {
        high[i][j] = r.getDouble(1 + j);
      }
      label[i] = r.getInt(d + 1);
      low[i][0] = r.getDouble(r.fieldIndex("tsne_x"));
      low[i][1] = r.getDouble(r.fieldIndex("tsne_y"));
    }
    return new double[] {knnAccuracy(high, label), knnAccuracy(low, label)};
  }

  /** Leave-one-out accuracy of a 10-nearest-neighbour vote. */
  static double knnAccuracy(double[][] x, int[] label) {
    int n = x.length;
    int right = 0;
    for (int i = 0; i < n; i++) {
      double[] d = new double[n];
      Integer[] order = new Integer[n];
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int c = 0; c < x[i].length; c++) {
          s += (x[i][c] - x[j][c]) * (x[i][c] - x[j][c]);
        }
        d[j] = j == i ? Double.POSITIVE_INFINITY : s;
        order[j] = j;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(d[a], d[b]));
      int[] votes = new int[64];
      for (int t = 0; t < 10; t++) {
        votes[label[order[t]]]++;
      }
      int best = 0;
      for (int c = 1; c < votes.length; c++) {
        if (votes[c] > votes[best]) {
          best = c;
        }
      }
      right += best == label[i] ? 1 : 0;
    }
    return right / (double) n;
  }

  @Test
  void digitsMapHasTrustworthinessAbove098() {
    Dataset<Row> digits = Tables.csv("digits.csv");
    List<String> pixels = new ArrayList<>();
    for (String c : digits.columns()) {
      // p0, p32 and p39 are 0 in every image; constant columns are refused.
      if (c.startsWith("p") && !List.of("p0", "p32", "p39").contains(c)) {
        pixels.add(c);
      }
    }
    Tsne tsne = new Tsne(FeatureSpace.ofColumns(digits.schema(), pixels)).setTrustSample(1797);
    TsneResult result = tsne.run(digits);
    System.out.printf(
        "digits via Spark: trustworthiness %.4f, KL %.3f, %s neighbours in %d dims, %.1f s"
            + " optimising%n",
        result.trustworthiness(),
        result.klDivergence(),
        result.search(),
        result.dimensions(),
        result.secondsOptimising());
    assertEquals(1797, result.table().count());
    assertEquals(50, result.dimensions());
    assertTrue(result.trustworthiness() >= 0.98, "trustworthiness " + result.trustworthiness());
  }

  @Test
  void blobMapKeepsNearestNeighbourAccuracy() {
    Dataset<Row> t = blobs(1500, 50, 6, 10.0, 11);
    Tsne tsne = new Tsne(FeatureSpace.ofColumns(t.schema(), columns("x", 50))).setIdCol("id");
    double[] accuracy = accuracies(tsne.run(t).table(), 50);
    double original = accuracy[0];
    double mapped = accuracy[1];
    System.out.printf("blobs: 10-NN accuracy %.4f in 50-D, %.4f in the map%n", original, mapped);
    assertTrue(mapped >= 0.95 * original, mapped + " vs " + original);
  }

  @Test
  void scaleKeepsALargeValuedNoiseColumnFromDecidingTheMap() {
    // Three blobs in x0..x2 and, in x3, noise a hundred thousand times larger.
    Dataset<Row> t =
        blobs(450, 3, 3, 1.0, 15)
            .withColumn("x3", col("id").multiply(7919).mod(1000).multiply(100.0))
            .select("id", "x0", "x1", "x2", "x3", "blob");
    FeatureSpace f = FeatureSpace.ofColumns(t.schema(), columns("x", 4));
    Tsne raw = new Tsne(f).setIdCol("id").setPerplexity(15).setIterations(250, 250);
    Tsne scaled =
        new Tsne(f).setIdCol("id").setPerplexity(15).setIterations(250, 250).setScale(true);
    double rawAccuracy = accuracies(raw.run(t).table(), 4)[1];
    double scaledAccuracy = accuracies(scaled.run(t).table(), 4)[1];
    System.out.printf(
        "noise column: 10-NN blob accuracy in the map %.3f raw, %.3f scaled%n",
        rawAccuracy, scaledAccuracy);
    assertTrue(scaledAccuracy > 0.9, "scaled " + scaledAccuracy);
    assertTrue(rawAccuracy < 0.6, "raw " + rawAccuracy);
  }

  @Test
  void theMapDoesNotDependOnThePartitioning() {
    Dataset<Row> t = blobs(400, 8, 3, 2.0, 12);
    FeatureSpace f = FeatureSpace.ofColumns(t.schema(), columns("x", 8));
    List<Row> one =
        new Tsne(f)
            .setPerplexity(10)
            .setIterations(50, 50)
            .run(t.repartition(1))
            .table()
            .orderBy("id")
            .select("tsne_x", "tsne_y")
            .collectAsList();
    List<Row> seven =
        new Tsne(f)
            .setPerplexity(10)
            .setIterations(50, 50)
            .run(t.repartition(7))
            .table()
            .orderBy("id")
            .select("tsne_x", "tsne_y")
            .collectAsList();
    assertEquals(one, seven);
    // Without an id, rows are ordered by a hash of every column: the same map.
    List<Row> noId =
        new Tsne(f)
            .setPerplexity(10)
            .setIterations(50, 50)
            .run(t.repartition(3))
            .table()
            .orderBy("id")
            .select("tsne_x", "tsne_y")
            .collectAsList();
    assertEquals(one, noId);
  }

  @Test
  void rowsBeyondMapRowsArePlacedAmongTheirNearestMappedRows() {
    Dataset<Row> t = blobs(3000, 50, 6, 10.0, 14);
    FeatureSpace f = FeatureSpace.ofColumns(t.schema(), columns("x", 50));
    TsneResult r = new Tsne(f).setIdCol("id").setMapRows(1000).run(t);
    assertEquals(3000, r.rows());
    assertEquals(3000, r.table().count());
    assertTrue(r.mappedRows() > 900 && r.mappedRows() < 1100, "mapped " + r.mappedRows());
    double[] accuracy = accuracies(r.table(), 50);
    double original = accuracy[0];
    double mapped = accuracy[1];
    System.out.printf(
        "blobs, %d of 3000 rows mapped, the rest placed: 10-NN accuracy %.4f in 50-D, %.4f in the"
            + " map%n",
        r.mappedRows(), original, mapped);
    assertTrue(mapped >= 0.95 * original, mapped + " vs " + original);
    // The sample and the placement do not depend on the partitioning.
    Tsne quick = new Tsne(f).setIdCol("id").setMapRows(400).setPerplexity(10).setIterations(50, 50);
    List<Row> one =
        quick
            .run(t.repartition(1))
            .table()
            .orderBy("id")
            .select("tsne_x", "tsne_y")
            .collectAsList();
    List<Row> five =
        quick
            .run(t.repartition(5))
            .table()
            .orderBy("id")
            .select("tsne_x", "tsne_y")
            .collectAsList();
    assertEquals(one, five);
  }

  @Test
  void approximateNeighboursGiveAComparableMap() {
    Dataset<Row> t = blobs(1200, 20, 4, 4.0, 13);
    FeatureSpace f = FeatureSpace.ofColumns(t.schema(), columns("x", 20));
    TsneResult approx = new Tsne(f).setSearch("approximate").setPerplexity(15).run(t);
    TsneResult exact = new Tsne(f).setSearch("exact").setPerplexity(15).run(t);
    assertEquals("approximate", approx.search());
    assertTrue(
        approx.trustworthiness() > exact.trustworthiness() - 0.01,
        approx.trustworthiness() + " vs " + exact.trustworthiness());
  }

  @Test
  void badInputGetsAClearError() {
    Dataset<Row> small = blobs(80, 3, 2, 1.0, 14);
    FeatureSpace f = FeatureSpace.ofColumns(small.schema(), columns("x", 3));
    var few = assertThrows(RuntimeException.class, () -> new Tsne(f).run(small));
    assertTrue(few.getMessage().contains("at least 91 rows"), few.getMessage());

    Dataset<Row> t = blobs(200, 3, 2, 1.0, 15);
    Dataset<Row> flat = t.withColumn("x1", lit(3.0));
    var constant =
        assertThrows(RuntimeException.class, () -> new Tsne(f).setPerplexity(10).run(flat));
    assertTrue(constant.getMessage().contains("constant") && constant.getMessage().contains("x1"));

    Dataset<Row> nan =
        t.withColumn("x2", when(col("id").equalTo(5), Double.NaN).otherwise(col("x2")));
    var bad =
        assertThrows(Exception.class, () -> new Tsne(f).setIdCol("id").setPerplexity(10).run(nan));
    assertTrue(
        bad.getMessage().contains("id=5") && bad.getMessage().contains("x2"), bad.getMessage());
  }
}
