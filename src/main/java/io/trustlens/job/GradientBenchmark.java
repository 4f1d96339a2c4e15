package io.trustlens.job;

import ai.djl.Device;
import io.trustlens.explain.gradient.Baseline;
import io.trustlens.explain.gradient.GradientBatches;
import io.trustlens.explain.gradient.GradientExplainer;
import io.trustlens.explain.gradient.GradientMethod;
import io.trustlens.explain.gradient.IntegratedGradients;
import io.trustlens.explain.gradient.Saliency;
import io.trustlens.explain.gradient.SmoothGrad;
import io.trustlens.feature.ImageShape;
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
 * Gradients (50 steps) on the digits CNN (8x8) and the 64x64 shapes CNN, on one thread (the
 * Spark-free core) and through Spark per master, with explainer efficiency: gradient evaluations/s
 * inside the explainer over the model's raw batched forward+backward throughput on one thread.
 * Prints figures; never fails on a time. {@code datasets/models/torch/bench_gradients.py} is the
 * PyTorch side.
 */
final class GradientBenchmark {
  private final int rows;
  private final List<String> masters;
  private final int repeat;

  GradientBenchmark(int rows, List<String> masters, int repeat) {
    this.rows = rows;
    this.masters = masters;
    this.repeat = Math.max(1, repeat);
  }

  /** A model, its image shape and the rows explained per method. */
  private record Case(String name, String model, ImageShape shape, int n) {}

  private record Method(String name, GradientMethod core, String method) {}

  private List<Case> cases() {
    return List.of(
        new Case(
            "digits CNN 8x8", "datasets/models/torch/digits_cnn.pt", new ImageShape(1, 8, 8), rows),
        new Case(
            "shapes CNN 64x64",
            "datasets/models/torch/shapes64_cnn.pt",
            new ImageShape(1, 64, 64),
            // 64 times the pixels, about 80 times slower per row; 320 rows at the default give
            // each of 8 tasks (4 a core) two full calls of 20 SmoothGrad or IG rows (1,000 inputs,
            // one chunk), so the Spark figures measure no padded last call, and a core slowed for
            // a while by a neighbour leaves its tasks to the other core.
            Math.max(1, rows / 1250) * 40));
  }

  private static List<Method> methods() {
    return List.of(
        new Method("saliency", new Saliency("absolute"), "saliency"),
        new Method(
            "smoothgrad, 50 copies",
            new SmoothGrad(50, SmoothGrad.DEFAULT_NOISE, "mean", 42),
            "smoothgrad"),
        new Method(
            "integrated gradients, 50 steps",
            new IntegratedGradients(Baseline.zero(), 50, "gauss_legendre"),
            "integrated_gradients"));
  }

