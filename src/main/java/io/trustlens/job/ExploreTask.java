package io.trustlens.job;

import io.trustlens.explore.Embedder;
import io.trustlens.explore.RowOrder;
import io.trustlens.explore.knn.Knn;
import io.trustlens.explore.mds.Mds;
import io.trustlens.explore.mds.MdsResult;
import io.trustlens.explore.pca.Pca;
import io.trustlens.explore.pca.PcaModel;
import io.trustlens.explore.tsne.Tsne;
import io.trustlens.explore.tsne.TsneResult;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.report.HtmlReport;
import io.trustlens.report.MapCharts;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code explore} task: a map of the whole table (PCA, MDS or t-SNE) or its neighbour graph
 * (kNN), on the features or on a TorchScript model's embedding of them; the coordinates as new
 * columns, the figures in the summary, a scatter plot of up to five encoded dimensions (drawn from
 * a seeded sample of {@code plot_sample} rows) in the report.
 */
final class ExploreTask implements AuditTask<ExploreSpec> {
  static final int DEFAULT_PLOT_SAMPLE = 3000;

  @Override
  public Map<String, Object> run(AuditRun run, ExploreSpec task) {
    String method = task.method == null ? "pca" : task.method;
    AuditSpec.Input in = run.spec().input;
    String id = in.id == null ? "" : in.id;
    long seed = run.spec().seed;
    Dataset<Row> base = run.input().table();
    Dataset<Row> data = base;
    FeatureSpace features;
    Map<String, Object> facts = new LinkedHashMap<>();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("method", method);
    if (task.model != null) {
      LoadedModel model = run.model(task.model);
      base = run.input().prepare(model);
      FeatureSpace raw = run.input().features(model, base);
      Embedder embedder = new Embedder(model.source(), raw).setIdCol(id);
      int width = embedder.width();
      data = embedder.transform(base);
      features = FeatureSpace.ofVector(data.schema(), "embedding", width);
      result.put(
          "embedding",
          Ordered.map("model", task.model, "method", embedder.resolvedMethod(), "width", width));
      facts.put(
          "features",
          "embedding by "
              + task.model
              + " ("
              + embedder.resolvedMethod()
              + ", "
              + width
              + " values)");
    } else {
      features = run.input().features(null, base);
      if (features.source() == FeatureSpace.Source.COLUMNS) {
        base = run.input().valid(features.columns(), "explore maps");
        data = base;
        if ("skip".equals(run.input().onInvalid())) {
          result.put("rows_skipped_invalid", run.input().rows() - base.count());
        }
      }
      facts.put("features", features.toString());
    }
    String name = task.name != null ? task.name : method;
    if (task.scale != null && !method.equals("pca") && !method.equals("tsne")) {
      throw new SpecException(
          "scale applies to the pca and tsne methods, not " + method + "; leave it out");
    }
    boolean ignoreConstant =
        task.constantColumns == null ? task.model != null : task.constantColumns.equals("ignore");
    String x;
    String y;
    PcaModel pcaModel = null;
    Plotted plotted = null;
    switch (method) {
      case "pca" -> {
        Pca pca = new Pca(features).setSeed(seed).setIdCol(id).setIgnoreConstant(ignoreConstant);
        if (task.components != null) {
          pca.setK(task.components);
        }
        if (task.scale != null) {
          pca.setScale(task.scale);
        }
        if (task.solver != null) {
          pca.setSolver(task.solver);
        }
        pcaModel = pca.fit(data);
        x = "pc1";
        y = pcaModel.k() > 1 ? "pc2" : "pc1";
        plotted =
            writeMap(run, task, name, base, pcaModel.transform(data), x, y, pcaModel.k() >= 2);
        result.put("outputs", Map.of(name, plotted.path));
        pcaFigures(pcaModel, result, facts);
      }
      case "mds" -> {
        Mds mds = new Mds(features).setSeed(seed).setIdCol(id).setIgnoreConstant(ignoreConstant);
        if (task.components != null) {
          mds.setK(task.components);
        }
        if (task.landmarks != null) {
          mds.setLandmarks(task.landmarks);
        }
        if (task.metric != null) {
          mds.setMetric(task.metric);
        }
        MdsResult r = mds.run(data);
        x = "mds1";
        y = r.eigenvalues().length > 1 ? "mds2" : "mds1";
        plotted = writeMap(run, task, name, base, r.table(), x, y, false);
        result.put("outputs", Map.of(name, plotted.path));
        result.put("rows", r.rows());
        result.put("kind", r.classical() ? "classical" : "landmark");
        result.put("landmarks", r.landmarks());
        result.put("stress", r.stress());
        result.put("stress_rows", r.stressRows());
        result.put("eigenvalues", r.eigenvalues());
        facts.put("kind", r.classical() ? "classical MDS (every row)" : "landmark MDS");
        facts.put("landmarks", r.landmarks());
        facts.put("stress (Kruskal stress-1)", r.stress());
        facts.put("stress measured on", r.stressRows() + " rows");
      }
      case "tsne" -> {
        Tsne tsne =
            new Tsne(features)
                .setSeed(seed)
                .setIdCol(id)
                .setIgnoreConstant(ignoreConstant)
                .setProgress(new TsneProgress(System.nanoTime(), SparkOptions.verboseRun()));
        if (task.perplexity != null) {
          tsne.setPerplexity(task.perplexity);
        }
        if (task.iterations != null) {
          tsne.setIterations(250, task.iterations);
        }
        if (task.pcaDims != null) {
          tsne.setPcaDims(task.pcaDims);
        }
        if (task.mapRows != null) {
          tsne.setMapRows(task.mapRows);
        }
        if (task.search != null) {
          tsne.setSearch(task.search);
        }
        if (task.scale != null) {
          tsne.setScale(task.scale);
        }
        TsneResult r = tsne.run(data);
        x = "tsne_x";
        y = "tsne_y";
        plotted = writeMap(run, task, name, base, r.table(), x, y, false);
        result.put("outputs", Map.of(name, plotted.path));
        result.put("rows", r.rows());
        result.put("mapped_rows", r.mappedRows());
        result.put("dimensions", r.dimensions());
        result.put("neighbours", r.neighbours());
        result.put("search", r.search());
        result.put("repulsion", r.repulsion());
        result.put("kl_divergence", r.klDivergence());
        result.put("trustworthiness_k10", r.trustworthiness());
        result.put(
            "seconds",
            Ordered.map(
                "features", r.secondsReading(),
                "neighbours", r.secondsNeighbours(),
                "optimisation", r.secondsOptimising()));
        facts.put("rows", r.rows());
        if (r.mappedRows() < r.rows()) {
          facts.put(
              "mapped rows",
              r.mappedRows() + " (a seeded sample; the others placed among their nearest)");
        }
        facts.put("neighbours found in", r.dimensions() + " dimensions (" + r.search() + ")");
        facts.put("repulsion", r.repulsion());
        facts.put("KL divergence", r.klDivergence());
        facts.put(
            r.mappedRows() < r.rows()
                ? "trustworthiness (k = 10, sample of mapped rows)"
                : "trustworthiness (k = 10, sample)",
            r.trustworthiness());
        facts.put("optimisation seconds", r.secondsOptimising());
      }
      default -> {
        run.input().requireUniqueIds();
        Knn knn = new Knn(features).setSeed(seed).setIdCol(id);
        if (task.neighbours != null) {
          knn.setK(task.neighbours);
        }
        if (task.pcaDims != null) {
          knn.setPcaDims(task.pcaDims);
        }
        if (task.search != null) {
          knn.setSearch(task.search);
        }
        result.put("outputs", Map.of(name, run.writeAppended(name, base, knn.transform(data))));
        result.put("neighbours", knn.getOrDefault(knn.k()));
        result.put("search", knn.lastSearch());
        facts.put("neighbours per row", knn.getOrDefault(knn.k()));
        facts.put("search", knn.lastSearch());
        x = null;
        y = null;
      }
    }
    HtmlReport.Section section =
        run.report().section("Explore: " + name + " (" + method + ")").keyValues(facts);
    if (pcaModel != null) {
      biplot(section, plotted, pcaModel);
    }
    if (x != null) {
      scatter(section, plotted, task, x, y);
    }
    return result;
  }

