package io.trustlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustlens.model.SavedFiles.UnexpectedLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.tree.DecisionTreeModelReadWrite;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.json4s.JString;
import org.json4s.JValue;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Saved decision tree, random forest and GBT models (classification and regression) read on the
 * driver for {@link SavedMllibReader}, as Spark 4.2's readers build them: each tree from its node
 * rows by MLlib's {@code DecisionTreeModelReadWrite.buildTreeFromNodes} (with the impurity the
 * model's metadata names), an ensemble's trees in {@code treeID} order with their own metadata and
 * weights, and the model classes' constructors and {@code getAndSetParams} as those readers call
 * them (a GBT classifier's {@code impurity} skipped, as MLlib skips it).
 */
final class SavedTrees {
  private SavedTrees() {}

  /** A GBT classifier or regressor saved at {@code dir} ({@code extra}: its metadata's JSON). */
  static Object gbt(
      SavedFiles files,
      Class<?> type,
      Path dir,
      DefaultParamsReader.Metadata metadata,
      JsonNode extra)
      throws IOException, UnexpectedLayout {
    int numFeatures = SavedFiles.integer(extra, "numFeatures");
    Ensemble ensemble = ensemble(files, dir, metadata, DecisionTreeRegressionModel.class.getName());
    checkTrees(extra, ensemble);
    DecisionTreeRegressionModel[] trees = regressionTrees(ensemble, numFeatures);
    if (type == GBTClassificationModel.class) {
      var model = new GBTClassificationModel(metadata.uid(), trees, ensemble.weights, numFeatures);
      // As MLlib's reader: a GBT classifier's impurity was once saved wrongly (SPARK-25959).
      metadata.getAndSetParams(model, Option.apply(scalaList("impurity")));
      return model;
    }
    return withParams(
        metadata, new GBTRegressionModel(metadata.uid(), trees, ensemble.weights, numFeatures));
  }

  /** A random forest classifier or regressor saved at {@code dir}. */
  static Object forest(
      SavedFiles files,
      Class<?> type,
      Path dir,
      DefaultParamsReader.Metadata metadata,
      JsonNode extra)
      throws IOException, UnexpectedLayout {
    int numFeatures = SavedFiles.integer(extra, "numFeatures");
    if (type == RandomForestRegressionModel.class) {
      Ensemble ensemble =
          ensemble(files, dir, metadata, DecisionTreeRegressionModel.class.getName());
      checkTrees(extra, ensemble);
      return withParams(
          metadata,
          new RandomForestRegressionModel(
              metadata.uid(), regressionTrees(ensemble, numFeatures), numFeatures));
    }
    int numClasses = SavedFiles.integer(extra, "numClasses");
    Ensemble ensemble =
        ensemble(files, dir, metadata, DecisionTreeClassificationModel.class.getName());
    checkTrees(extra, ensemble);
    DecisionTreeClassificationModel[] trees =
        ensemble.trees(
            DecisionTreeClassificationModel[]::new,
            (uid, root) -> new DecisionTreeClassificationModel(uid, root, numFeatures, numClasses));
    return withParams(
        metadata,
        new RandomForestClassificationModel(metadata.uid(), trees, numFeatures, numClasses));
  }

  /** A decision tree classifier or regressor saved at {@code dir}. */
  static Object tree(
      SavedFiles files,
      Class<?> type,
      Path dir,
      DefaultParamsReader.Metadata metadata,
      JsonNode extra)
      throws IOException, UnexpectedLayout {
    int numFeatures = SavedFiles.integer(extra, "numFeatures");
    String impurity = impurity(metadata);
    List<DecisionTreeModelReadWrite.NodeData> nodes = new ArrayList<>();
    for (Group row : files.parquet(new Path(dir, "data"))) {
      nodes.add(node(row));
    }
    Node root = build(nodes, impurity);
    if (type == DecisionTreeRegressionModel.class) {
      return withParams(
          metadata, new DecisionTreeRegressionModel(metadata.uid(), root, numFeatures));
    }
    return withParams(
        metadata,
        new DecisionTreeClassificationModel(
            metadata.uid(), root, numFeatures, SavedFiles.integer(extra, "numClasses")));
  }

  /** An ensemble's trees in {@code treeID} order: each tree's metadata, root and weight. */
  private record Ensemble(
      List<DefaultParamsReader.Metadata> metadata, List<Node> roots, double[] weights) {

    /** Each tree as a model made from its uid and root, with its own metadata's params. */
    <T extends Params> T[] trees(IntFunction<T[]> array, BiFunction<String, Node, T> model) {
      T[] trees = array.apply(roots.size());
      for (int t = 0; t < trees.length; t++) {
        trees[t] = withParams(metadata.get(t), model.apply(metadata.get(t).uid(), roots.get(t)));
      }
      return trees;
    }
  }

  /** {@code model} with the params its {@code metadata} saved, as MLlib's readers set them. */
  private static <T extends Params> T withParams(DefaultParamsReader.Metadata metadata, T model) {
    metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
    return model;
  }

  private static Ensemble ensemble(
      SavedFiles files, Path dir, DefaultParamsReader.Metadata metadata, String treeClass)
      throws IOException, UnexpectedLayout {
    String impurity = impurity(metadata);
    TreeMap<Integer, Group> treeRows = new TreeMap<>();
    for (Group row : files.parquet(new Path(dir, "treesMetadata"))) {
      checkTreeRow(row.getType());
      if (treeRows.put(row.getInteger(0, 0), row) != null) {
        throw new UnexpectedLayout("a tree's metadata twice");
      }
    }
    Map<Integer, List<DecisionTreeModelReadWrite.NodeData>> nodes = new TreeMap<>();
    for (Group row : files.parquet(new Path(dir, "data"))) {
      nodes
          .computeIfAbsent(row.getInteger("treeID", 0), t -> new ArrayList<>())
          .add(node(row.getGroup("nodeData", 0)));
    }
    if (!nodes.keySet().equals(treeRows.keySet())) {
      throw new UnexpectedLayout("trees without nodes, or nodes without a tree");
    }
    List<DefaultParamsReader.Metadata> treeMetadata = new ArrayList<>();
    List<Node> roots = new ArrayList<>();
    double[] weights = new double[treeRows.size()];
    int t = 0;
    for (var e : treeRows.entrySet()) {
      Group row = e.getValue();
      treeMetadata.add(SavedFiles.parse(row.getString(1, 0), treeClass));
      weights[t++] = row.getDouble(2, 0);
      roots.add(build(nodes.get(e.getKey()), impurity));
    }
    return new Ensemble(treeMetadata, roots, weights);
  }

  /**
   * A row of {@code treesMetadata/}: Spark 4.2 writes (tree id, metadata, weight) as a tuple's
   * {@code _1, _2, _3} (earlier versions named them {@code treeID, metadata, weights}) and reads
   * them back by position, as this does.
   */
  private static void checkTreeRow(GroupType type) throws UnexpectedLayout {
    boolean laidOut =
        type.getFieldCount() == 3
            && isPrimitive(type, 0, PrimitiveTypeName.INT32)
            && isPrimitive(type, 1, PrimitiveTypeName.BINARY)
            && isPrimitive(type, 2, PrimitiveTypeName.DOUBLE);
    if (!laidOut) {
      throw new UnexpectedLayout("treesMetadata is not (int, string, double)");
    }
  }

  private static boolean isPrimitive(GroupType type, int i, PrimitiveTypeName name) {
    return type.getType(i).isPrimitive()
        && type.getType(i).asPrimitiveType().getPrimitiveTypeName() == name;
  }

  private static void checkTrees(JsonNode extra, Ensemble ensemble) throws UnexpectedLayout {
    if (SavedFiles.integer(extra, "numTrees") != ensemble.roots.size()) {
      throw new UnexpectedLayout("numTrees differs from the trees saved");
    }
  }

  private static DecisionTreeRegressionModel[] regressionTrees(Ensemble ensemble, int numFeatures) {
    return ensemble.trees(
        DecisionTreeRegressionModel[]::new,
        (uid, root) -> new DecisionTreeRegressionModel(uid, root, numFeatures));
  }

  private static Node build(List<DecisionTreeModelReadWrite.NodeData> nodes, String impurity) {
    return DecisionTreeModelReadWrite.buildTreeFromNodes(
        nodes.toArray(new DecisionTreeModelReadWrite.NodeData[0]), impurity);
  }

  /** One node row as MLlib's {@code NodeData}. */
  private static DecisionTreeModelReadWrite.NodeData node(Group g) throws UnexpectedLayout {
    Group split = g.getGroup("split", 0);
    return new DecisionTreeModelReadWrite.NodeData(
        g.getInteger("id", 0),
        g.getDouble("prediction", 0),
        g.getDouble("impurity", 0),
        SavedFiles.doubles(g, "impurityStats"),
        g.getLong("rawCount", 0),
        g.getDouble("gain", 0),
        g.getInteger("leftChild", 0),
        g.getInteger("rightChild", 0),
        new DecisionTreeModelReadWrite.SplitData(
            split.getInteger("featureIndex", 0),
            SavedFiles.doubles(split, "leftCategoriesOrThreshold"),
            split.getInteger("numCategories", 0)));
  }

  private static String impurity(DefaultParamsReader.Metadata metadata) throws UnexpectedLayout {
    JValue value = metadata.getParamValue("impurity");
    if (!(value instanceof JString s)) {
      throw new UnexpectedLayout("impurity is not a string");
    }
    return s.s();
  }

  private static scala.collection.immutable.List<String> scalaList(String... values) {
    return CollectionConverters.asScala(Arrays.asList(values)).toList();
  }
}
