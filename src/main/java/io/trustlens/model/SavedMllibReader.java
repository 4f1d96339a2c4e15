package io.trustlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.model.SavedFiles.UnexpectedLayout;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
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
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.MLAllowListedLoader;
import org.apache.spark.util.VersionUtils;

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
 * equals MLlib's load in its class, uid, every param, an indexer's labels, a vectorizer's
 * vocabulary, an encoder's category counts, a linear model's coefficients, intercepts and scale,
 * tree weights and every node (split, threshold or categories, prediction, impurity, gain,
 * statistics and counts), so it transforms a table to the same bits. Tree models are read by {@link
 * SavedTrees}, the files themselves by {@link SavedFiles}.
 */
public final class SavedMllibReader {
  /** A Spark setting: {@code false} leaves every saved model to MLlib's loader. */
  public static final String ENABLED = "spark.trustlens.readModelsOnDriver";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SavedFiles files;

  /** Whether a pipeline's stage this class does not know may be read by MLlib's own reader. */
  private final boolean mllibStages;

  /** A reader of models on {@code fs}, with {@code conf} for Parquet. */
  public SavedMllibReader(FileSystem fs, Configuration conf) {
    this(fs, conf, true);
  }

  private SavedMllibReader(FileSystem fs, Configuration conf, boolean mllibStages) {
    this.files = new SavedFiles(fs, conf);
    this.mllibStages = mllibStages;
  }

  /**
   * A reader that needs no Spark session, for a run's reads while its session starts: a pipeline
   * with a stage only MLlib's reader reads (which would start a session of its own) is not read
   * ({@link #read} returns null).
   */
  public static SavedMllibReader withoutSession(FileSystem fs, Configuration conf) {
    return new SavedMllibReader(fs, conf, false);
  }

  /**
   * The model saved at {@code dir}, or null when this class does not read it (then MLlib's loader
   * should).
   */
  public Object read(Path dir) {
    try {
      return readTop(dir);
    } catch (UnexpectedLayout | IOException | RuntimeException e) {
      return null;
    }
  }

  private Object readTop(Path dir) throws IOException, UnexpectedLayout {
    String line = files.metadataLine(dir);
    String className = JSON.readTree(line).path("class").asText();
    if (className.equals(PipelineModel.class.getName())) {
      return pipeline(dir, line);
    }
    Object model = stage(dir, line);
    if (model == null) {
      throw new UnexpectedLayout("not read here: " + className);
    }
    return model;
  }

  private PipelineModel pipeline(Path dir, String line) throws IOException, UnexpectedLayout {
    DefaultParamsReader.Metadata metadata = SavedFiles.parse(line, PipelineModel.class.getName());
    JsonNode uids = JSON.readTree(line).path("paramMap").path("stageUids");
    if (!uids.isArray()) {
      throw new UnexpectedLayout("no stageUids");
    }
    int n = uids.size();
    String format = "%0" + Integer.toString(n).length() + "d_%s";
    Transformer[] stages = new Transformer[n];
    for (int i = 0; i < n; i++) {
      Path stageDir =
          new Path(new Path(dir, "stages"), String.format(format, i, uids.get(i).asText()));
      String stageLine = files.metadataLine(stageDir);
      Object stage = stage(stageDir, stageLine);
      if (stage == null && !mllibStages) {
        throw new UnexpectedLayout("stage " + i + " needs MLlib's reader, and a session");
      }
      if (stage == null) {
        stage = mllibLoad(JSON.readTree(stageLine).path("class").asText(), stageDir);
      }
      if (!(stage instanceof Transformer t)) {
        throw new UnexpectedLayout("stage " + i + " is not a Transformer");
      }
      stages[i] = t;
    }
    return new PipelineModel(metadata.uid(), stages);
  }

  /** One stage read here, or null when its class is not one this class reads. */
  private Object stage(Path dir, String line) throws IOException, UnexpectedLayout {
    JsonNode extra = JSON.readTree(line);
    String className = extra.path("class").asText();
    Class<?> type = MLAllowListedLoader.load(className);
    DefaultParamsReader.Metadata metadata = SavedFiles.parse(line, className);
    if (type == GBTClassificationModel.class || type == GBTRegressionModel.class) {
      return SavedTrees.gbt(files, type, dir, metadata, extra);
    }
    if (type == RandomForestClassificationModel.class
        || type == RandomForestRegressionModel.class) {
      return SavedTrees.forest(files, type, dir, metadata, extra);
    }
    if (type == DecisionTreeClassificationModel.class
        || type == DecisionTreeRegressionModel.class) {
      return SavedTrees.tree(files, type, dir, metadata, extra);
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
      throws IOException, UnexpectedLayout {
    List<Group> rows = files.parquet(new Path(dir, "data"));
    if (rows.size() != 1) {
      throw new UnexpectedLayout("not one row of data");
    }
    Params model;
    if (type == OneHotEncoderModel.class) {
      model =
          new OneHotEncoderModel(metadata.uid(), SavedFiles.integers(rows.get(0), "categorySizes"));
    } else if (type == CountVectorizerModel.class) {
      model =
          new CountVectorizerModel(metadata.uid(), SavedFiles.strings(rows.get(0), "vocabulary"));
    } else if (VersionUtils.majorVersion(metadata.sparkVersion()) >= 3) {
      model =
          new StringIndexerModel(
              metadata.uid(), SavedFiles.stringArrays(rows.get(0), "labelsArray"));
    } else {
      throw new UnexpectedLayout("a string indexer saved before Spark 3");
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
      throws IOException, UnexpectedLayout {
    if (VersionUtils.majorVersion(metadata.sparkVersion()) < 3) {
      throw new UnexpectedLayout("a linear model saved before Spark 3");
    }
    List<Group> rows = files.parquet(new Path(dir, "data"));
    if (rows.size() != 1) {
      throw new UnexpectedLayout("not one row of data");
    }
    Group row = rows.get(0);
    Params model;
    if (type == LogisticRegressionModel.class) {
      Matrix coefficients = new MatrixUDT().deserialize(SavedFiles.udt(row, "coefficientMatrix"));
      Vector intercepts = new VectorUDT().deserialize(SavedFiles.udt(row, "interceptVector"));
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
              new VectorUDT().deserialize(SavedFiles.udt(row, "coefficients")),
              row.getDouble("intercept", 0),
              row.getDouble("scale", 0));
    }
    metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
    return model;
  }

  /** A stage read by its own MLlib reader (for the stages this class does not read). */
  private static Object mllibLoad(String className, Path dir) throws UnexpectedLayout {
    try {
      return MLAllowListedLoader.load(className)
          .getMethod("load", String.class)
          .invoke(null, dir.toString());
    } catch (ReflectiveOperationException e) {
      throw new UnexpectedLayout("MLlib cannot read " + dir);
    }
  }
}
