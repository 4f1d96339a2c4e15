package io.trustlens.job;

import ai.djl.Device;
import io.trustlens.explain.occlusion.Fill;
import io.trustlens.explain.occlusion.OcclusionBatches;
import io.trustlens.explain.occlusion.OcclusionExplainer;
import io.trustlens.explain.occlusion.PatchOcclusion;
import io.trustlens.feature.ImageShape;
import io.trustlens.model.BatchModel;
import io.trustlens.model.ModelCache;
import io.trustlens.model.TorchScriptCard;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code trustlens bench occlusion}: occlusion maps/s of the digits CNN (8x8, patch 2, stride 1: 49
 * copies per image) and of the 64x64 shapes CNN (patch 8, stride 4: 225 copies), on one thread (the
 * Spark-free core) and through Spark per master, with explainer efficiency: model evaluations/s
 * inside (maps/s × (copies + 1)) over the model's raw batched forward throughput. Prints figures;
 * never fails on a time. {@code datasets/models/torch/bench_occlusion.py} is the PyTorch side.
 */
final class OcclusionBenchmark {
  private final int rows;
  private final List<String> masters;
  private final int repeat;

  OcclusionBenchmark(int rows, List<String> masters, int repeat) {
    this.rows = rows;
    this.masters = masters;
    this.repeat = Math.max(1, repeat);
  }

  /** A model, its image and the occlusion measured on it. */
  private record Case(String name, String model, ImageShape shape, int patch, int stride, int n) {
    PatchOcclusion occluder() {
      return new PatchOcclusion(shape, patch, stride, Fill.constant(0));
    }
  }

  private List<Case> cases() {
    return List.of(
        new Case(
            "digits CNN 8x8, patch 2/1",
            "datasets/models/torch/digits_cnn.pt",
            new ImageShape(1, 8, 8),
            2,
            1,
            rows),
        new Case(
            "shapes CNN 64x64, patch 8/4",
            "datasets/models/torch/shapes64_cnn.pt",
            new ImageShape(1, 64, 64),
            8,
            4,
            Math.max(1, rows / 100)));
  }

