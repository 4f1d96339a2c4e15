package io.trustlens.job;

import io.trustlens.explore.Eigen;
import io.trustlens.explore.pca.Pca;
import io.trustlens.explore.pca.PcaModel;
import io.trustlens.explore.tsne.Tsne;
import io.trustlens.explore.tsne.TsneResult;
import io.trustlens.feature.FeatureSpace;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code trustlens bench explore}: t-SNE wall time and peak JVM heap on Gaussian blobs of 50
 * dimensions at each size asked, and PCA fits of a tall (1M × 100, exact) and a wide (100k ×
 * 10,000, randomized) synthetic table with a few strong directions. Local mode, one JVM: the peak
 * heap counts driver and executors together. Prints figures; never fails on a time.
 */
final class ExploreBenchmark {
  private final List<Long> tsneRows;
  private final long pcaRows;
  private final long wideRows;
  private final int wideColumns;
  private final String master;
  private final List<String> lines = new ArrayList<>();

  ExploreBenchmark(
      List<Long> tsneRows, long pcaRows, long wideRows, int wideColumns, String master) {
    this.tsneRows = tsneRows;
    this.pcaRows = pcaRows;
    this.wideRows = wideRows;
    this.wideColumns = wideColumns;
    this.master = master;
  }

  void run() {
    SparkSession spark = BenchCommand.session(master);
    int cores = spark.sparkContext().defaultParallelism();
    lines.add(
        String.format(
            Locale.ROOT,
            "%-34s %10s %12s %s",
            "case (" + master + ")",
            "seconds",
            "peak heap",
            "figures"));
    for (long n : tsneRows) {
      Dataset<Row> blobs = blobs(spark, n, 50, 10, 4 * cores).cache();
      blobs.count();
      FeatureSpace f = FeatureSpace.ofVector(blobs.schema(), "features", 50);
      resetPeaks();
      long t0 = System.nanoTime();
      Tsne tsne =
          new Tsne(f)
              .setIdCol("id")
              .setTrustSample(1000)
              .setProgress(
                  (done, total) -> {
                    if (done % 50 == 0) {
                      System.out.printf(
                          Locale.ROOT,
                          "  t-SNE %,d: iteration %d of %d at %.0f s%n",
                          n,
                          done,
                          total,
                          (System.nanoTime() - t0) / 1e9);
                    }
                  });
      TsneResult r = tsne.run(blobs);
      r.table().write().format("noop").mode("overwrite").save();
      double s = (System.nanoTime() - t0) / 1e9;
      lines.add(
          row(
              String.format(Locale.ROOT, "t-SNE %,d x 50 blobs", n),
              s,
              String.format(
                  Locale.ROOT,
                  "%s kNN %.1f s; optimise %.1f s (750 it.; %s); KL %.3f, trustworthiness %.4f",
                  r.search(),
                  r.secondsNeighbours(),
                  r.secondsOptimising(),
                  r.repulsion(),
                  r.klDivergence(),
                  r.trustworthiness())));
      blobs.unpersist();
      System.out.println(lines.get(lines.size() - 1));
    }
    pca(spark, pcaRows, 100, "exact", 4 * cores, true);
    pca(spark, wideRows, wideColumns, "randomized", 4 * cores, false);
    System.out.println();
    lines.forEach(System.out::println);
  }

  private void pca(
      SparkSession spark, long rows, int columns, String solver, int partitions, boolean cache) {
    if (rows <= 0) {
      return;
    }
    Dataset<Row> data = lowRank(spark, rows, columns, partitions);
    if (cache) {
      data = data.cache();
      data.count();
    }
    FeatureSpace f = FeatureSpace.ofVector(data.schema(), "features", columns);
    resetPeaks();
    long t0 = System.nanoTime();
    PcaModel m = new Pca(f).setK(10).setSolver(solver).fit(data);
    double s = (System.nanoTime() - t0) / 1e9;
    double[] r = m.explainedVarianceRatio();
    lines.add(
        row(
            String.format(Locale.ROOT, "PCA %,d x %,d %s", rows, columns, solver),
            s,
            String.format(
                Locale.ROOT,
                "%s; ratios %.4f %.4f %.4f ... %.4f",
                cache ? "cached input" : "input generated on each pass",
                r[0],
                r[1],
                r[2],
                r[9])));
    System.out.println(lines.get(lines.size() - 1));
    if (cache) {
      data.unpersist();
    }
  }

  private String row(String name, double seconds, String figures) {
    return String.format(
        Locale.ROOT, "%-34s %10.1f %9.0f MB %s", name, seconds, peakHeapMb(), figures);
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
  }

  private static double peakHeapMb() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak / 1e6;
  }

  private static StructType vectorSchema() {
    return new StructType()
        .add("id", DataTypes.LongType, false)
        .add("features", SQLDataTypes.VectorType(), false);
  }

  /** Blobs around {@code centres} seeded centres; each row's draws depend on its id only. */
  static Dataset<Row> blobs(SparkSession spark, long n, int d, int centres, int partitions) {
    return blobs(spark, 0, n, d, centres, partitions);
  }

  /**
   * As {@link #blobs(SparkSession, long, int, int, int)} for the ids {@code first ..< first + n}.
   */
  static Dataset<Row> blobs(
      SparkSession spark, long first, long n, int d, int centres, int partitions) {
    double[] c = new double[centres * d];
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < c.length; i++) {
      c[i] = r.nextDouble() * 20 - 10;
    }
    return spark
        .range(first, first + n, 1, partitions)
        .toDF()
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>)
                it -> {
                  List<Row> out = new ArrayList<>();
                  while (it.hasNext()) {
                    long id = it.next().getLong(0);
                    SplittableRandom g = new SplittableRandom(id * 0x9E3779B97F4A7C15L + 1);
                    int b = (int) (id % centres);
                    double[] x = new double[d];
                    for (int j = 0; j < d; j++) {
                      x[j] = c[b * d + j] + 2.0 * Eigen.gaussian(g);
                    }
                    out.add(RowFactory.create(id, Vectors.dense(x)));
                  }
                  return out.iterator();
                },
            ExpressionEncoder.apply(vectorSchema()));
  }

  /** Ten strong directions plus unit noise, regenerated from the id on every read. */
  static Dataset<Row> lowRank(SparkSession spark, long n, int d, int partitions) {
    double[] basis = new double[10 * d];
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < basis.length; i++) {
      basis[i] = Eigen.gaussian(r) / Math.sqrt(d);
    }
    return spark
        .range(0, n, 1, partitions)
        .toDF()
        .mapPartitions(
            (MapPartitionsFunction<Row, Row>)
                it ->
                    new java.util.Iterator<Row>() {
                      @Override
                      public boolean hasNext() {
                        return it.hasNext();
                      }

                      @Override
                      public Row next() {
                        long id = it.next().getLong(0);
                        SplittableRandom g = new SplittableRandom(id * 0x9E3779B97F4A7C15L + 3);
                        double[] x = new double[d];
                        for (int c = 0; c < 10; c++) {
                          double w = Eigen.gaussian(g) * (20 - c) * 2;
                          for (int j = 0; j < d; j++) {
                            x[j] += w * basis[c * d + j];
                          }
                        }
                        for (int j = 0; j < d; j++) {
                          x[j] += 0.1 * Eigen.gaussian(g);
                        }
                        return RowFactory.create(id, Vectors.dense(x));
                      }
                    },
            ExpressionEncoder.apply(vectorSchema()));
  }
}
