package io.trustlens.job;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.pmod;

import io.trustlens.explain.example.ExampleIndex;
import io.trustlens.explain.example.NearestExamples;
import io.trustlens.explain.example.NearestExamplesModel;
import io.trustlens.explore.knn.NeighbourSearch;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * {@code trustlens bench examples}: nearest examples (k = 10, credibility on) for {@code queries}
 * rows against {@code training} rows of Gaussian blobs (30 dimensions, 10 blobs, the blob as the
 * label), per master: the fit's seconds (gathering, the search's index, calibration), the queries'
 * rows/s written to a no-op sink, and the recall@10 of 200 queries against an exact search of the
 * same index. Prints figures; never fails on a time.
 */
final class ExamplesBenchmark {
  private static final int D = 30;
  private static final int K = 10;
  private final long training;
  private final long queries;
  private final List<String> masters;

  ExamplesBenchmark(long training, long queries, List<String> masters) {
    this.training = training;
    this.queries = queries;
    this.masters = masters;
  }

  void run() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-10s %12s %12s %8s %10s %12s %8s %11s%n",
            "master",
            "training",
            "queries",
            "search",
            "fit s",
            "queries/s",
            "recall",
            "credibility"));
    for (String master : masters) {
      SparkSession spark = BenchCommand.session(master);
      int partitions = 4 * spark.sparkContext().defaultParallelism();
      Dataset<Row> train = labelled(ExploreBenchmark.blobs(spark, 0, training, D, 10, partitions));
      Dataset<Row> rows =
          labelled(ExploreBenchmark.blobs(spark, training, queries, D, 10, partitions));
      train.cache().count();
      long t0 = System.nanoTime();
      NearestExamplesModel model =
          new NearestExamples()
              .setVectorCol("features")
              .setLabelCol("label")
              .setIdCol("id")
              .setK(K)
              .fit(train);
      double fit = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT, "  %s: fitted in %.1f s (%s)%n", master, fit, model.searchUsed());
      long t1 = System.nanoTime();
      model.transform(rows).write().format("noop").mode("overwrite").save();
      double query = (System.nanoTime() - t1) / 1e9;
      double credibility =
          model.transform(rows.limit(20_000)).agg(avg("examples_credibility")).first().getDouble(0);
      out.append(
          String.format(
              Locale.ROOT,
              "%-10s %,12d %,12d %8s %10.1f %,12.0f %8.3f %11.3f%n",
              master,
              training,
              queries,
              model.searchUsed(),
              fit,
              queries / query,
              recall(model.index(), rows.limit(200).collectAsList()),
              credibility));
      train.unpersist();
    }
    System.out.print(out);
  }

  private static Dataset<Row> labelled(Dataset<Row> blobs) {
    return blobs.withColumn(
        "label",
        pmod(col("id"), org.apache.spark.sql.functions.lit(10)).cast(DataTypes.DoubleType));
  }

  /** The share of the exact 10 nearest that the index's own search finds, over {@code sample}. */
  private static double recall(ExampleIndex index, List<Row> sample) {
    ExampleIndex.Searcher found = index.searcher();
    ExampleIndex.Searcher exact =
        ExampleIndex.of(index.points(), NeighbourSearch.exact(), index.k()).searcher();
    long hits = 0;
    float[] q = new float[D];
    for (Row r : sample) {
      Vector v = (Vector) r.get(r.fieldIndex("features"));
      for (int j = 0; j < D; j++) {
        q[j] = (float) v.apply(j);
      }
      found.find(q);
      exact.find(q);
      for (int a : found.index()) {
        for (int b : exact.index()) {
          hits += a == b ? 1 : 0;
        }
      }
    }
    return hits / (double) (sample.size() * index.k());
  }
}