  void run() {
    List<String> lines = new ArrayList<>();
    lines.add(
        String.format(
            Locale.ROOT,
            "%-10s %-34s %12s %14s %10s",
            "where",
            "case",
            "maps/s",
            "evals/s",
            "efficiency"));
    Map<String, Double> raws = new LinkedHashMap<>();
    List<String> ceilings = new ArrayList<>();
    for (Case c : cases()) {
      Path file = Path.of(c.model());
      BatchModel model =
          ModelCache.torchScript(file, TorchScriptCard.readBeside(file), Device.cpu());
      double raw = raw(model, c.shape().size());
      raws.put(c.name(), raw);
      int chunk = model.batchRows();
      double[] chunkImages = images(chunk, c.shape().size());
      ceilings.add(
          ThreadScaling.line(
              "raw forward, " + c.name(),
              ThreadScaling.twoOverOne(
                  () -> model.outputs(chunkImages, chunk),
                  ThreadScaling.callsPerSecond(raw, chunk))));
      lines.add(ExplainBenchmark.row("1 thread", "raw forward, " + c.name(), raw, raw, 1.0));
      PatchOcclusion occluder = c.occluder();
      OcclusionBatches batches = new OcclusionBatches(model, OcclusionBatches.PREDICTED);
      int perCall = batches.rowsPerCall(occluder.copies());
      int n = c.n();
      double[] images = images(n, c.shape().size());
      int warm = Math.min(n, Math.max(1, perCall / 8));
      batches.explain(occluder, Arrays.copyOf(images, warm * c.shape().size()), warm);
      double best = 0;
      for (int r = 0; r < Math.max(3, repeat); r++) {
        long t0 = System.nanoTime();
        for (int start = 0; start < n; start += perCall) {
          int count = Math.min(perCall, n - start);
          batches.explain(
              occluder,
              Arrays.copyOfRange(
                  images, start * c.shape().size(), (start + count) * c.shape().size()),
              count);
        }
        best = Math.max(best, n / ((System.nanoTime() - t0) / 1e9));
      }
      double evals = best * (occluder.copies() + 1);
      lines.add(
          ExplainBenchmark.row("1 thread", "occlusion, " + c.name(), best, evals, evals / raw));
    }
    Map<BenchFigure, Double> spark = new LinkedHashMap<>();
    for (int r = 0; r < repeat; r++) {
      for (String master : masters) {
        SparkSession session = BenchCommand.session(master);
        int cores = session.sparkContext().defaultParallelism();
        for (Case c : cases()) {
          // Tasks of at least a few dozen images: a task's last model call is padded to a full
          // batch (the fixed batches keep a row's bits), so tiny tasks would measure padding.
          int partitions = (int) Math.max(cores, Math.min(4L * cores, c.n() / 50));
          Dataset<Row> table = table(session, c.n(), c.shape().size(), partitions).cache();
          table.count();
          OcclusionExplainer stage =
              new OcclusionExplainer()
                  .setModelPath(c.model())
                  .setImageCol("image")
                  .setImageShape(
                      c.shape().channels() + "," + c.shape().height() + "," + c.shape().width())
                  .setIdCol("id")
                  .setPatch(c.patch())
                  .setStride(c.stride());
          stage.transformSchema(table.schema()); // opens the model on the driver first
          long t0 = System.nanoTime();
          stage.transform(table).write().format("noop").mode("overwrite").save();
          double rate = c.n() / ((System.nanoTime() - t0) / 1e9);
          spark.merge(new BenchFigure(master, c.name() + " (" + c.n() + " rows)"), rate, Math::max);
          table.unpersist(true);
        }
        session.stop();
      }
    }
    spark.forEach(
        (f, rate) -> {
          Case c = cases().stream().filter(k -> f.name().startsWith(k.name())).findFirst().get();
          double evals = rate * (c.occluder().copies() + 1);
          lines.add(
              ExplainBenchmark.row(f.master(), f.name(), rate, evals, evals / raws.get(c.name())));
        });
    lines.addAll(BenchFigure.scaling(spark));
    lines.addAll(ceilings);
    lines.forEach(System.out::println);
    System.out.println(
        "efficiency: model evaluations/s inside over one thread's raw batched forward throughput"
            + " (local[2] may reach 2); target per core >= 0.8");
  }

  /**
   * Forward rows/s in calls of the model's own chunk, the best of three rounds of 4 to 32 calls
   * (one call of many chunks would allocate megabytes per call and measure the collector instead).
   */
  private static double raw(BatchModel model, int d) {
    int chunk = model.batchRows();
    int calls = Math.max(4, Math.min(32, (1 << 22) / d / chunk));
    double[] inputs = images(chunk, d);
    model.outputs(inputs, chunk);
    double best = 0;
    for (int r = 0; r < 3; r++) {
      long t0 = System.nanoTime();
      for (int c = 0; c < calls; c++) {
        model.outputs(inputs, chunk);
      }
      best = Math.max(best, (double) calls * chunk / ((System.nanoTime() - t0) / 1e9));
    }
    return best;
  }

  /** Images with pixels uniform in [0, 1) (the timing does not depend on their values). */
  private static double[] images(int n, int d) {
    SplittableRandom r = new SplittableRandom(5);
    double[] x = new double[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble();
    }
    return x;
  }

  /**
   * A table of {@code n} random images ({@code id}, {@code image}: array of {@code d} doubles
   * uniform in [0, 1), drawn from the row's id) in {@code partitions} partitions, made on the
   * executors: a table built on the driver (boxed values, then one serialized task of the whole
   * table) left gigabytes for the collector to mark while the next case was timed.
   */
  static Dataset<Row> table(SparkSession spark, int n, int d, int partitions) {
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("image", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    org.apache.spark.api.java.function.MapFunction<Long, Row> image =
        id -> {
          SplittableRandom r = new SplittableRandom(id);
          Double[] x = new Double[d];
          for (int j = 0; j < d; j++) {
            x[j] = r.nextDouble();
          }
          return RowFactory.create(id, x);
        };
    return spark.range(0, n, 1, partitions).map(image, org.apache.spark.sql.Encoders.row(schema));
  }
}
