package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.trustlens.explain.example.NearestExamples;
import io.trustlens.explain.example.NearestExamplesModel;
import io.trustlens.feature.ColumnNames;
import io.trustlens.model.LoadedModel;
import io.trustlens.report.Charts;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The {@code explain} task with method {@code nearest_examples}: per row its nearest training rows
 * and, for classifiers, Deep k-Nearest Neighbors' credibility; in the summary the index, the
 * calibration and the credibility's spread; in the report its histogram and the first rows with
 * their examples.
 */
final class NearestExamplesTask {
  /** Credibility below this is counted as low (the paper's out-of-distribution examples). */
  static final double LOW_CREDIBILITY = 0.1;

  /** Rows shown with their examples in the report. */
  static final int SHOWN = 10;

  Map<String, Object> run(AuditRun run, ExplainSpec task) {
    LoadedModel model = run.model(run.spec().modelOf(task));
    AuditSpec.Input in = run.spec().input;
    ExampleSpace space = ExampleSpace.of(run, task, model, "nearest_examples", false);
    boolean credible = model.info().kind().isClassification();
    if (!credible && task.calibrationFraction != null) {
      throw new SpecException(
          "calibration_fraction calibrates credibility, which needs a classifier; "
              + model.info().location()
              + " is a regressor: leave it out");
    }
    NearestExamples stage =
        new NearestExamples()
            .setLabelCol(in.label)
            .setIdCol(in.id)
            .setSeed(run.spec().seed)
            .setCredibility(credible)
            .setStandardize(task.scale != null ? task.scale : task.embedding == null);
    if (space.vectorCol().isEmpty()) {
      stage.setFeaturesCols(space.featuresCols());
    } else {
      stage.setVectorCol(space.vectorCol());
    }
    if (task.neighbours != null) {
      stage.setK(task.neighbours);
    }
    if (task.search != null) {
      stage.setSearch(task.search);
    }
    if (task.calibrationFraction != null) {
      stage.setCalibration(task.calibrationFraction);
    }
    NearestExamplesModel fitted = stage.fit(space.training());
    fitted.transformSchema(space.queries().schema()); // every check before any output
    String name = task.name != null ? task.name : "examples";
    String out = fitted.getOutputCol();
    String path = run.writeAppended(name, space.queries(), fitted.transform(space.queries()));

    Dataset<Row> written = run.readWritten(name);
    // one pass, sums exact (the same bits in any partitioning): rows among their own examples,
    // and the credibility's mean and low share
    org.apache.spark.sql.Column own =
        org.apache.spark.sql.functions.array_contains(
            col(out).cast(DataTypes.createArrayType(DataTypes.StringType)),
            ColumnNames.col(in.id).cast(DataTypes.StringType));
    org.apache.spark.sql.Column credibility = col(out + "_credibility"); // read if credible
    ArrayStats spread =
        ArrayStats.of(
            written.select(
                when(own, 1.0).otherwise(0.0).as("own"),
                (credible ? credibility.cast(DataTypes.DoubleType) : lit(0.0)).as("credibility"),
                (credible ? when(credibility.lt(LOW_CREDIBILITY), 1.0).otherwise(0.0) : lit(0.0))
                    .as("low")),
            null,
            0,
            "own",
            "credibility",
            "low");
    long themselves = (long) spread.sum(0);
    double meanCredibility = spread.mean(1) == null ? Double.NaN : spread.mean(1);
    double lowShare = spread.mean(2);
    if (themselves > 0) {
      run.warn(
          themselves
              + " rows found themselves among their examples: the input shares rows (ids) with"
              + " the examples table, so those rows' nearest example is the row itself; explain"
              + " rows held out of training to see their nearest other rows");
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("method", "nearest_examples");
    result.put("examples", task.examples);
    result.put("space", space.described());
    result.put("standardized", stage.getStandardize());
    result.put("neighbours", fitted.getK());
    result.put("search", fitted.searchUsed());
    result.put("indexed_rows", fitted.indexedRows());
    result.put("calibration_rows", fitted.calibrationRows());
    result.put("rows_among_their_examples", themselves);
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put(
        "model",
        run.spec().models.get(run.spec().modelOf(task)) + " (" + model.info().type() + ")");
    facts.put("training rows", task.examples + ": " + fitted.indexedRows() + " indexed");
    facts.put(
        "compared in",
        space.described()
            + (stage.getStandardize() ? ", each in units of its training standard deviation" : "")
            + ", Euclidean distance");
    facts.put("search", fitted.searchUsed() + ", " + fitted.getK() + " examples per row");
    List<Double> histogram = new ArrayList<>();
    if (credible) {
      result.put("classes", List.of(fitted.getClasses()));
      result.put("mean_credibility", meanCredibility);
      result.put("low_credibility_share", lowShare);
      result.put("low_credibility_below", LOW_CREDIBILITY);
      facts.put(
          "credibility",
          "Deep k-NN (Papernot and McDaniel 2018), calibrated on "
              + fitted.calibrationRows()
              + " held-out training rows; mean "
              + String.format(java.util.Locale.ROOT, "%.3f", meanCredibility)
              + ", "
              + String.format(java.util.Locale.ROOT, "%.1f%%", 100 * lowShare)
              + " of rows below "
              + LOW_CREDIBILITY);
      long[] bins = new long[10];
      for (Row r :
          written
              .groupBy(least(floor(col(out + "_credibility").multiply(10)), lit(9)).as("bin"))
              .agg(count(lit(1)))
              .collectAsList()) {
        bins[(int) r.getLong(0)] = r.getLong(1);
      }
      for (long b : bins) {
        histogram.add((double) b);
      }
    } else {
      facts.put("credibility", "none: it needs a classifier's classes");
    }
    result.put("outputs", Map.of(name, path));
    facts.put("table", path);
    HtmlReport.Section section =
        run.report().section("Explain: " + name + " (nearest examples)").keyValues(facts);
    if (credible) {
      List<String> labels = new ArrayList<>();
      for (int b = 0; b < 10; b++) {
        labels.add(String.format(java.util.Locale.ROOT, "%.1f–%.1f", b / 10.0, (b + 1) / 10.0));
      }
      section.figure(
          "Rows per credibility (the share of calibration rows at least as nonconforming as the"
              + " row's predicted label; low: its neighbours disagree more than training rows'"
              + " do)",
          Charts.bars(labels, histogram.stream().mapToDouble(Double::doubleValue).toArray()));
    }
    List<List<Object>> shown = new ArrayList<>();
    for (Row r : written.orderBy(ColumnNames.col(in.id)).limit(SHOWN).collectAsList()) {
      List<Object> ids = r.getList(r.fieldIndex(out));
      List<Object> labels = r.getList(r.fieldIndex(out + "_labels"));
      List<Double> distances = r.getList(r.fieldIndex(out + "_distances"));
      StringBuilder nearest = new StringBuilder();
      for (int j = 0; j < Math.min(3, ids.size()); j++) {
        nearest.append(j == 0 ? "" : "; ").append(ids.get(j)).append(" (");
        nearest.append(labels.get(j)).append(", ");
        nearest.append(String.format(java.util.Locale.ROOT, "%.3g", distances.get(j))).append(')');
      }
      List<Object> row = new ArrayList<>(List.of(r.get(r.fieldIndex(in.id)), nearest.toString()));
      if (credible) {
        row.add(r.get(r.fieldIndex(out + "_prediction")));
        row.add(
            String.format(
                java.util.Locale.ROOT, "%.3f", r.getDouble(r.fieldIndex(out + "_credibility"))));
      }
      shown.add(row);
    }
    List<String> header =
        new ArrayList<>(List.of(in.id, "nearest training rows: id (label, distance)"));
    if (credible) {
      header.addAll(List.of("neighbours' label", "credibility"));
    }
    section.table(header, shown);
    return result;
  }
}