  /**
   * Writes a map's table ({@code base}'s columns and {@code map}'s new ones); the rows its plots
   * draw (the biplot's of {@code pcs}, the map's of {@code x}, {@code y} and the encoded columns)
   * are gathered while it is written.
   */
  private static Plotted writeMap(
      AuditRun run,
      ExploreSpec task,
      String name,
      Dataset<Row> base,
      Dataset<Row> map,
      String x,
      String y,
      boolean pcs) {
    AuditSpec.Input in = run.spec().input;
    String colour = task.colour != null ? task.colour : in.label;
    Dataset<Row> table = run.appended(base, map);
    List<String> mapColumns = mapColumns(table, task, x, y, colour);
    List<String> columns = new ArrayList<>();
    if (pcs) {
      columns.addAll(List.of("pc1", "pc2"));
    }
    mapColumns.stream().filter(c -> !columns.contains(c)).forEach(columns::add);
    int limit = task.plotSample == null ? DEFAULT_PLOT_SAMPLE : task.plotSample;
    SampledRows sample =
        SampledRows.whileWriting(
            table,
            in.id == null ? "" : in.id,
            run.spec().seed,
            pcs ? Math.max(limit, DEFAULT_PLOT_SAMPLE) : limit, // the biplot's, the map's
            columns);
    String path = run.writeTable(name, sample::table);
    return new Plotted(path, sample, columns, mapColumns, limit, colour);
  }

