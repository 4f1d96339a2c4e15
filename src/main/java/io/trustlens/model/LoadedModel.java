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
    java.util.Set<String> needed = needed();
    java.util.Set<String> written = new java.util.HashSet<>();
    for (Transformer stage : featureStages) {
      written.addAll(columns(stage, "outputCol", "outputCols"));
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

  /**
   * The columns the final model's features are built from, walking the stages back from {@link
   * #featuresCol}: it, and the inputs of every stage whose output is needed.
   */
  private java.util.Set<String> needed() {
    java.util.Set<String> needed = new java.util.HashSet<>();
    if (featuresCol == null) {
      return needed;
    }
    needed.add(featuresCol);
    for (int i = featureStages.size() - 1; i >= 0; i--) {
      Transformer stage = featureStages.get(i);
      if (columns(stage, "outputCol", "outputCols").stream().anyMatch(needed::contains)) {
        needed.addAll(inputs(stage));
      }
    }
    return needed;
  }

  /**
   * The stage that indexes the label's class names, or null: a {@code StringIndexerModel} of one
   * column whose output the features of a classifier do not need ({@code train} puts one first for
   * a string label; MLlib's own examples index the label so). {@link #prepare} does not run it: the
   * run compares the label's names with the model's classes itself.
   */
  public org.apache.spark.ml.feature.StringIndexerModel labelIndexer() {
    return featureStages.isEmpty() || !info().kind().isClassification() ? null : unneededIndexer();
  }

  /** A {@code StringIndexerModel} of one column whose output the features do not need, or null. */
  private org.apache.spark.ml.feature.StringIndexerModel unneededIndexer() {
    java.util.Set<String> needed = needed();
    for (Transformer stage : featureStages) {
      if (stage instanceof org.apache.spark.ml.feature.StringIndexerModel indexer
          && indexer.labelsArray().length == 1
          && inputs(stage).size() == 1
          && columns(stage, "outputCol", "outputCols").stream().noneMatch(needed::contains)) {
        return indexer;
      }
    }
    return null;
  }

  /**
   * The class names, in the order of the final model's class indices, of the table column {@code
   * label} when the pipeline indexes it ({@link #labelIndexer}), else null.
   */
  public String[] classNames(String label) {
    org.apache.spark.ml.feature.StringIndexerModel indexer = labelIndexer();
    return indexer != null && inputs(indexer).get(0).equals(label)
        ? indexer.labelsArray()[0]
        : null;
  }

  /**
   * The output a user names as {@code target}: a class name of the pipeline's label ({@link
   * #labelIndexer}) as its class index, anything else as given (an output name, an index, {@code
   * auto}, {@code predicted}, {@code all}).
   */
  public String target(String target) {
    org.apache.spark.ml.feature.StringIndexerModel indexer = labelIndexer();
    if (indexer == null) {
      return target;
    }
    String[] classes = indexer.labelsArray()[0];
    int k = List.of(classes).indexOf(target);
    if (k >= 0) {
      return String.valueOf(k);
    }
    if (!List.of(ModelInfo.AUTO, "predicted", "all").contains(target)
        && !info().outputNames().contains(target)
        && !target.matches("[0-9]+")) {
      throw new IllegalArgumentException(
          "unknown target '"
              + target
              + "'; the model's classes are "
              + String.join(", ", classes)
              + ColumnNames.didYouMean(target, classes)
              + " (give a class name, an output name "
              + info().outputNames()
              + ", an index 0.."
              + (info().outputSize() - 1)
              + ", predicted or auto)");
    }
    return target;
  }

  /**
   * Output {@code k}'s name, with its class name when the pipeline indexed the label's names
   * ({@code class_2 (virginica)}).
   */
  public String outputName(int k) {
    String name = info().outputNames().get(k);
    org.apache.spark.ml.feature.StringIndexerModel indexer = labelIndexer();
    return indexer == null || k >= indexer.labelsArray()[0].length
        ? name
        : name + " (" + indexer.labelsArray()[0][k] + ")";
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

  /**
   * The table with the pipeline's feature columns added (the table itself for a bare model); a
   * string indexer whose output the features do not need, as the label's ({@link #labelIndexer}),
   * is not run.
   */
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
    Transformer label = unneededIndexer();
    for (Transformer stage : featureStages) {
      out = stage == label ? out : stage.transform(out);
    }
    return out;
  }
}
