package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.BatchModel;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.ModelScorer;
import io.trustlens.model.OutputKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code trustlens bench score}: rows/s of scoring synthetic rows with the MLlib fast path, with
 * MLlib's own {@code transform}, and with a TorchScript MLP, per Spark master. A benchmark prints
 * figures; it never fails on a time.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Benchmarks (print figures, never fail on a time). Suites: score, explain, explore,"
          + " gradients, occlusion, examples, uncertainty, profile.",
      "score: N synthetic rows x 30 features; GBT (20 trees, depth 5) by the in-JVM fast path and"
          + " by model.transform; the TorchScript breast-cancer MLP; per master.",
      "explore: t-SNE of Gaussian blobs (50 dims) at each --tsne-rows, with wall time and peak"
          + " heap; PCA of --pca-rows x 100 (exact) and --pca-wide rows x columns (randomized).",
      "explain: TreeSHAP on N rows and kernel/permutation on --explain-rows rows with a GBT of 100"
          + " trees of depth 5 and the MLP; rows/s, evaluations/s and explainer efficiency.",
      "gradients: saliency, SmoothGrad (50 copies) and Integrated Gradients (50 steps) on the"
          + " digits CNN (--gradient-rows) and the 64x64 shapes CNN (40 per 1,250 of them), one thread"
          + " and per master, with efficiency against the raw forward+backward throughput.",
      "occlusion: patch occlusion maps of the digits CNN (patch 2, stride 1) and the 64x64 shapes"
          + " CNN (patch 8, stride 4), one thread and per master, with efficiency against the raw"
          + " forward throughput.",
      "examples: nearest examples (k = 10, credibility) of --example-queries rows against"
          + " --example-rows training rows of 30-dimensional blobs, per master: fit seconds,"
          + " queries/s and recall@10 against an exact search.",
      "uncertainty: Monte Carlo dropout (30 passes of the digits CNN) and an ensemble of five"
          + " GBTs (20 trees, depth 5), one thread and per master, with efficiency against one"
          + " model's raw batched throughput.",
      "profile: the data methods (profile, missing, drift) on a Parquet table of --profile-rows x"
          + " 20 columns (12 numeric, 8 text), wall time and passes over the files, against"
          + " df.summary() of the same table."
    })