  /**
   * A written map and its plotted rows: the seeded sample of {@link RowOrder#sample} with every
   * column a plot of the task needs, drawn while the table was written; each plot takes its first
   * rows (a smaller sample is the first rows of a larger one).
   */
  private static final class Plotted {
    private final String path;
    private final SampledRows sample;
    private final List<String> columns;
    private final List<String> mapColumns;
    private final int limit;
    private final String colour;

    Plotted(
        String path,
        SampledRows sample,
        List<String> columns,
        List<String> mapColumns,
        int limit,
        String colour) {
      this.path = path;
      this.sample = sample;
      this.columns = columns;
      this.mapColumns = mapColumns;
      this.limit = limit;
      this.colour = colour;
    }

    /** The sample of {@code size} rows, each holding {@code wanted} in that order. */
    List<Row> rows(int size, List<String> wanted) {
      int[] at = wanted.stream().mapToInt(columns::indexOf).toArray();
      List<Row> rows = new ArrayList<>();
      for (Row r : sample.sample(size)) {
        Object[] values = new Object[at.length];
        for (int i = 0; i < at.length; i++) {
          values[i] = r.get(at[i]);
        }
        rows.add(org.apache.spark.sql.RowFactory.create(values));
      }
      return rows;
    }
  }

  /**
   * t-SNE's progress on the console: with {@code --verbose} every 50 iterations; otherwise only a
   * map that takes long shows it is alive, at most one line per {@link #EVERY_NANOS} (a map of a
   * few seconds prints nothing, as a command's success prints one line).
   */
  static final class TsneProgress implements io.trustlens.explore.tsne.TsneOptimizer.Progress {
    static final long EVERY_NANOS = 15_000_000_000L;
    private final boolean verbose;
    private long last;

    TsneProgress(long startNanos, boolean verbose) {
      this.last = startNanos;
      this.verbose = verbose;
    }

    @Override
    public void iteration(int done, int total) {
      if (due(done, total, System.nanoTime())) {
        System.err.printf(java.util.Locale.ROOT, "t-SNE: iteration %d of %d%n", done, total);
      }
    }

    /** Whether iteration {@code done} of {@code total}, at {@code now}, gets a line. */
    boolean due(int done, int total, long now) {
      if (verbose) {
        return done % 50 == 0 || done == total;
      }
      if (done < total && now - last >= EVERY_NANOS) {
        last = now;
        return true;
      }
      return false;
    }
  }

  private static void pcaFigures(
      PcaModel model, Map<String, Object> result, Map<String, Object> facts) {
    double[] ratio = model.explainedVarianceRatio();
    double[] cumulative = new double[ratio.length];
    double sum = 0;
    for (int j = 0; j < ratio.length; j++) {
      sum += ratio[j];
      cumulative[j] = sum;
    }
    result.put("solver", model.solver());
    result.put("rows", model.rows());
    result.put("components", model.k());
    result.put("explained_variance", model.explainedVariance());
    result.put("explained_variance_ratio", ratio);
    result.put("cumulative_ratio", cumulative);
    result.put("total_variance", model.totalVariance());
    Map<String, double[]> loadings = new LinkedHashMap<>();
    List<String> names = model.featureNames();
    for (int i = 0; i < names.size(); i++) {
      double[] row = new double[model.k()];
      for (int j = 0; j < model.k(); j++) {
        row[j] = model.component(i, j);
      }
      loadings.put(names.get(i), row);
    }
    result.put("loadings", loadings);
    facts.put("solver", model.solver());
    facts.put("components", model.k());
    facts.put("variance explained by them", sum);
  }

