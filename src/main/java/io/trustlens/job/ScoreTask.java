package io.trustlens.job;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.when;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelScorer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The {@code score} task: the input rows with the model's prediction (and class probabilities, and
 * logits) appended; accuracy or RMSE when the spec names a label.
 */
final class ScoreTask implements AuditTask {

  @Override
  public Map<String, Object> run(AuditRun run, AuditSpec.Task task) {
    LoadedModel model = run.model(task.model);
    AuditSpec.Input in = run.spec().input;
    Dataset<Row> table = run.input().table();
    Dataset<Row> prepared = model.prepare(table);
    FeatureSpace features = run.input().features(model, prepared);
    ModelScorer scorer = new ModelScorer(model.source(), features).setOnInvalid(in.onInvalid);
    if (in.id != null) {
      scorer.setIdCol(in.id);
    }
    if (task.batchSize != null) {
      scorer.setBatchSize(task.batchSize);
    }
    String name = task.name != null ? task.name : "predictions";
    String path = run.writeAppended(name, prepared, scorer.transform(prepared));

    Dataset<Row> written = run.readWritten(name);
    long rows = written.count();
    long inputRows = run.input().rows();
    ModelInfo info = model.info();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", task.model);
    result.put("features", features.names());
    result.put("feature_groups", features.groups().stream().map(g -> g.name()).distinct().toList());
    result.put("rows_scored", rows);
    result.put("rows_skipped_invalid", inputRows - rows);
    result.put("outputs", Map.of(name, path));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(task.model) + " (" + info.type() + ")");
    facts.put("output kind", info.kind().name().toLowerCase(java.util.Locale.ROOT));
    facts.put(
        "features",
        features.size() + " (" + features.source().name().toLowerCase(java.util.Locale.ROOT) + ")");
    facts.put("rows scored", rows);
    facts.put("rows skipped (invalid features)", inputRows - rows);
    if (in.label != null) {
      Column label = col("`" + in.label + "`").cast("double");
      double metric;
      String metricName;
      if (info.kind().isClassification()) {
        metricName = "accuracy";
        metric =
            written
                .agg(avg(when(col("prediction").equalTo(label), 1.0).otherwise(0.0)))
                .first()
                .getDouble(0);
      } else {
        metricName = "rmse";
        metric =
            written.agg(sqrt(avg(pow(col("prediction").minus(label), 2)))).first().getDouble(0);
      }
      result.put(metricName, metric);
      facts.put(metricName + " against " + in.label, metric);
    }
    facts.put("table", path);
    run.report().section("Score: " + name).keyValues(facts);
    List<List<Object>> preview = new ArrayList<>();
    String[] shown = written.columns();
    for (Row r : written.limit(10).collectAsList()) {
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
}
