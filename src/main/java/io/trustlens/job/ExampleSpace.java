package io.trustlens.job;

import io.trustlens.explore.Embedder;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.BatchModel;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.TorchScriptModel;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The rows being explained and the training table's rows, both in the space the example methods
 * compare them in: the features the model reads (a pipeline's assembled vector after its own
 * stages), or a TorchScript method's outputs ({@code embedding}).
 *
 * @param queries the input, prepared (and embedded)
 * @param training the training table, prepared the same way
 * @param vectorCol the vector column compared, or empty when {@code featuresCols} are
 * @param featuresCols the numeric columns compared, when not a vector
 * @param described the space in the user's words, for the summary and report
 */
record ExampleSpace(
    Dataset<Row> queries,
    Dataset<Row> training,
    String vectorCol,
    String[] featuresCols,
    String described) {

  /** The column {@link #of} adds to the queries with the model's prediction when asked. */
  static final String MODEL_PREDICTION = "model_prediction";

  /**
   * Reads the task's training table and puts both tables in the compared space; with {@code
   * predicted}, the queries first get the model's prediction ({@value #MODEL_PREDICTION}: the class
   * index, or the value).
   */
  static ExampleSpace of(
      AuditRun run, ExplainSpec task, LoadedModel model, String method, boolean predicted) {
    AuditSpec.Input in = run.spec().input;
    if (in.id == null || in.label == null) {
      throw new SpecException(
          method
              + " needs --id (examples are named by their ids) and --label (the training table's"
              + " column of labels)");
    }
    Dataset<Row> raw = ExplainTask.referenceTable(run, task.examples, "examples", true);
    for (String c : List.of(in.id, in.label)) {
      if (raw.schema().getFieldIndex(c).isEmpty()) {
        throw new SpecException(
            "the examples table " + task.examples + " has no column '" + c + "'");
      }
    }
    Dataset<Row> queries = run.input().prepare(model);
    // Prototype attention averages the labels as the model's class indices; nearest examples
    // name theirs as the table does.
    Dataset<Row> training =
        model.prepare(
            predicted
                ? run.input().withClassIndices(raw, model, "the examples table " + task.examples)
                : raw);
    FeatureSpace features = run.input().features(model, queries);
    if (predicted) {
      queries =
          new io.trustlens.model.ModelScorer(model.source(), features)
              .setIdCol(in.id)
              .setPredictionCol(MODEL_PREDICTION)
              .setProbabilityCol("_scored_probability")
              .setLogitsCol("_scored_logits")
              .transform(queries);
      for (String c : List.of("_scored_probability", "_scored_logits")) {
        queries = queries.drop(c);
      }
    }
    if (task.embedding != null) {
      BatchModel opened = model.source().open();
      if (!(opened instanceof TorchScriptModel torch)) {
        throw new SpecException(
            "embedding '"
                + task.embedding
                + "' asks a TorchScript method, but "
                + model.info().location()
                + " is "
                + model.info().type());
      }
      List<String> methods = torch.card().methods();
      if (!task.embedding.equals("forward") && !methods.contains(task.embedding)) {
        throw new SpecException(
            model.info().location()
                + " exports no method '"
                + task.embedding
                + "'; its card lists "
                + methods
                + " (and forward)");
      }
      Embedder embedder =
          new Embedder(model.source(), features).setMethod(task.embedding).setIdCol(in.id);
      int width = embedder.width();
      return new ExampleSpace(
          embedder.transform(queries),
          embedder.transform(training),
          "embedding",
          new String[0],
          "outputs of " + task.embedding + " (" + width + " values)");
    }
    return switch (features.source()) {
      case VECTOR ->
          new ExampleSpace(
              queries,
              training,
              features.columns().get(0),
              new String[0],
              "the " + features.size() + " features the model reads");
      case COLUMNS ->
          new ExampleSpace(
              queries,
              training,
              "",
              features.columns().toArray(new String[0]),
              "the " + features.size() + " feature columns");
      default ->
          throw new SpecException(
              method
                  + " compares table rows; for images give --embedding, a TorchScript method"
                  + " whose outputs rows are compared in");
    };
  }
}
