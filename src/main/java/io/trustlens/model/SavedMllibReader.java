package io.trustlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.MatrixUDT;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.LinearRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.tree.DecisionTreeModelReadWrite;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLAllowListedLoader;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.util.VersionUtils;
import org.json4s.JString;
import org.json4s.JValue;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Reads a saved MLlib model on the driver, without a Spark job: the pipeline's and each stage's
 * {@code metadata/} as a text file, a tree model's {@code treesMetadata/} and {@code data/} Parquet
 * files with Parquet's own reader. MLlib's loader starts two small Spark jobs per metadata file (a
 * pipeline reads each stage's twice) and two per Parquet folder; on a small table those jobs, not
 * the model, are the load's seconds.
 *
 * <p>What is built is what MLlib's readers build, through MLlib's own code: {@code
 * DefaultParamsReader.parseMetadata} for the metadata, {@code Metadata.getAndSetParams} for every
 * param (skipping what each reader skips: a GBT classifier's {@code impurity}), {@code
 * DecisionTreeModelReadWrite.buildTreeFromNodes} for each tree from its node rows, and the model
 * classes' constructors as the readers of Spark 4.2 call them, trees in their {@code treeID} order.
 * Known: {@code PipelineModel}, the stages MLlib itself reads from their params alone (its {@code
 * DefaultParamsReader}: {@code VectorAssembler}, {@code Tokenizer}, {@code HashingTF}, ...), {@code
 * StringIndexerModel}, {@code OneHotEncoderModel}, {@code CountVectorizerModel}, logistic and
 * linear regression (those saved by Spark 3 or later), and the decision tree, random forest and GBT
 * models (classification and regression): every pipeline {@code train} saves. A pipeline's other
 * stages are read by their own MLlib reader; a model this class does not know, or any file it
 * cannot read as it expects (a legacy layout, several metadata parts, a missing column), returns
 * null, and MLlib's loader reads the whole model as before (with MLlib's own errors).
 *
 * <p>Invariant (pinned by {@code SavedMllibReaderTest} on many random models): the model read here
 * equals MLlib's load in its class, uid, every param, an indexer's labels, an encoder's category
 * counts, tree weights and every node (split, threshold or categories, prediction, impurity, gain,
 * statistics and counts), so it transforms a table to the same bits.
 */
public final class SavedMllibReader {
  /** A Spark setting: {@code false} leaves every saved model to MLlib's loader. */
  public static final String ENABLED = "spark.trustlens.readModelsOnDriver";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FileSystem fs;
  private final Configuration conf;

  /** A reader of models on {@code fs}, with {@code conf} for Parquet. */
  public SavedMllibReader(FileSystem fs, Configuration conf) {
    this.fs = fs;
    this.conf = conf;
  }

  /** Thrown where a saved model is not laid out as this class expects: MLlib reads it instead. */
  private static final class Unexpected extends Exception {
    Unexpected(String what) {
      super(what, null, false, false);
    }
  }

  /**
   * The model saved at {@code dir}, or null when this class does not read it (then MLlib's loader
   * should).
   */
  public Object read(Path dir) {
    try {
      return readTop(dir);
    } catch (Unexpected | IOException | RuntimeException e) {
      return null;
    }
  }

  private Object readTop(Path dir) throws IOException, Unexpected {
    String line = metadataLine(dir);
    String className = JSON.readTree(line).path("class").asText();
    if (className.equals(PipelineModel.class.getName())) {
      return pipeline(dir, line);
    }
    Object model = stage(dir, line);
    if (model == null) {
      throw new Unexpected("not read here: " + className);
    }
    return model;
  }

