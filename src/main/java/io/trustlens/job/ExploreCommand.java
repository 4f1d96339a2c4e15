package io.trustlens.job;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code trustlens explore}: a map of the whole table (PCA, MDS, t-SNE) or its kNN graph. */
@Command(
    name = "explore",
    mixinStandardHelpOptions = true,
    description = {
      "Map the whole table: pca (columns pc1..pck; explained variance and loadings), mds (mds1,"
          + " mds2; classical or landmark, with stress), tsne (tsne_x, tsne_y; KL divergence and"
          + " trustworthiness) or knn (neighbours, neighbour_distances).",
      "With --model (TorchScript), the map is of the model's embedding (its 'embed' method, else"
          + " its outputs). The report draws the map with up to five encoded dimensions."
    })
final class ExploreCommand implements Callable<Integer> {
  @Mixin TableOptions table;
  @Mixin OutputOptions output;
  @Mixin SparkOptions spark;

  @Option(names = "--method", description = "pca (default), mds, tsne or knn.")
  String method = "pca";

  @Option(names = "--model", paramLabel = "PATH", description = "A TorchScript encoder.")
  String model;

  @Option(
      names = "--components",
      description = "pca: components (default min(10, columns)); mds: dimensions (2).")
  Integer components;

  @Option(
      names = "--scale",
      description =
          "pca, tsne: divide each column by its standard deviation first (tsne: so that a"
              + " large-valued column does not decide the distances alone).")
  Boolean scale;

  @Option(names = "--solver", description = "pca: auto (default), exact or randomized.")
  String solver;

  @Option(names = "--perplexity", description = "tsne: perplexity (default 30).")
  Double perplexity;

  @Option(
      names = "--iterations",
      description = "tsne: iterations after the 250 exaggerated ones (default 500).")
  Integer iterations;

  @Option(
      names = "--pca-dims",
      description =
          "tsne: reduce to this many principal components first (default 50; 0: no); knn: the"
              + " same, default 0.")
  Integer pcaDims;

  @Option(
      names = "--map-rows",
      description =
          "tsne: the most rows mapped on the driver (default 1,000,000); a larger table's other"
              + " rows are placed among their nearest mapped rows.")
  Integer mapRows;

  @Option(names = "--neighbours", description = "knn: neighbours per row (default 10).")
  Integer neighbours;

  @Option(
      names = "--search",
      description = "tsne, knn: auto (default: exact up to 20,000 rows), exact or approximate.")
  String search;

  @Option(
      names = "--landmarks",
      description = "mds: landmark rows (default 2000; a smaller table gets classical MDS).")
  Integer landmarks;

  @Option(names = "--metric", description = "mds: euclidean (default), manhattan or cosine.")
  String metric;

  @Option(
      names = "--colour",
      paramLabel = "COL",
      description = "Colour points by (default: --label).")
  String colour;

  @Option(names = "--size", paramLabel = "COL", description = "Size points by (numeric).")
  String size;

  @Option(names = "--shape", paramLabel = "COL", description = "Marker shape by (categories).")
  String shape;

  @Option(
      names = "--plot-sample",
      paramLabel = "N",
      description = "Rows drawn in the report's plots (default 3000; a seeded sample).")
  Integer plotSample;

  @Option(
      names = "--constant-columns",
      paramLabel = "POLICY",
      description =
          "error (default for features) refuses constant columns; ignore lets them pass"
              + " (default for an embedding's dead units).")
  String constantColumns;

  @Option(names = "--seed", description = "Random seed (default 42).")
  long seed = 42;

  @Override
  public Integer call() {
    AuditSpec spec = new AuditSpec();
    spec.name = "explore";
    spec.input = table.toSpec();
    if (model != null) {
      spec.models.put("model", model);
    }
    spec.output = output.output;
    spec.outputFormat = output.outputFormat;
    spec.seed = seed;
    ExploreSpec task = new ExploreSpec();
    task.type = "explore";
    task.model = model == null ? null : "model";
    task.method = method;
    task.components = components;
    task.scale = scale;
    task.solver = solver;
    task.perplexity = perplexity;
    task.iterations = iterations;
    task.pcaDims = pcaDims;
    task.mapRows = mapRows;
    task.neighbours = neighbours;
    task.search = search;
    task.landmarks = landmarks;
    task.metric = metric;
    task.colour = colour;
    task.size = size;
    task.shape = shape;
    task.plotSample = plotSample;
    task.constantColumns = constantColumns;
    spec.tasks.add(task);
    spec.validate("command line");
    return AuditRun.starting(spark, "explore", spec, "explore").run(output.overwrite);
  }
}