  void run() {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "%-12s %-46s %12s %14s %10s",
            "where",
            "case",
            "rows/s",
            "evals/s",
            "efficiency"));
    Map<String, Double> raws = new LinkedHashMap<>();
    List<String> ceilings = new ArrayList<>();
    for (Case c : cases()) {
      DifferentiableModel model = model(c);
      int d = c.shape().size();
      double raw = raw(model, d);
      raws.put(c.name(), raw);
      int chunk = model.batchRows();
      double[] chunkImages = images(chunk, d);
      ceilings.add(
          ThreadScaling.line(
              "raw forward+backward, " + c.name(),
              ThreadScaling.twoOverOne(
                  () -> model.gradients(chunkImages, chunk, new int[chunk]),
                  ThreadScaling.callsPerSecond(raw, chunk))));
      lines.add(
          ExplainBenchmark.row("1 thread", "raw forward+backward, " + c.name(), raw, raw, 1.0));
      for (Method m : methods()) {
        // Whole chunks for a method of one input a row: a call's last chunk is padded.
        int n =
            m.core().inputsPerRow() == 1
                ? Math.max(Math.min(c.n(), 2000), 16 * model.batchRows())
                : Math.min(c.n(), 2000);
        double[] images = images(n, d);
        // The output the Spark stage explains by default (a binary model's positive class).
        int target = new GradientExplainer().targetIndex(model.info());
        GradientBatches batches = new GradientBatches(model, m.core(), target);
        int perCall = batches.rowsPerCall();
        int warm = Math.min(n, perCall);
        batches.explain(java.util.Arrays.copyOf(images, warm * d), keys(warm), warm);
        double best = 0;
        for (int r = 0; r < repeat; r++) {
          long t0 = System.nanoTime();
          for (int start = 0; start < n; start += perCall) {
            int count = Math.min(perCall, n - start);
            double[] part = java.util.Arrays.copyOfRange(images, start * d, (start + count) * d);
            batches.explain(part, keys(count), count);
          }
          best = Math.max(best, n / ((System.nanoTime() - t0) / 1e9));
        }
        double evals = best * m.core().inputsPerRow();
        lines.add(
            ExplainBenchmark.row("1 thread", m.name() + ", " + c.name(), best, evals, evals / raw));
      }
    }
    Map<BenchFigure, Double> spark = new LinkedHashMap<>();
    for (int r = 0; r < repeat; r++) {
      for (String master : masters) {
        SparkSession session = BenchCommand.session(master);
        int cores = session.sparkContext().defaultParallelism();
        for (Case c : cases()) {
          for (Method m : methods()) {
            int n = rowsFor(c, m);
            if (m.core().inputsPerRow() == 1) {
              // A partition's last chunk is padded to the model's fixed chunk (1,024 digit rows):
              // at least 16 chunks a partition, as in tables of realistic size.
              n = Math.max(n, 16 * model(c).batchRows() * 4 * cores);
            }
            int partitions = (int) Math.max(cores, Math.min(4L * cores, n / 40));
            Dataset<Row> table =
                OcclusionBenchmark.table(session, n, c.shape().size(), partitions).cache();
            table.count();
            GradientExplainer stage =
                new GradientExplainer()
                    .setModelPath(c.model())
                    .setMethod(m.method())
                    .setImageCol("image")
                    .setImageShape(
                        c.shape().channels() + "," + c.shape().height() + "," + c.shape().width())
                    .setIdCol("id");
            stage.transformSchema(table.schema()); // opens the model on the driver first
            long t0 = System.nanoTime();
            stage.transform(table).write().format("noop").mode("overwrite").save();
            double rate = n / ((System.nanoTime() - t0) / 1e9);
            spark.merge(
                new BenchFigure(
                    master,
                    m.name()
                        + ", "
                        + c.name()
                        + " ("
                        + n
                        + " rows, "
                        + partitions
                        + " partitions)"),
                rate,
                Math::max);
            table.unpersist(true);
          }
        }
        session.stop();
      }
    }
    spark.forEach(
        (f, rate) -> {
          Case c = cases().stream().filter(k -> f.name().contains(k.name())).findFirst().get();
          Method m =
              methods().stream().filter(k -> f.name().startsWith(k.name())).findFirst().get();
          double evals = rate * m.core().inputsPerRow();
          lines.add(
              ExplainBenchmark.row(f.master(), f.name(), rate, evals, evals / raws.get(c.name())));
        });
    lines.addAll(BenchFigure.scaling(spark));
    lines.addAll(ceilings);
    lines.forEach(System.out::println);
    System.out.println(
        "efficiency: gradient evaluations/s inside over one thread's raw batched forward+backward"
            + " throughput (local[2] may reach 2); target per core >= 0.8");
  }

  /** The case's model, loaded once per JVM ({@link ModelCache}). */
  private static DifferentiableModel model(Case c) {
    Path file = Path.of(c.model());
    return ModelCache.differentiable(file, TorchScriptCard.readBeside(file), Device.cpu());
  }

  /**
   * Rows through Spark for method {@code m}: the case's rows, and for a method of one evaluation
   * per row (saliency) up to 50 times as many (at most the larger of the case's rows and 5,000), so
   * that its tasks compute for seconds rather than Spark's own fixed cost per job.
   */
  private static int rowsFor(Case c, Method m) {
    int ipr = m.core().inputsPerRow();
    if (ipr >= 50) {
      return c.n();
    }
    return (int) Math.min((long) c.n() * 50 / ipr, Math.max(c.n(), 5_000));
  }

  /**
   * Forward+backward rows/s in calls of the model's own chunk (what an explainer's calls are cut
   * into), the best of three rounds over at least 16,384 rows or 4M input values. One call of all
   * those rows would allocate arrays of megabytes per call and measure the collector instead.
   */
  private static double raw(DifferentiableModel model, int d) {
    int chunk = model.batchRows();
    int calls = Math.max(4, Math.max(16384, (1 << 22) / d) / chunk);
    double[] inputs = images(chunk, d);
    int[] targets = new int[chunk];
    model.gradients(inputs, chunk, targets);
    double best = 0;
    for (int r = 0; r < 3; r++) {
      long t0 = System.nanoTime();
      for (int c = 0; c < calls; c++) {
        model.gradients(inputs, chunk, targets);
      }
      best = Math.max(best, (double) calls * chunk / ((System.nanoTime() - t0) / 1e9));
    }
    return best;
  }

  /** Images with pixels uniform in [0, 16) (the timing does not depend on their values). */
  private static double[] images(int n, int d) {
    SplittableRandom r = new SplittableRandom(5);
    double[] x = new double[n * d];
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
