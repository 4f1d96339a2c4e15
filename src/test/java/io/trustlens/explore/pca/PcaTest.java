package io.trustlens.explore.pca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explore.Oracles;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

class PcaTest {
  private final SparkSession spark = SparkTestSession.get();

  /** Correlated columns with offsets far from zero and unequal scales. */
  static double[][] correlated(int n, int d, long seed) {
    Random r = new Random(seed);
    double[][] mix = new double[d][d];
    for (double[] row : mix) {
      for (int j = 0; j < d; j++) {
        row[j] = r.nextGaussian();
      }
    }
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      double[] g = new double[d];
      for (int j = 0; j < d; j++) {
        g[j] = r.nextGaussian() * (d - j);
      }
      for (int j = 0; j < d; j++) {
        double v = 1000 + 10 * j;
        for (int m = 0; m < d; m++) {
          v += g[m] * mix[m][j];
        }
        x[i][j] = v;
      }
    }
    return x;
  }

  /** Rank-{@code rank} signal plus small noise: a clear gap after the first {@code rank}. */
  static double[][] lowRank(int n, int d, int rank, long seed) {
    Random r = new Random(seed);
    double[][] basis = new double[rank][d];
    for (double[] b : basis) {
      for (int j = 0; j < d; j++) {
        b[j] = r.nextGaussian();
      }
    }
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < rank; c++) {
        double w = r.nextGaussian() * (rank - c) * 3;
        for (int j = 0; j < d; j++) {
          x[i][j] += w * basis[c][j];
        }
      }
      for (int j = 0; j < d; j++) {
        x[i][j] += 0.1 * r.nextGaussian();
      }
    }
    return x;
  }

  Dataset<Row> table(double[][] x) {
    int d = x[0].length;
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("id", DataTypes.LongType, false));
    for (int j = 0; j < d; j++) {
      fields.add(DataTypes.createStructField("c" + j, DataTypes.DoubleType, true));
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      Object[] v = new Object[d + 1];
      v[0] = (long) i;
      for (int j = 0; j < d; j++) {
        v[j + 1] = x[i][j];
      }
      rows.add(RowFactory.create(v));
    }
    return spark.createDataFrame(rows, DataTypes.createStructType(fields));
  }

  /** {@code t} with a NaN in column c2 of row id=7. */
  static Dataset<Row> withNaN(Dataset<Row> t) {
    return t.withColumn(
        "c2",
        org.apache
            .spark
            .sql
            .functions
            .when(org.apache.spark.sql.functions.col("id").equalTo(7), Double.NaN)
            .otherwise(org.apache.spark.sql.functions.col("c2")));
  }

  static FeatureSpace features(Dataset<Row> table) {
    List<String> cols = new ArrayList<>(List.of(table.columns()));
    cols.remove("id");
    return FeatureSpace.ofColumns(table.schema(), cols);
  }

  @Test
  void explainedVarianceEqualsTheEigenvaluesOfTheCovariance() {
    double[][] x = correlated(400, 6, 1);
    Dataset<Row> t = table(x);
    PcaModel model = new Pca(features(t)).setK(6).setSolver("exact").fit(t);
    double[] expected = Oracles.eigenvalues(Oracles.covariance(x));
    assertArrayEquals(expected, model.explainedVariance(), 1e-8 * expected[0]);
    double total = 0;
    for (double e : expected) {
      total += e;
    }
    double[] ratio = model.explainedVarianceRatio();
    for (int j = 0; j < 6; j++) {
      assertEquals(expected[j] / total, ratio[j], 1e-8);
    }
  }

  @Test
  void interpretedPlansGiveTheSameModelAndProjectionThroughInternalRows() {
    double[][] x = correlated(300, 5, 3);
    Dataset<Row> t = table(x).repartition(3);
    PcaModel compiled = new Pca(features(t)).setK(3).setSeed(7).fit(t);
    List<Row> expected = compiled.transform(t).collectAsList();
    String mode = org.apache.spark.sql.internal.SQLConf.CODEGEN_FACTORY_MODE().key();
    spark.conf().set(mode, "NO_CODEGEN"); // as a small run sets it: rows read without encoders
    try {
      assertTrue(io.trustlens.feature.InternalRows.interpreted(spark));
      PcaModel interpreted = new Pca(features(t)).setK(3).setSeed(7).fit(t);
      assertArrayEquals(compiled.explainedVariance(), interpreted.explainedVariance(), 0.0);
      assertEquals(expected, interpreted.transform(t).collectAsList());
      assertEquals(expected, compiled.transform(t).collectAsList());
    } finally {
      spark.conf().unset(mode);
    }
    assertFalse(io.trustlens.feature.InternalRows.interpreted(spark));
  }

  @Test
  void scaledPcaDecomposesTheCorrelationMatrix() {
    double[][] x = correlated(300, 5, 2);
    double[][] c = Oracles.covariance(x);
    double[][] corr = new double[5][5];
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 5; j++) {
        corr[i][j] = c[i][j] / Math.sqrt(c[i][i] * c[j][j]);
      }
    }
    Dataset<Row> t = table(x);
    PcaModel model = new Pca(features(t)).setK(5).setScale(true).fit(t);
    assertArrayEquals(Oracles.eigenvalues(corr), model.explainedVariance(), 1e-8);
    assertEquals(5.0, model.totalVariance(), 1e-9);
  }

  @Test
  void componentScoresHaveTheExplainedVarianceAndNoCorrelation() {
    double[][] x = correlated(300, 4, 3);
    Dataset<Row> t = table(x);
    PcaModel model = new Pca(features(t)).setK(3).fit(t);
    List<Row> out = model.transform(t).select("pc1", "pc2", "pc3").collectAsList();
    double[][] scores = new double[out.size()][3];
    for (int i = 0; i < out.size(); i++) {
      for (int j = 0; j < 3; j++) {
        scores[i][j] = out.get(i).getDouble(j);
      }
    }
    double[][] c = Oracles.covariance(scores);
    double[] variance = model.explainedVariance();
    for (int i = 0; i < 3; i++) {
      assertEquals(variance[i], c[i][i], 1e-8 * variance[0]);
      for (int j = 0; j < i; j++) {
        assertEquals(0, c[i][j], 1e-8 * variance[0]);
      }
    }
  }

  @Test
  void randomizedPcaMatchesExactWhenTheSpectrumHasAGap() {
    double[][] x = lowRank(1500, 260, 5, 4);
    Dataset<Row> t = table(x).cache();
    Pca pca = new Pca(features(t)).setK(5);
    assertEquals("randomized", pca.resolvedSolver());
    PcaModel randomized = pca.fit(t);
    PcaModel exact = new Pca(features(t)).setK(5).setSolver("exact").fit(t);
    assertArrayEquals(exact.explainedVarianceRatio(), randomized.explainedVarianceRatio(), 1e-3);
    for (int j = 0; j < 5; j++) {
      double dot = 0;
      for (int i = 0; i < 260; i++) {
        dot += exact.component(i, j) * randomized.component(i, j);
      }
      assertEquals(1.0, dot, 1e-3, "component " + (j + 1));
    }
  }

  @Test
  void theFitDoesNotDependOnThePartitioning() {
    double[][] x = correlated(500, 5, 5);
    Dataset<Row> t = table(x);
    for (String solver : List.of("exact", "randomized")) {
      PcaModel one = new Pca(features(t)).setK(3).setSolver(solver).fit(t.repartition(1));
      PcaModel seven = new Pca(features(t)).setK(3).setSolver(solver).fit(t.repartition(7));
      assertArrayEquals(one.explainedVariance(), seven.explainedVariance(), 0.0, solver);
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 3; j++) {
          assertEquals(one.component(i, j), seven.component(i, j), 0.0, solver);
        }
      }
    }
  }

  /**
   * A small table's first pass keeps its rows and the later passes fold them on the driver: the
   * moments, the covariance and the randomized solver's products are the same bits as the passes'
   * Spark jobs give, in one partition and in seven; a table over the kept values' limit is read
   * every pass.
   */
  @Test
  void passesFoldedOnTheDriverGiveTheSameBitsAsTheirJobs() {
    Dataset<Row> t = table(correlated(500, 5, 8));
    FeatureSpace f = features(t);
    double[] q = new double[5 * 2];
    for (int i = 0; i < q.length; i++) {
      q[i] = Math.sin(i + 1);
    }
    for (int partitions : new int[] {1, 7}) {
      Dataset<Row> p = t.repartition(partitions);
      Pass.Source kept = new Pass.Source(p, f, "id", ColumnMoments.KEPT_VALUES);
      Pass.Source read = new Pass.Source(p, f, "id", 0);
      Pass.Source over = new Pass.Source(p, f, "id", 5 * 499);
      ColumnMoments a = ColumnMoments.of(kept);
      ColumnMoments b = ColumnMoments.of(read);
      ColumnMoments c = ColumnMoments.of(over);
      assertTrue(kept.kept(), "500 rows of 5 values are kept");
      assertFalse(read.kept() || over.kept(), "nothing kept, or more rows than the limit");
      for (ColumnMoments m : List.of(b, c)) {
        assertArrayEquals(a.mean(), m.mean(), 0.0);
        assertArrayEquals(a.variance(), m.variance(), 0.0);
      }
      double[] shift = a.mean();
      double[] std = a.variance();
      for (int j = 0; j < std.length; j++) {
        std[j] = Math.sqrt(std[j]);
      }
      assertArrayEquals(
          Covariance.of(read, shift, std, a.rows()),
          Covariance.of(kept, shift, std, a.rows()),
          0.0,
          partitions + " partitions");
      assertArrayEquals(
          Covariance.operator(read, shift, std, a.rows()).times(q, 2),
          Covariance.operator(kept, shift, std, a.rows()).times(q, 2),
          0.0,
          partitions + " partitions");
    }
  }

  /**
   * A table whose rows the driver holds (a small CSV read on the driver) is fitted without a Spark
   * job, to the same bits as the passes' jobs over the same rows in one partition; a table planned
   * from it is read by jobs; a bad value is named with its row as a job names it.
   */
  @Test
  void aTableWhoseRowsTheDriverHoldsIsFittedWithoutAJob() {
    Dataset<Row> t = table(correlated(400, 5, 9)).repartition(1);
    List<org.apache.spark.sql.catalyst.InternalRow> rows =
        t.queryExecution().toRdd().toJavaRDD().map(r -> r.copy()).collect();
    Dataset<Row> held = io.trustlens.feature.DriverRows.table(spark, rows, t.schema());
    for (String solver : List.of("exact", "randomized")) {
      PcaModel read = new Pca(features(t)).setK(3).setScale(true).setSolver(solver).fit(t);
      var counted =
          io.trustlens.testing.SparkJobs.count(
              spark,
              () -> new Pca(features(held)).setK(3).setScale(true).setSolver(solver).fit(held));
      assertEquals(0, counted.jobs(), solver);
      PcaModel folded = counted.result();
      assertArrayEquals(read.explainedVariance(), folded.explainedVariance(), 0.0, solver);
      for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 3; j++) {
          assertEquals(read.component(i, j), folded.component(i, j), 0.0, solver);
        }
      }
    }
    Dataset<Row> planned = held.filter("id >= 0");
    assertEquals(null, io.trustlens.feature.DriverRows.of(planned));
    assertTrue(
        io.trustlens.testing.SparkJobs.count(spark, () -> new Pca(features(planned)).fit(planned))
                .jobs()
            > 0);
    Dataset<Row> nan = withNaN(t);
    Dataset<Row> heldNan =
        io.trustlens.feature.DriverRows.table(
            spark,
            nan.queryExecution().toRdd().toJavaRDD().map(r -> r.copy()).collect(),
            nan.schema());
    var bad =
        assertThrows(
            RuntimeException.class, () -> new Pca(features(heldNan)).setIdCol("id").fit(heldNan));
    assertTrue(bad.getMessage().contains("id=7") && bad.getMessage().contains("c2"));
  }

  @Test
  void badInputGetsAClearError() {
    Dataset<Row> t = table(correlated(50, 3, 6));
    var tooMany = assertThrows(RuntimeException.class, () -> new Pca(features(t)).setK(4).fit(t));
    assertTrue(tooMany.getMessage().contains("at most 3"), tooMany.getMessage());

    Dataset<Row> constant = t.withColumn("c1", org.apache.spark.sql.functions.lit(2.0));
    var flat =
        assertThrows(RuntimeException.class, () -> new Pca(features(constant)).fit(constant));
    assertTrue(flat.getMessage().contains("constant") && flat.getMessage().contains("c1"));

    Dataset<Row> nan = withNaN(t);
    var bad =
        assertThrows(SparkException.class, () -> new Pca(features(nan)).setIdCol("id").fit(nan));
    assertTrue(bad.getMessage().contains("id=7") && bad.getMessage().contains("c2"));
  }
}
