package io.trustlens.explain.design;

import io.trustlens.explain.TableStage;
import io.trustlens.explain.shap.TreeEnsemble;
import io.trustlens.feature.BatchedRows;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InternalRows;
import io.trustlens.model.BatchModel;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.MllibModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Appends an MLlib tree model's {@link TreeRules} to a table's rows: {@code rule_leaves} (the leaf
 * each tree sends the row to) and, for a single decision tree, {@code rule} (the row's decision
 * path as a readable rule with its outcome and training count). A pipeline's feature stages run
 * first; the rules use its columns' names and one-hot values.
 */
public final class TreeRulesExplainer extends TableStage<TreeRulesExplainer> {
  private static final long serialVersionUID = 1L;

  /** A stage with a random uid. */
  public TreeRulesExplainer() {
    this(Identifiable$.MODULE$.randomUID("treeRules"));
  }

  /** A stage with {@code uid} (how MLlib copies and loads stages). */
  public TreeRulesExplainer(String uid) {
    super(
        uid, "a saved MLlib DecisionTree, RandomForest or GBT model, or a pipeline of one", "rule");
  }

  // The work.

  /** The model's trees, or an error naming the model when it has none. */
  public TreeEnsemble ensemble() {
    BatchModel m = model().source().open();
    if (!(m instanceof MllibModel mllib)) {
      throw new InvalidModelException(
          "tree_rules reads MLlib DecisionTree, RandomForest and GBT models; "
              + model().info().location()
              + " is "
              + m.info().type());
    }
    try {
      return TreeEnsemble.of(mllib.model());
    } catch (IllegalArgumentException e) {
      throw new InvalidModelException(
          "tree_rules reads MLlib DecisionTree, RandomForest and GBT models, not "
              + m.info().type()
              + " (use linear_terms, lime or kernel)");
    }
  }

  /** The rules of the model over the table {@code schema}. */
  public TreeRules rules(StructType schema) {
    StructType prepared = preparedSchema(schema);
    FeatureSpace space = features(prepared);
    // A label train indexed from class names: rules end in the names ("→ setosa").
    org.apache.spark.ml.feature.StringIndexerModel classes = model().labelIndexer();
    List<String> outputs =
        classes != null && classes.labelsArray()[0].length == model().info().outputSize()
            ? List.of(classes.labelsArray()[0])
            : model().info().outputNames();
    return new TreeRules(ensemble(), space.names(), outputs, labels(space, prepared));
  }

  /** Per slot, the values of a nominal attribute of the features vector (categorical splits). */
  private static String[][] labels(FeatureSpace space, StructType prepared) {
    String[][] labels = new String[space.size()][];
    if (space.source() != FeatureSpace.Source.VECTOR) {
      return labels;
    }
    org.apache.spark.ml.attribute.AttributeGroup group =
        org.apache.spark.ml.attribute.AttributeGroup.fromStructField(
            prepared.apply(space.columns().get(0)));
    if (group.attributes().isEmpty()) {
      return labels;
    }
    org.apache.spark.ml.attribute.Attribute[] attrs = group.attributes().get();
    for (int j = 0; j < Math.min(attrs.length, labels.length); j++) {
      if (attrs[j] instanceof org.apache.spark.ml.attribute.NominalAttribute n
          && n.values().isDefined()) {
        labels[j] = n.values().get();
      }
    }
    return labels;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    Columns.requireId(schema, getIdCol());
    TreeEnsemble trees = ensemble();
    features(preparedSchema(schema));
    String out = getOutputCol();
    List<StructField> added = new ArrayList<>();
    added.add(
        new StructField(
            out + "_leaves",
            DataTypes.createArrayType(DataTypes.IntegerType, false),
            false,
            new MetadataBuilder()
                .putString("method", "tree_rules")
                .putString("model", model().info().location())
                .putLong("trees", trees.trees().length)
                .build()));
    if (trees.trees().length == 1) {
      added.add(DataTypes.createStructField(out, DataTypes.StringType, false));
    }
    return Columns.append(schema, added);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    Dataset<Row> prepared = model().prepare(dataset.toDF());
    FeatureSpace space = features(prepared.schema());
    Plan plan = new Plan(rules(in), space, prepared.schema(), getIdCol());
    StructType appended =
        Columns.append(
            prepared.schema(), Arrays.asList(out.fields()).subList(in.size(), out.size()));
    return Columns.withMetadata(InternalRows.mapPartitions(prepared, appended, plan), out);
  }

  @Override
  public TreeRulesExplainer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  /** Reads a saved stage. */
  public static MLReader<TreeRulesExplainer> read() {
    return new DefaultParamsReader<>();
  }

  /** Loads a saved stage from {@code path}. */
  public static TreeRulesExplainer load(String path) {
    return read().load(path);
  }

  /** What a task needs for its partition: no model call, the trees travel with it. */
  private record Plan(TreeRules rules, FeatureSpace features, StructType schema, String idCol)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      FeatureSpace.Reader reader = features.reader(schema);
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      int trees = rules.trees();
      return BatchedRows.eachRow(
          rows,
          reader,
          idCol,
          idIndex,
          1024,
          x -> {
            int[] leaves = new int[trees];
            for (int t = 0; t < trees; t++) {
              leaves[t] = rules.leaf(t, x);
            }
            return trees == 1
                ? new Object[] {leaves, rules.rule(0, leaves[0])}
                : new Object[] {leaves};
          });
    }
  }
}
