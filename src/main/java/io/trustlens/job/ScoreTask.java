package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.floor;

import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelScorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;

/**
 * The {@code score} task: the input rows with the model's prediction (and class probabilities, and
 * logits) appended; accuracy or RMSE when the spec names a label.
 */
final class ScoreTask implements AuditTask<ScoreSpec> {

  /**
   * Refuses a text label before any work: score compares the label with the model's predictions
   * (class indices 0..k-1, or values), and Spark's cast of {@code setosa} to a number failed in the
   * middle of the figures.
   */
  private static void requireNumericLabel(Dataset<Row> table, String label) {
    if (label == null || table.schema().getFieldIndex(label).isEmpty()) {
      return;
    }
    org.apache.spark.sql.types.DataType type = table.schema().apply(label).dataType();
    if (!(type instanceof org.apache.spark.sql.types.NumericType
        || type instanceof org.apache.spark.sql.types.BooleanType)) {
      throw new io.trustlens.feature.InvalidFeatureException(
          "label column '"
              + label
              + "' is "
              + type.simpleString()
              + "; score compares the label with the model's predictions (class indices 0..k-1,"
              + " or values), so it must be numeric: index it as the model was trained, or leave"
              + " --label out");
    }
  }

  @Override
  public Map<String, Object> run(AuditRun run, ScoreSpec task) {
    LoadedModel model = run.model(run.spec().modelOf(task));
    AuditSpec.Input in = run.spec().input;
    Dataset<Row> prepared = run.input().prepare(model);
    requireNumericLabel(prepared, in.label);
    FeatureSpace features = run.input().features(model, prepared);
    ModelScorer scorer =
        new ModelScorer(model.source(), features).setOnInvalid(run.input().onInvalid());
    if (in.id != null) {
      scorer.setIdCol(in.id);
    }
    if (task.batchSize != null) {
      scorer.setBatchSize(task.batchSize);
    }
    String name = task.name != null ? task.name : "predictions";
    Dataset<Row> table = run.appended(prepared, scorer.transform(prepared));
    ModelInfo info = model.info();
    boolean classifier = info.kind().isClassification();
    boolean probability = List.of(table.columns()).contains("probability");
    // A small two-class table's AUC comes from the same pass: its scores go to the driver.
    boolean scores =
        in.label != null
            && classifier
            && info.outputSize() == 2
            && probability
            && run.input().rows() <= RocArea.ON_THE_DRIVER;
    // A string label the model's pipeline indexes: compared as its class index, written as a name.
    String[] classes = in.label == null ? null : model.classNames(in.label);
    Column label =
        in.label == null
            ? null
            : classes != null && table.schema().apply(in.label).dataType() instanceof StringType
                ? InputTable.classIndex(ColumnNames.col(in.label), classes)
                : ColumnNames.col(in.label);
    // The figures and the preview's first rows come from the rows as they are written.
    ScoreFigures.Written pass =
        ScoreFigures.whileWriting(
            table, label, classifier ? info.outputSize() : 0, probability, scores, PREVIEW_ROWS);
    String path = run.writeTable(name, pass::table);
    Supplier<Dataset<Row>> written = () -> run.readWritten(name);
    ScoreFigures figures = pass.figures(written);
    long rows = figures.rows();
    long inputRows = run.input().rows();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("features", features.names());
    result.put("feature_groups", features.groups().stream().map(g -> g.name()).distinct().toList());
    result.put("rows_scored", rows);
    result.put("rows_skipped_invalid", inputRows - rows);
    Map<String, Long> missing = run.input().missingCategories(features);
    result.put("missing_categories", missing);
    missing.forEach(
        (c, n) ->
            run.warn(
                c
                    + " is missing in "
                    + n
                    + " rows: the pipeline scores them with an all-zero one-hot block (no"
                    + " category)"));
    result.put("outputs", Map.of(name, path));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put("output kind", info.kind().name().toLowerCase(java.util.Locale.ROOT));
    facts.put(
        "features",
        features.size() + " (" + features.source().name().toLowerCase(java.util.Locale.ROOT) + ")");
    facts.put("rows scored", rows);
    facts.put("rows skipped (invalid features)", inputRows - rows);
    List<List<Object>> confusion = null;
    if (in.label != null) {
      String metricName = classifier ? "accuracy" : "rmse";
      double metric = classifier ? figures.accuracy() : figures.rmse();
      result.put(metricName, metric);
      facts.put(metricName + " against " + in.label, metric);
      if (classifier) {
        confusion = classification(run, written, label, classes, model, figures, result, facts);
      }
    }
    facts.put("table", path);
    run.report().section("Score: " + name).keyValues(facts);
    if (confusion != null) {
      List<String> header = new ArrayList<>(List.of(in.label + " (rows) / prediction"));
      for (int i = 0; i < info.outputSize(); i++) {
        header.add(model.outputName(i));
      }
      run.report().section("Confusion matrix of " + name).table(header, confusion);
    }
    List<List<Object>> preview = new ArrayList<>();
    String[] shown = table.columns();
    for (Row r : figures.head()) {
      List<Object> cells = new ArrayList<>();
      for (int i = 0; i < r.length(); i++) {
        Object v = r.get(i);
        cells.add(v instanceof scala.collection.Seq<?> s ? s.mkString("[", ", ", "]") : v);
      }
      preview.add(cells);
    }
    run.report().section("First rows of " + name).table(List.of(shown), preview);
    return result;
  }