  private PipelineModel pipeline(Path dir, String line) throws IOException, Unexpected {
    DefaultParamsReader.Metadata metadata = parse(line, PipelineModel.class.getName());
    JsonNode uids = JSON.readTree(line).path("paramMap").path("stageUids");
    if (!uids.isArray()) {
      throw new Unexpected("no stageUids");
    }
    int n = uids.size();
    String format = "%0" + Integer.toString(n).length() + "d_%s";
    Transformer[] stages = new Transformer[n];
    for (int i = 0; i < n; i++) {
      Path stageDir =
          new Path(new Path(dir, "stages"), String.format(format, i, uids.get(i).asText()));
      String stageLine = metadataLine(stageDir);
      Object stage = stage(stageDir, stageLine);
      if (stage == null) {
        stage = mllibLoad(JSON.readTree(stageLine).path("class").asText(), stageDir);
      }
      if (!(stage instanceof Transformer t)) {
        throw new Unexpected("stage " + i + " is not a Transformer");
      }
      stages[i] = t;
    }
    return new PipelineModel(metadata.uid(), stages);
  }

  /** One stage read here, or null when its class is not one this class reads. */
  private Object stage(Path dir, String line) throws IOException, Unexpected {
    JsonNode extra = JSON.readTree(line);
    String className = extra.path("class").asText();
    Class<?> type = MLAllowListedLoader.load(className);
    DefaultParamsReader.Metadata metadata = parse(line, className);
    if (type == GBTClassificationModel.class || type == GBTRegressionModel.class) {
      return gbt(type, dir, metadata, extra);
    }
    if (type == RandomForestClassificationModel.class
        || type == RandomForestRegressionModel.class) {
      return forest(type, dir, metadata, extra);
    }
    if (type == DecisionTreeClassificationModel.class
        || type == DecisionTreeRegressionModel.class) {
      return tree(type, dir, metadata, extra);
    }
    if (type == StringIndexerModel.class
        || type == OneHotEncoderModel.class
        || type == CountVectorizerModel.class) {
      return encoder(type, dir, metadata);
    }
    if (type == LogisticRegressionModel.class || type == LinearRegressionModel.class) {
      return linear(type, dir, metadata);
    }
    Object reader;
    try {
      reader = type.getMethod("read").invoke(null);
    } catch (ReflectiveOperationException e) {
      return null;
    }
    if (!(reader instanceof DefaultParamsReader<?>)) {
      return null;
    }
    try {
      Params instance = (Params) type.getConstructor(String.class).newInstance(metadata.uid());
      metadata.getAndSetParams(instance, metadata.getAndSetParams$default$2());
      return instance;
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  /**
   * A string indexer (its labels per input column; saved by Spark 3 or later), a one-hot encoder
   * (its category counts) or a count vectorizer (its vocabulary): MLlib saves each as one row of
   * {@code data/}.
   */
  private Object encoder(Class<?> type, Path dir, DefaultParamsReader.Metadata metadata)
      throws IOException, Unexpected {
    List<Group> rows = parquet(new Path(dir, "data"));
    if (rows.size() != 1) {
      throw new Unexpected("not one row of data");
    }
    Params model;
    if (type == OneHotEncoderModel.class) {
      model = new OneHotEncoderModel(metadata.uid(), integers(rows.get(0), "categorySizes"));
    } else if (type == CountVectorizerModel.class) {
      model = new CountVectorizerModel(metadata.uid(), strings(rows.get(0), "vocabulary"));
    } else if (VersionUtils.majorVersion(metadata.sparkVersion()) >= 3) {
      model = new StringIndexerModel(metadata.uid(), stringArrays(rows.get(0), "labelsArray"));
    } else {
      throw new Unexpected("a string indexer saved before Spark 3");
    }
    metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
    return model;
  }

  /**
   * A logistic regression (coefficient matrix, intercept vector, classes, multinomial or not) or a
   * linear regression (intercept, coefficients, Huber scale), saved by Spark 3 or later as one row
   * of {@code data/}; vectors and matrices decoded by MLlib's own {@code VectorUDT} and {@code
   * MatrixUDT}.
   */
  private Object linear(Class<?> type, Path dir, DefaultParamsReader.Metadata metadata)
      throws IOException, Unexpected {
    if (VersionUtils.majorVersion(metadata.sparkVersion()) < 3) {
      throw new Unexpected("a linear model saved before Spark 3");
    }
    List<Group> rows = parquet(new Path(dir, "data"));
    if (rows.size() != 1) {
      throw new Unexpected("not one row of data");
    }
    Group row = rows.get(0);
    Params model;
    if (type == LogisticRegressionModel.class) {
      Matrix coefficients = new MatrixUDT().deserialize(udt(row, "coefficientMatrix"));
      Vector intercepts = new VectorUDT().deserialize(udt(row, "interceptVector"));
      model =
          new LogisticRegressionModel(
              metadata.uid(),
              coefficients,
              intercepts,
              row.getInteger("numClasses", 0),
              row.getBoolean("isMultinomial", 0));
    } else {
      model =
          new LinearRegressionModel(
              metadata.uid(),
              new VectorUDT().deserialize(udt(row, "coefficients")),
              row.getDouble("intercept", 0),
              row.getDouble("scale", 0));
    }
    metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
    return model;
  }

  /**
   * A vector's or matrix's struct as Spark's row: bytes (8-bit integers), integers, booleans and
   * arrays of integers or doubles, a missing optional field as null.
   */
  private static InternalRow udt(Group row, String field) throws Unexpected {
    if (row.getFieldRepetitionCount(field) != 1) {
      throw new Unexpected(field + " is null");
    }
    Group g = row.getGroup(field, 0);
    GroupType type = g.getType();
    Object[] values = new Object[type.getFieldCount()];
    for (int i = 0; i < values.length; i++) {
      if (g.getFieldRepetitionCount(i) == 0) {
        continue;
      }
      org.apache.parquet.schema.Type t = type.getType(i);
      if (!t.isPrimitive()) {
        List<Group> elements = elements(g, i);
        if (isDoubles(t)) {
          double[] d = new double[elements.size()];
          for (int k = 0; k < d.length; k++) {
            d[k] = elements.get(k).getDouble(0, 0);
          }
          values[i] = new GenericArrayData(d);
        } else {
          int[] n = new int[elements.size()];
          for (int k = 0; k < n.length; k++) {
            n[k] = elements.get(k).getInteger(0, 0);
          }
          values[i] = new GenericArrayData(n);
        }
        continue;
      }
      values[i] =
          switch (t.asPrimitiveType().getPrimitiveTypeName()) {
            case BOOLEAN -> g.getBoolean(i, 0);
            case INT32 ->
                t.getLogicalTypeAnnotation()
                            instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation a
                        && a.getBitWidth() == 8
                    ? (Object) (byte) g.getInteger(i, 0)
                    : (Object) g.getInteger(i, 0);
            default -> throw new Unexpected(field + "." + type.getFieldName(i) + " is unexpected");
          };
    }
    return new GenericInternalRow(values);
  }

  /** Whether a LIST group's elements are doubles. */
  private static boolean isDoubles(org.apache.parquet.schema.Type list) {
    org.apache.parquet.schema.Type element = list.asGroupType().getType(0);
    return !element.isPrimitive()
        && element.asGroupType().getType(0).isPrimitive()
        && element.asGroupType().getType(0).asPrimitiveType().getPrimitiveTypeName()
            == PrimitiveTypeName.DOUBLE;
  }

  private Object gbt(Class<?> type, Path dir, DefaultParamsReader.Metadata metadata, JsonNode extra)
      throws IOException, Unexpected {
    int numFeatures = integer(extra, "numFeatures");
    Ensemble ensemble = ensemble(dir, metadata, DecisionTreeRegressionModel.class.getName());
    checkTrees(extra, ensemble);
    DecisionTreeRegressionModel[] trees = regressionTrees(ensemble, numFeatures);
    if (type == GBTClassificationModel.class) {
      var model = new GBTClassificationModel(metadata.uid(), trees, ensemble.weights, numFeatures);
      // As MLlib's reader: a GBT classifier's impurity was once saved wrongly (SPARK-25959).
      metadata.getAndSetParams(model, Option.apply(scalaList("impurity")));
      return model;
    }
    var model = new GBTRegressionModel(metadata.uid(), trees, ensemble.weights, numFeatures);
    metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
    return model;
  }

  private Object forest(
      Class<?> type, Path dir, DefaultParamsReader.Metadata metadata, JsonNode extra)
      throws IOException, Unexpected {
    int numFeatures = integer(extra, "numFeatures");
    if (type == RandomForestRegressionModel.class) {
      Ensemble ensemble = ensemble(dir, metadata, DecisionTreeRegressionModel.class.getName());
      checkTrees(extra, ensemble);
      var model =
          new RandomForestRegressionModel(
              metadata.uid(), regressionTrees(ensemble, numFeatures), numFeatures);
      metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
      return model;
    }
    int numClasses = integer(extra, "numClasses");
    Ensemble ensemble = ensemble(dir, metadata, DecisionTreeClassificationModel.class.getName());
    checkTrees(extra, ensemble);
    int k = ensemble.roots.size();
    DecisionTreeClassificationModel[] trees = new DecisionTreeClassificationModel[k];
    for (int t = 0; t < k; t++) {
      DefaultParamsReader.Metadata m = ensemble.metadata.get(t);
      trees[t] =
          new DecisionTreeClassificationModel(
              m.uid(), ensemble.roots.get(t), numFeatures, numClasses);
      m.getAndSetParams(trees[t], m.getAndSetParams$default$2());
    }
    var model = new RandomForestClassificationModel(metadata.uid(), trees, numFeatures, numClasses);
    metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
    return model;
  }

  private Object tree(
      Class<?> type, Path dir, DefaultParamsReader.Metadata metadata, JsonNode extra)
      throws IOException, Unexpected {
    int numFeatures = integer(extra, "numFeatures");
    String impurity = impurity(metadata);
    List<DecisionTreeModelReadWrite.NodeData> nodes = new ArrayList<>();
    for (Group row : parquet(new Path(dir, "data"))) {
      nodes.add(node(row));
    }
    Node root = build(nodes, impurity);
    if (type == DecisionTreeRegressionModel.class) {
      var model = new DecisionTreeRegressionModel(metadata.uid(), root, numFeatures);
      metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
      return model;
    }
    var model =
        new DecisionTreeClassificationModel(
            metadata.uid(), root, numFeatures, integer(extra, "numClasses"));
    metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
    return model;
  }

  /** An ensemble's trees in {@code treeID} order: each tree's metadata, root and weight. */
  private record Ensemble(
      List<DefaultParamsReader.Metadata> metadata, List<Node> roots, double[] weights) {}

  private Ensemble ensemble(Path dir, DefaultParamsReader.Metadata metadata, String treeClass)
      throws IOException, Unexpected {
    String impurity = impurity(metadata);
    TreeMap<Integer, Group> treeRows = new TreeMap<>();
    for (Group row : parquet(new Path(dir, "treesMetadata"))) {
      checkTreeRow(row.getType());
      if (treeRows.put(row.getInteger(0, 0), row) != null) {
        throw new Unexpected("a tree's metadata twice");
      }
    }
    Map<Integer, List<DecisionTreeModelReadWrite.NodeData>> nodes = new TreeMap<>();
    for (Group row : parquet(new Path(dir, "data"))) {
      nodes
          .computeIfAbsent(row.getInteger("treeID", 0), t -> new ArrayList<>())
          .add(node(row.getGroup("nodeData", 0)));
    }
    if (!nodes.keySet().equals(treeRows.keySet())) {
      throw new Unexpected("trees without nodes, or nodes without a tree");
    }
    List<DefaultParamsReader.Metadata> treeMetadata = new ArrayList<>();
    List<Node> roots = new ArrayList<>();
    double[] weights = new double[treeRows.size()];
    int t = 0;
    for (var e : treeRows.entrySet()) {
      Group row = e.getValue();
      treeMetadata.add(parse(row.getString(1, 0), treeClass));
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
  private static void checkTreeRow(GroupType type) throws Unexpected {
    boolean laidOut =
        type.getFieldCount() == 3
            && isPrimitive(type, 0, PrimitiveTypeName.INT32)
            && isPrimitive(type, 1, PrimitiveTypeName.BINARY)
            && isPrimitive(type, 2, PrimitiveTypeName.DOUBLE);
    if (!laidOut) {
      throw new Unexpected("treesMetadata is not (int, string, double)");
    }
  }

  private static boolean isPrimitive(GroupType type, int i, PrimitiveTypeName name) {
    return type.getType(i).isPrimitive()
        && type.getType(i).asPrimitiveType().getPrimitiveTypeName() == name;
  }

  private static void checkTrees(JsonNode extra, Ensemble ensemble) throws Unexpected {
    if (integer(extra, "numTrees") != ensemble.roots.size()) {
      throw new Unexpected("numTrees differs from the trees saved");
    }
  }

  private static DecisionTreeRegressionModel[] regressionTrees(Ensemble ensemble, int numFeatures) {
    int k = ensemble.roots.size();
    DecisionTreeRegressionModel[] trees = new DecisionTreeRegressionModel[k];
    for (int t = 0; t < k; t++) {
      DefaultParamsReader.Metadata m = ensemble.metadata.get(t);
      trees[t] = new DecisionTreeRegressionModel(m.uid(), ensemble.roots.get(t), numFeatures);
      m.getAndSetParams(trees[t], m.getAndSetParams$default$2());
    }
    return trees;
  }

  private static Node build(List<DecisionTreeModelReadWrite.NodeData> nodes, String impurity) {
    return DecisionTreeModelReadWrite.buildTreeFromNodes(
        nodes.toArray(new DecisionTreeModelReadWrite.NodeData[0]), impurity);
  }

  /** One node row as MLlib's {@code NodeData}. */
  private static DecisionTreeModelReadWrite.NodeData node(Group g) throws Unexpected {
    Group split = g.getGroup("split", 0);
    return new DecisionTreeModelReadWrite.NodeData(
        g.getInteger("id", 0),
        g.getDouble("prediction", 0),
        g.getDouble("impurity", 0),
        doubles(g, "impurityStats"),
        g.getLong("rawCount", 0),
        g.getDouble("gain", 0),
        g.getInteger("leftChild", 0),
        g.getInteger("rightChild", 0),
        new DecisionTreeModelReadWrite.SplitData(
            split.getInteger("featureIndex", 0),
            doubles(split, "leftCategoriesOrThreshold"),
            split.getInteger("numCategories", 0)));
  }

  /** An array column of doubles (no nulls). */
  private static double[] doubles(Group g, String field) throws Unexpected {
    List<Group> elements = elements(g, field);
    double[] values = new double[elements.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = elements.get(i).getDouble(0, 0);
    }
    return values;
  }

  /** An array column of integers (no nulls). */
  private static int[] integers(Group g, String field) throws Unexpected {
    List<Group> elements = elements(g, field);
    int[] values = new int[elements.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = elements.get(i).getInteger(0, 0);
    }
    return values;
  }

  /** An array column of strings (no nulls), as a count vectorizer's vocabulary. */
  private static String[] strings(Group g, String field) throws Unexpected {
    List<Group> elements = elements(g, field);
    String[] values = new String[elements.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = elements.get(i).getString(0, 0);
    }
    return values;
  }

  /** An array column of arrays of strings (no nulls), as a string indexer's labels. */
  private static String[][] stringArrays(Group g, String field) throws Unexpected {
    List<Group> outer = elements(g, field);
    String[][] values = new String[outer.size()][];
    for (int i = 0; i < values.length; i++) {
      List<Group> inner = elements(outer.get(i), 0);
      values[i] = new String[inner.size()];
      for (int k = 0; k < inner.size(); k++) {
        values[i][k] = inner.get(k).getString(0, 0);
      }
    }
    return values;
  }

  private static List<Group> elements(Group g, String field) throws Unexpected {
    return elements(g, g.getType().getFieldIndex(field));
  }

  /**
   * The elements of array column {@code field} of {@code g}, as Spark writes arrays: a LIST group
   * whose repeated group holds one value each (its field 0). Throws for a null array or value.
   */
  private static List<Group> elements(Group g, int field) throws Unexpected {
    String name = g.getType().getFieldName(field);
    if (g.getFieldRepetitionCount(field) != 1) {
      throw new Unexpected(name + " is null");
    }
    Group list = g.getGroup(field, 0);
    GroupType type = list.getType();
    if (type.getFieldCount() != 1 || type.getType(0).isPrimitive()) {
      throw new Unexpected(name + " is not a three-level list");
    }
    int n = list.getFieldRepetitionCount(0);
    List<Group> elements = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Group element = list.getGroup(0, i);
      if (element.getType().getFieldCount() != 1 || element.getFieldRepetitionCount(0) != 1) {
        throw new Unexpected(name + " holds a null");
      }
      elements.add(element);
    }
    return elements;
  }

  private static String impurity(DefaultParamsReader.Metadata metadata) throws Unexpected {
    JValue value = metadata.getParamValue("impurity");
    if (!(value instanceof JString s)) {
      throw new Unexpected("impurity is not a string");
    }
    return s.s();
  }

  private static int integer(JsonNode extra, String key) throws Unexpected {
    JsonNode value = extra.get(key);
    if (value == null || !value.isInt()) {
      throw new Unexpected(key + " is not an integer");
    }
    return value.intValue();
  }

  private static DefaultParamsReader.Metadata parse(String line, String className) {
    return DefaultParamsReader.parseMetadata(line, className);
  }

  private static scala.collection.immutable.List<String> scalaList(String... values) {
    return CollectionConverters.asScala(Arrays.asList(values)).toList();
  }

  /** A stage read by its own MLlib reader (for the stages this class does not read). */
  private static Object mllibLoad(String className, Path dir) throws Unexpected {
    try {
      return MLAllowListedLoader.load(className)
          .getMethod("load", String.class)
          .invoke(null, dir.toString());
    } catch (ReflectiveOperationException e) {
      throw new Unexpected("MLlib cannot read " + dir);
    }
  }

  /** The first line of the one {@code part-} file of {@code dir/metadata}. */
  private String metadataLine(Path dir) throws IOException, Unexpected {
    List<Path> parts = parts(new Path(dir, "metadata"), "part-");
    if (parts.size() != 1) {
      throw new Unexpected("not one metadata part");
    }
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(fs.open(parts.get(0)), StandardCharsets.UTF_8))) {
      String line = in.readLine();
      if (line == null) {
        throw new Unexpected("empty metadata");
      }
      return line;
    }
  }

  /** Every row of the Parquet files of {@code dir}, file by file in name order. */
  private List<Group> parquet(Path dir) throws IOException, Unexpected {
    List<Path> parts = parts(dir, "part-");
    if (parts.isEmpty()) {
      throw new Unexpected("no Parquet part in " + dir);
    }
    List<Group> rows = new ArrayList<>();
    for (Path part : parts) {
      try (ParquetReader<Group> reader =
          ParquetReader.builder(new GroupReadSupport(), part).withConf(conf).build()) {
        for (Group row = reader.read(); row != null; row = reader.read()) {
          rows.add(row);
        }
      }
    }
    return rows;
  }

  /** The files of {@code dir} whose names start with {@code prefix}, in name order. */
  private List<Path> parts(Path dir, String prefix) throws IOException {
    List<Path> parts = new ArrayList<>();
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (status.isFile() && name.startsWith(prefix) && !name.endsWith(".crc")) {
        parts.add(status.getPath());
      }
    }
    parts.sort(Comparator.comparing(Path::getName));
    return parts;
  }
}
