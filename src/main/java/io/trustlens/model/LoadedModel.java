package io.trustlens.model;

import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A model ready to score a table: the feature-engineering stages of a {@code PipelineModel} that
 * run once with {@code transform}, and the final model that scores their vector in the JVM.
 *
 * @param source the final model, to open on executors
 * @param featureStages the pipeline's stages before the final model; empty for a bare model
 * @param featuresCol the vector column the final MLlib model reads; null for TorchScript
 * @param featureColumns the table columns the model declares it reads (a TorchScript card's {@code
 *     features}); empty when it declares none
 */
public record LoadedModel(
    ModelSource source,
    List<Transformer> featureStages,
    String featuresCol,
    List<String> featureColumns) {

  /** What the final model is. */
  public ModelInfo info() {
    return source.info();
  }

  /** Whether a pipeline prefix builds the features from the user's columns. */
  public boolean hasFeatureStages() {
    return !featureStages.isEmpty();
  }

  /** The table with the pipeline's feature columns added (the table itself for a bare model). */
  public Dataset<Row> prepare(Dataset<Row> table) {
    Dataset<Row> out = table;
    for (Transformer stage : featureStages) {
      out = stage.transform(out);
    }
    return out;
  }
}
