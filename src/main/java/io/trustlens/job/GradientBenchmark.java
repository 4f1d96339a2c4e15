package io.trustlens.job;

import ai.djl.Device;
import io.trustlens.explain.gradient.Baseline;
import io.trustlens.explain.gradient.GradientBatches;
import io.trustlens.explain.gradient.GradientExplainer;
import io.trustlens.explain.gradient.GradientMethod;
import io.trustlens.explain.gradient.IntegratedGradients;
import io.trustlens.explain.gradient.Saliency;
import io.trustlens.explain.gradient.SmoothGrad;
import io.trustlens.model.DifferentiableModel;
import io.trustlens.model.ModelCache;
import io.trustlens.model.TorchScriptCard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code trustlens bench gradients}: rows/s of saliency, SmoothGrad (50 copies) and Integrated
 * Gradients (50 steps) on the digits CNN, on one thread (the Spark-free core) and through Spark per
 * master, with explainer efficiency: gradient evaluations/s inside the explainer over the model's
 * raw batched forward+backward throughput. Prints figures; never fails on a time.
 */
final class GradientBenchmark {
  private static final String DIGITS = "datasets/models/torch/digits_cnn.pt";

  private final int rows;
  private final List<String> masters;
  private final int repeat;

  GradientBenchmark(int rows, List<String> masters, int repeat) {
    this.rows = rows;
    this.masters = masters;
    this.repeat = Math.max(1, repeat);
  }

  private record Figure(String master, String name) {}

  private record Method(String name, GradientMethod core, GradientExplainer stage) {}

  private static List<Method> methods() {
    return List.of(
        new Method("saliency", new Saliency("absolute"), stage("saliency")),
        new Method(
            "smoothgrad, 50 copies",
            new SmoothGrad(50, SmoothGrad.DEFAULT_NOISE, "mean", 42),
            stage("smoothgrad")),
        new Method(
            "integrated gradients, 50 steps",
            new IntegratedGradients(Baseline.zero(), 50, "gauss_legendre"),
            stage("integrated_gradients")));
  }

  private static GradientExplainer stage(String method) {
    return new GradientExplainer().setModelPath(DIGITS).setMethod(method).setIdCol("id");
  }

  void run() {
    Path file = Path.of(DIGITS);
    DifferentiableModel model =
        ModelCache.differentiable(file, TorchScriptCard.readBeside(file), Device.cpu());
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "%-12s %-32s %12s %14s %10s",
            "where",
            "case",
            "rows/s",
            "evals/s",
            "efficiency"));
    double raw = raw(model);
    lines.add(ExplainBenchmark.row("1 thread", "raw forward+backward, digits CNN", raw, raw, 1.0));
    double[] digits = digits(2000);
    for (Method m : methods()) {
      GradientBatches batches = new GradientBatches(model, m.core(), GradientBatches.PREDICTED);
      int n = 2000;
      batches.explain(digits, keys(n), Math.min(n, batches.rowsPerCall())); // warm-up
      double best = 0;
      for (int r = 0; r < repeat; r++) {
        long t0 = System.nanoTime();
        for (int start = 0; start < n; start += batches.rowsPerCall()) {
          int count = Math.min(batches.rowsPerCall(), n - start);
          double[] part = java.util.Arrays.copyOfRange(digits, start * 64, (start + count) * 64);
          batches.explain(part, keys(count), count);
        }
        best = Math.max(best, n / ((System.nanoTime() - t0) / 1e9));
      }
      double evals = best * m.core().inputsPerRow();
      lines.add(ExplainBenchmark.row("1 thread", m.name(), best, evals, evals / raw));
    }
    Map<Figure, Double> spark = new LinkedHashMap<>();
    for (int r = 0; r < repeat; r++) {
      for (String master : masters) {
        SparkSession session = BenchCommand.session(master);
        int partitions = 4 * session.sparkContext().defaultParallelism();
        Dataset<Row> table = table(session, rows).repartition(partitions).cache();
        table.count();
        for (Method m : methods()) {
          long t0 = System.nanoTime();
          m.stage().transform(table).write().format("noop").mode("overwrite").save();
          double rate = rows / ((System.nanoTime() - t0) / 1e9);
          spark.merge(new Figure(master, m.name()), rate, Math::max);
        }
        table.unpersist(true);
        session.stop();
      }
    }
    spark.forEach(
        (f, rate) ->
            lines.add(
                ExplainBenchmark.row(
                    f.master(), f.name() + " (" + rows + " rows)", rate, Double.NaN, Double.NaN)));
    lines.forEach(System.out::println);
  }

  /** The best of several calls of 16,384 rows of forward and backward. */
  private static double raw(DifferentiableModel model) {
    int n = 16384;
    double[] inputs = digits(n);
    int[] targets = new int[n];
    model.gradients(inputs, n, targets);
    double best = 0;
    for (int r = 0; r < 3; r++) {
      long t0 = System.nanoTime();
      for (int c = 0; c < 4; c++) {
        model.gradients(inputs, n, targets);
      }
      best = Math.max(best, 4.0 * n / ((System.nanoTime() - t0) / 1e9));
    }
    return best;
  }

  /** Digit-like rows: pixels 0..16 drawn at random (the timing does not depend on their values). */
  private static double[] digits(int n) {
    SplittableRandom r = new SplittableRandom(5);
    double[] x = new double[n * 64];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.floor(r.nextDouble() * 17);
    }
    return x;
  }

  private static long[] keys(int n) {
    long[] k = new long[n];
    for (int i = 0; i < n; i++) {
      k[i] = i;
    }
    return k;
  }

  /** The bundled digits table repeated to {@code n} rows with fresh ids. */
  static Dataset<Row> table(SparkSession spark, int n) {
    Dataset<Row> digits =
        spark
            .read()
            .option("header", "true")
            .option("inferSchema", "true")
            .csv("datasets/digits.csv");
    long have = digits.count();
    long copies = (n + have - 1) / have;
    return digits
        .crossJoin(spark.range(copies).withColumnRenamed("id", "copy"))
        .withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id())
        .limit(n);
  }
}
