package io.trustlens.model;

import io.trustlens.feature.ColumnNames;
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

  /**
   * The table columns the final model's features are built from: walking the stages back from
   * {@link #featuresCol}, the inputs of every stage whose output is needed, less those an earlier
   * stage writes. A stage whose output nothing needs (a label's StringIndexer, which MLlib skips
   * when its column is absent) adds none.
   */
  public List<String> pipelineInputs() {
    if (featuresCol == null) {
      return List.of();
    }
    java.util.Set<String> needed = new java.util.HashSet<>(List.of(featuresCol));
    java.util.Set<String> written = new java.util.HashSet<>();
    for (int i = featureStages.size() - 1; i >= 0; i--) {
      Transformer stage = featureStages.get(i);
      List<String> outputs = columns(stage, "outputCol", "outputCols");
      if (outputs.stream().anyMatch(needed::contains)) {
        needed.addAll(inputs(stage));
      }
      written.addAll(outputs);
    }
    java.util.LinkedHashSet<String> inputs = new java.util.LinkedHashSet<>();
    for (Transformer stage : featureStages) {
      for (String c : inputs(stage)) {
        if (needed.contains(c) && !written.contains(c)) {
          inputs.add(c);
        }
      }
    }
    return List.copyOf(inputs);
  }

  private static List<String> columns(Transformer stage, String one, String many) {
    java.util.List<String> names = new java.util.ArrayList<>();
    if (stage.hasParam(one) && stage.isDefined(stage.getParam(one))) {
      names.add((String) stage.getOrDefault(stage.getParam(one)));
    }
    if (stage.hasParam(many) && stage.isDefined(stage.getParam(many))) {
      names.addAll(List.of((String[]) stage.getOrDefault(stage.getParam(many))));
    }
    return names;
  }

  /**
   * The columns {@code stage} reads: its input parameters, unquoted (Spark 4's stages parse them as
   * attribute names, so a column named {@code a.b} is the input {@code `a.b`}).
   */
  private static List<String> inputs(Transformer stage) {
    return columns(stage, "inputCol", "inputCols").stream().map(ColumnNames::ofStage).toList();
  }

  /** Whether a pipeline prefix builds the features from the user's columns. */
  public boolean hasFeatureStages() {
    return !featureStages.isEmpty();
  }

  /** The table with the pipeline's feature columns added (the table itself for a bare model). */
  public Dataset<Row> prepare(Dataset<Row> table) {
    List<String> have = List.of(table.columns());
    List<String> lacking = pipelineInputs().stream().filter(c -> !have.contains(c)).toList();
    if (!lacking.isEmpty()) {
      throw new io.trustlens.feature.InvalidFeatureException(
          "the model's pipeline reads "
              + (lacking.size() == 1 ? "column " : "columns ")
              + String.join(", ", lacking)
              + ", which the table lacks (it has: "
              + String.join(", ", have)
              + "); was the model trained on another table?");
    }
    Dataset<Row> out = table;
    for (Transformer stage : featureStages) {
      out = stage.transform(out);
    }
    return out;
  }
}