  private static void biplot(HtmlReport.Section section, Plotted plotted, PcaModel model) {
    section.figure(
        "Scree plot: each component's share of the variance",
        MapCharts.scree(model.explainedVarianceRatio()));
    if (model.k() < 2) {
      return;
    }
    List<Row> rows = plotted.rows(DEFAULT_PLOT_SAMPLE, List.of("pc1", "pc2"));
    double[] px = rows.stream().mapToDouble(r -> r.getDouble(0)).toArray();
    double[] py = rows.stream().mapToDouble(r -> r.getDouble(1)).toArray();
    List<String> names = model.featureNames();
    Integer[] order = new Integer[names.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order,
        Comparator.comparingDouble(
            (Integer i) -> -Math.hypot(model.component(i, 0), model.component(i, 1))));
    int top = Math.min(8, order.length);
    List<String> shown = new ArrayList<>();
    double[] lx = new double[top];
    double[] ly = new double[top];
    List<List<Object>> table = new ArrayList<>();
    for (int t = 0; t < top; t++) {
      int i = order[t];
      shown.add(names.get(i));
      lx[t] = model.component(i, 0);
      ly[t] = model.component(i, 1);
      table.add(List.of(names.get(i), lx[t], ly[t]));
    }
    section.figure(
        "Biplot: rows on the first two components (a sample of "
            + rows.size()
            + "), and the "
            + top
            + " features with the largest loadings as arrows",
        MapCharts.biplot("pc1", "pc2", px, py, shown, lx, ly));
    section.table(List.of("feature", "loading on pc1", "loading on pc2"), table);
  }

  /** The map's columns: x, y, then colour, size and shape where given; each must exist. */
  private static List<String> mapColumns(
      Dataset<Row> written, ExploreSpec task, String x, String y, String colour) {
    List<String> columns = new ArrayList<>(List.of(x, y));
    for (String c : Arrays.asList(colour, task.size, task.shape)) {
      if (c != null) {
        if (written.schema().getFieldIndex(c).isEmpty()) {
          throw new SpecException(
              "the explore plot names column '" + c + "', which the table lacks");
        }
        columns.add(c);
      }
    }
    return columns;
  }

  /**
   * The map's scatter plot of the first {@code plot_sample} rows of {@code plotted}'s seeded
   * sample: a sample smaller than its limit holds every row; a full one gives the rows written for
   * its caption.
   */
  private static void scatter(
      HtmlReport.Section section, Plotted plotted, ExploreSpec task, String x, String y) {
    int limit = plotted.limit;
    String colour = plotted.colour;
    List<Row> rows = plotted.rows(limit, plotted.mapColumns);
    double[] px = rows.stream().mapToDouble(r -> r.getDouble(0)).toArray();
    double[] py = rows.stream().mapToDouble(r -> r.getDouble(1)).toArray();
    int at = 2;
    MapCharts.Encoding colourEnc = colour == null ? null : encoding(colour, rows, at++, false);
    MapCharts.Encoding sizeEnc = task.size == null ? null : encoding(task.size, rows, at++, true);
    MapCharts.Encoding shapeEnc =
        task.shape == null ? null : encoding(task.shape, rows, at, false, true);
    long total = rows.size() < limit ? rows.size() : plotted.sample.rows();
    section.figure(
        "Map: "
            + y
            + " against "
            + x
            + (colour != null ? ", colour " + colour : "")
            + (task.size != null ? ", size " + task.size : "")
            + (task.shape != null ? ", shape " + task.shape : "")
            + (rows.size() < total
                ? " (a seeded sample of " + rows.size() + " of " + total + " rows: plot_sample)"
                : ""),
        MapCharts.map(x, y, px, py, colourEnc, sizeEnc, shapeEnc));
  }

  private static MapCharts.Encoding encoding(
      String name, List<Row> rows, int col, boolean numeric) {
    return encoding(name, rows, col, numeric, false);
  }

  /** Numbers stay numbers unless they are few whole values (a class); shapes are categories. */
  private static MapCharts.Encoding encoding(
      String name, List<Row> rows, int col, boolean numeric, boolean categorical) {
    boolean allNumbers =
        rows.stream().allMatch(r -> r.isNullAt(col) || r.get(col) instanceof Number);
    long distinct = rows.stream().map(r -> r.get(col)).distinct().count();
    boolean whole =
        rows.stream()
            .allMatch(
                r ->
                    r.isNullAt(col)
                        || (r.get(col) instanceof Number n
                            && n.doubleValue() == Math.rint(n.doubleValue())));
    if (numeric && !allNumbers) {
      throw new SpecException(
          "the explore plot sizes points by '" + name + "', which is not numeric");
    }
    if (!categorical && allNumbers && (numeric || !(whole && distinct <= 12))) {
      return MapCharts.Encoding.numeric(
          name,
          rows.stream()
              .mapToDouble(r -> r.isNullAt(col) ? Double.NaN : ((Number) r.get(col)).doubleValue())
              .toArray());
    }
    return MapCharts.Encoding.categorical(
        name, rows.stream().map(r -> String.valueOf(r.get(col))).toArray(String[]::new));
  }
}