  /** Rows shown in the report's first rows of the scored table (gathered by the figures' pass). */
  static final int PREVIEW_ROWS = 10;

  /** Log loss below this probability clamp (MLlib's and scikit-learn's). */
  static final double EPSILON = 1e-15;

  /**
   * A classifier's figures beyond accuracy: the confusion matrix and the log loss of {@code
   * figures}, and for two classes the area under the ROC curve of the probability of class 1
   * ({@link RocArea}: exact, tied scores grouped, the same bits whatever the partitioning).
   *
   * @return the confusion matrix's rows for the report, each led by its class name
   */
  private static List<List<Object>> classification(
      AuditRun run,
      Supplier<Dataset<Row>> written,
      Column labelValue,
      String[] classes,
      LoadedModel model,
      ScoreFigures figures,
      Map<String, Object> result,
      Map<String, Object> facts) {
    ModelInfo info = model.info();
    int k = info.outputSize();
    long[][] confusion = figures.confusion();
    List<List<Long>> matrix = new ArrayList<>();
    for (long[] row : confusion) {
      matrix.add(java.util.Arrays.stream(row).boxed().toList());
    }
    result.put("confusion_matrix", matrix);
    result.put("confusion_labels", info.outputNames());
    if (classes != null) {
      result.put("classes", List.of(classes)); // the label's names, in class order
    }
    if (figures.outside() > 0) {
      run.warn(
          figures.outside()
              + " rows have a label that is not a class index 0.."
              + (k - 1)
              + "; the confusion matrix, log loss and AUC leave them out");
    }
    List<List<Object>> table = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      List<Object> row = new ArrayList<>(List.of(model.outputName(i)));
      for (int j = 0; j < k; j++) {
        row.add(confusion[i][j]);
      }
      table.add(row);
    }
    facts.put("confusion matrix", "below (rows: the label; columns: the prediction)");
    if (figures.lossRows() == 0) {
      return table; // no probabilities, or no row with a class label
    }
    double logLoss = figures.logLoss();
    result.put("log_loss", logLoss);
    facts.put("log loss", logLoss);
    if (k == 2) {
      Column label = labelValue.cast(DataTypes.DoubleType);
      Column inRange = label.geq(0).and(label.lt(k)).and(label.equalTo(floor(label)));
      double auc =
          figures.gatheredScores()
              ? figures.rocArea()
              : RocArea.of(
                  written.get().filter(inRange),
                  element_at(col("probability"), 2),
                  label,
                  figures.rows());
      result.put("auc", auc);
      facts.put("AUC (ROC, class " + model.outputName(1) + ")", auc);
    }
    return table;
  }
}