final class BenchCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      paramLabel = "SUITE",
      description =
          "score, explain, explore, gradients, occlusion, examples, uncertainty or profile")
  String suite;

  @Option(names = "--rows", description = "Rows to score (default 1000000).")
  long rows = 1_000_000;

  @Option(
      names = "--masters",
      split = ",",
      description = "Spark masters to compare (default local[1],local[2]).")
  List<String> masters = List.of("local[1]", "local[2]");

  @Option(
      names = "--torch-model",
      description = "A TorchScript model reading 30 features (default: the bundled MLP).")
  String torchModel = "datasets/models/torch/breast_cancer_mlp.pt";

  @Option(
      names = "--explain-rows",
      description =
          "explain: rows for kernel and permutation through Spark with the GBT (default 500;"
              + " twenty times as many with the MLP).")
  int explainRows = 500;

  @Option(
      names = "--tsne-rows",
      split = ",",
      description = "explore: t-SNE sizes (default 10000,100000,1000000).")
  List<Long> tsneRows = List.of(10_000L, 100_000L, 1_000_000L);

  @Option(names = "--pca-rows", description = "explore: rows of the 100-column PCA (1000000).")
  long pcaRows = 1_000_000;

  @Option(
      names = "--pca-wide",
      paramLabel = "ROWSxCOLUMNS",
      description = "explore: the randomized PCA's table (default 100000x10000; 0x0 skips).")
  String pcaWide = "100000x10000";

  @Option(
      names = "--gradient-rows",
      description = "gradients: digit rows explained through Spark per method (default 10000).")
  int gradientRows = 10_000;

  @Option(
      names = "--occlusion-rows",
      description =
          "occlusion: digit images mapped through Spark (default 20000; a hundredth of them for"
              + " the 64x64 model).")
  int occlusionRows = 20_000;

  @Option(
      names = "--uncertainty-rows",
      description =
          "uncertainty: digit rows through Spark for Monte Carlo dropout (default 20000; ten times"
              + " as many for the ensemble).")
  int uncertaintyRows = 20_000;

  @Option(names = "--profile-rows", description = "profile: rows (default 10000000).")
  long profileRows = 10_000_000;

  @Option(names = "--example-rows", description = "examples: training rows (default 1000000).")
  long exampleRows = 1_000_000;

  @Option(names = "--example-queries", description = "examples: query rows (default 1000000).")
  long exampleQueries = 1_000_000;

  @Option(
      names = "--repeat",
      description =
          "Timed runs per case; the best is kept (default 2; explain: the masters take turns).")
  int repeat = 2;

  @Override
  public Integer call() throws Exception {
    if (suite.equals("explore")) {
      String[] wide = pcaWide.split("x");
      new ExploreBenchmark(
              tsneRows,
              pcaRows,
              Long.parseLong(wide[0]),
              Integer.parseInt(wide[1]),
              masters.get(masters.size() - 1))
          .run();
      return 0;
    }
    if (suite.equals("explain")) {
      new ExplainBenchmark(rows, explainRows, masters, torchModel, repeat).run();
      return 0;
    }
    if (suite.equals("gradients")) {
      new GradientBenchmark(gradientRows, masters, repeat).run();
      return 0;
    }
    if (suite.equals("occlusion")) {
      new OcclusionBenchmark(occlusionRows, masters, repeat).run();
      return 0;
    }
    if (suite.equals("examples")) {
      new ExamplesBenchmark(exampleRows, exampleQueries, masters).run();
      return 0;
    }
    if (suite.equals("uncertainty")) {
      new UncertaintyBenchmark(uncertaintyRows, masters, repeat).run();
      return 0;
    }
    if (suite.equals("profile")) {
      new ProfileBenchmark(profileRows, masters).run();
      return 0;
    }
    if (!suite.equals("score")) {
      throw new SpecException(
          "unknown benchmark suite '"
              + suite
              + "'; available: score, explain, explore, gradients, occlusion, examples,"
              + " uncertainty, profile");
    }
    Path dir = Files.createTempDirectory("trustlens-bench");
    String gbtPath = dir.resolve("gbt").toString();
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "%-10s %-28s %12s", "master", "case", "rows/s"));
    boolean trained = false;
    for (String master : masters) {
      SparkSession spark = session(master);
      int cores = spark.sparkContext().defaultParallelism();
      Dataset<Row> data = synthetic(spark, rows, Math.max(4, cores * 4)).cache();
      data.count();
      if (!trained) {
        GBTClassificationModel gbt =
            new GBTClassifier().setMaxIter(20).setMaxDepth(5).setSeed(1).fit(data.limit(20000));
        gbt.save(gbtPath);
        trained = true;
      }
      ModelLoader loader = new ModelLoader(spark);
      LoadedModel gbt = loader.load(gbtPath, 30, OutputKind.PROBABILITY);
      FeatureSpace vector = FeatureSpace.ofVector(data.schema(), "features", 30);
      GBTClassificationModel mllib = GBTClassificationModel.load(gbtPath);
      double fast = time(() -> noop(new ModelScorer(gbt.source(), vector).transform(data)));
      double transform = time(() -> noop(mllib.transform(data)));
      LoadedModel mlp = loader.load(torchModel, 30, OutputKind.LOGIT);
      double torch =
          time(
              () -> noop(new ModelScorer(mlp.source(), vector).setBatchSize(4096).transform(data)));
      double raw = rawTorch(mlp.source().open());
      lines.add(row(master, "GBT fast path (in-JVM)", fast));
      lines.add(row(master, "GBT model.transform", transform));
      lines.add(row(master, "TorchScript MLP (DJL)", torch));
      lines.add(row(master, "MLP raw, 1 thread, no Spark", raw));
      data.unpersist();
    }
    lines.forEach(System.out::println);
    return 0;
  }

  /** A fresh session on {@code master} (the previous one stopped). */
  static SparkSession session(String master) {
    SparkSession.getActiveSession()
        .foreach(
            s -> {
              s.stop();
              return null;
            });
    return SparkSession.builder()
        .master(master)
        .appName("trustlens bench")
        .config("spark.ui.enabled", "false")
        .getOrCreate();
  }

  private String row(String master, String name, double rowsPerSecond) {
    return String.format(Locale.ROOT, "%-10s %-28s %,12.0f", master, name, rowsPerSecond);
  }

  private double time(Runnable job) {
    double best = Double.POSITIVE_INFINITY;
    for (int r = 0; r < repeat; r++) {
      long t0 = System.nanoTime();
      job.run();
      best = Math.min(best, (System.nanoTime() - t0) / 1e9);
    }
    return rows / best;
  }

  private double rawTorch(BatchModel model) {
    int batch = 4096;
    double[] inputs = new double[batch * 30];
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = random.nextDouble();
    }
    long total = Math.min(rows, 400_000);
    long t0 = System.nanoTime();
    for (long done = 0; done < total; done += batch) {
      model.score(inputs, batch);
    }
    return total / ((System.nanoTime() - t0) / 1e9);
  }

  private static void noop(Dataset<Row> df) {
    df.write().format("noop").mode("overwrite").save();
  }

  /** Rows of 30 uniform features with a label from a known rule, in {@code partitions} parts. */
  static Dataset<Row> synthetic(SparkSession spark, long rows, int partitions) {
    Dataset<Row> df = spark.range(0, rows, 1, partitions).toDF("id");
    String[] names = new String[30];
    List<Column> cols = new ArrayList<>();
    cols.add(col("id"));
    for (int j = 0; j < 30; j++) {
      names[j] = "x" + j;
      cols.add(rand(1000 + j).as(names[j]));
    }
    df = df.select(cols.toArray(new Column[0]));
    df =
        df.withColumn(
            "label",
            when(col("x0").plus(col("x1").multiply(col("x2"))).gt(0.75), 1.0).otherwise(0.0));
    return new VectorAssembler()
        .setInputCols(names)
        .setOutputCol("features")
        .transform(df)
        .select("id", "features", "label");
  }
}
