package io.trustlens.model;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.sql.SparkSession;

/**
 * Opens a model on the driver and checks it before any work: a saved MLlib {@code PipelineModel} or
 * {@code PredictionModel} (a directory with {@code metadata/}), or a TorchScript file.
 */
public final class ModelLoader {
  private final SparkSession spark;

  /** Models already read on the driver ({@link SavedMllibReader}), by location. */
  private final Map<String, Object> read;

  /** The locations of {@link #read} whose model a load took. */
  private final Set<String> taken = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** A loader for models used with {@code spark}. */
  public ModelLoader(SparkSession spark) {
    this(spark, Map.of());
  }

  /**
   * A loader for models used with {@code spark} that takes the model at a location of {@code read}
   * from there (read by {@link SavedMllibReader} before the session started) instead of reading it
   * again, when the session lets models be read on the driver.
   */
  public ModelLoader(SparkSession spark, Map<String, Object> read) {
    this.spark = spark;
    this.read = Map.copyOf(read);
  }

  /**
   * Loads one model.
   *
   * @param location a local or Hadoop path
   * @param inputSize the number of features the table gives, used for a TorchScript file without a
   *     card; -1 when unknown
   * @param kindWithoutCard what a card-less TorchScript model outputs
   */
  public LoadedModel load(String location, int inputSize, OutputKind kindWithoutCard) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw new InvalidModelException("model not found: " + location);
      }
      FileStatus status = fs.getFileStatus(path);
      if (status.isDirectory()) {
        org.apache.hadoop.fs.Path metadata = new org.apache.hadoop.fs.Path(path, "metadata");
        if (!fs.exists(metadata)) {
          throw new InvalidModelException(
              "unknown model format: "
                  + location
                  + " is a directory without metadata/, so not a saved MLlib model");
        }
        String className = mllibClass(fs, metadata, location);
        Object model =
            !Boolean.parseBoolean(spark.conf().get(SavedMllibReader.ENABLED, "true"))
                ? null
                : read.containsKey(location)
                    ? took(location)
                    : new SavedMllibReader(fs, spark.sparkContext().hadoopConfiguration())
                        .read(path);
        return loadMllib(location, className, model);
      }
      return loadTorchScript(location, inputSize, kindWithoutCard);
    } catch (IOException e) {
      throw new InvalidModelException("cannot read model " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether {@code location} is a directory with {@code metadata/} (a saved MLlib model); false
   * when it is anything else or cannot be read ({@link #load} then says why).
   */
  public boolean isMllibDirectory(String location) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
    try {
      return isMllibDirectory(path.getFileSystem(spark.sparkContext().hadoopConfiguration()), path);
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Whether {@code path} of {@code fs} is a directory with {@code metadata/} (a saved MLlib model).
   *
   * @throws IOException when it cannot be read (a missing path too)
   */
  public static boolean isMllibDirectory(FileSystem fs, org.apache.hadoop.fs.Path path)
      throws IOException {
    return fs.getFileStatus(path).isDirectory()
        && fs.exists(new org.apache.hadoop.fs.Path(path, "metadata"));
  }

  /**
   * The locations whose model this loader's loads took from the models read before ({@link
   * #ModelLoader(SparkSession, Map)}) rather than reading them.
   */
  public Set<String> takenFromRead() {
    return Set.copyOf(taken);
  }

  private Object took(String location) {
    taken.add(location);
    return read.get(location);
  }

  /** Loads several models as one ensemble (one model gives itself). */
  public LoadedModel loadAll(List<String> locations, int inputSize, OutputKind kindWithoutCard) {
    if (locations.size() == 1) {
      return load(locations.get(0), inputSize, kindWithoutCard);
    }
    List<ModelSource> members = new ArrayList<>();
    LoadedModel first = null;
    for (String location : locations) {
      LoadedModel m = load(location, inputSize, kindWithoutCard);
      if (first == null) {
        first = m;
      } else if (!uids(m).equals(uids(first))) {
        throw new InvalidModelException(
            "an ensemble takes bare models on one feature vector, or pipelines that share their"
                + " feature stages (train --bootstrap K makes such a family); the feature stages of "
                + location
                + " differ from those of "
                + locations.get(0));
      } else if (m.featuresCol() != null
              && first.featuresCol() != null
              && !m.featuresCol().equals(first.featuresCol())
          || !m.featureColumns().isEmpty()
              && !first.featureColumns().isEmpty()
              && !m.featureColumns().equals(first.featureColumns())) {
        throw new InvalidModelException(
            "ensemble members read different features: "
                + location
                + " reads "
                + (m.featuresCol() != null ? m.featuresCol() : m.featureColumns())
                + ", but "
                + locations.get(0)
                + " reads "
                + (first.featuresCol() != null ? first.featuresCol() : first.featureColumns()));
      }
      members.add(m.source());
    }
    ModelInfo info = EnsembleModel.combine(members.stream().map(ModelSource::info).toList());
    return new LoadedModel(
        new EnsembleSource(members, info),
        first.featureStages(),
        first.featuresCol(),
        first.featureColumns());
  }

  /** The uids of a model's feature stages: pipelines that share them share their features. */
  private static List<String> uids(LoadedModel m) {
    return m.featureStages().stream().map(Transformer::uid).toList();
  }

  private static String mllibClass(FileSystem fs, org.apache.hadoop.fs.Path metadata, String loc)
      throws IOException {
    for (FileStatus part : fs.listStatus(metadata)) {
      if (part.getPath().getName().startsWith("part-")) {
        try (BufferedReader in =
            new BufferedReader(
                new InputStreamReader(fs.open(part.getPath()), StandardCharsets.UTF_8))) {
          String line = in.readLine();
          if (line != null) {
            return new ObjectMapper().readTree(line).path("class").asText();
          }
        } catch (IOException e) {
          throw new InvalidModelException(
              "corrupt MLlib model " + loc + ": its metadata is not JSON", e);
        }
      }
    }
    throw new InvalidModelException("corrupt MLlib model " + loc + ": empty metadata/");
  }

  /**
   * A saved MLlib model as a {@link LoadedModel}: {@code read} when the driver read it ({@link
   * SavedMllibReader}), else MLlib's loader of {@code className}.
   */
  private LoadedModel loadMllib(String location, String className, Object read) {
    Object model = read;
    try {
      if (model == null) {
        Class<?> type = Class.forName(className);
        model = type.getMethod("load", String.class).invoke(null, location);
      }
    } catch (ClassNotFoundException | NoSuchMethodException e) {
      throw new InvalidModelException(
          "unsupported model: " + location + " holds " + className + ", which cannot be loaded");
    } catch (ReflectiveOperationException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new InvalidModelException(
          "corrupt MLlib model " + location + ": " + cause.getMessage(), cause);
    }
    List<Transformer> stages = new ArrayList<>();
    Object last = model;
    if (model instanceof PipelineModel pipeline) {
      stages.addAll(Arrays.asList(pipeline.stages()));
      if (stages.isEmpty()) {
        throw new InvalidModelException("the pipeline at " + location + " has no stages");
      }
      last = stages.remove(stages.size() - 1);
    }
    if (!(last instanceof PredictionModel<?, ?> predictor)) {
      throw new InvalidModelException(
          "unsupported model: the last stage of "
              + location
              + " is "
              + last.getClass().getSimpleName()
              + "; TrustLens needs an MLlib PredictionModel (classifier or regressor)");
    }
    return new LoadedModel(
        fromMllib(predictor, location), List.copyOf(stages), predictor.getFeaturesCol(), List.of());
  }

  /**
   * A fitted MLlib model (from a notebook, say) ready to score in the JVM of every executor:
   * broadcast once, deserialised once per executor.
   *
   * @param name how the model is named in summaries and errors
   */
  public ModelSource fromMllib(PredictionModel<?, ?> model, String name) {
    MllibModel scorer = MllibModel.of(model, name);
    var broadcast = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(scorer);
    return new MllibSource(broadcast, scorer.info());
  }

  private static LoadedModel loadTorchScript(String location, int inputSize, OutputKind kind) {
    Path file = Path.of(location);
    if (!Files.isRegularFile(file)) {
      throw new InvalidModelException(
          "TorchScript model " + location + " must be a local or shared file on the driver");
    }
    TorchScriptCard card = TorchScriptCard.readBeside(file);
    if (card == null) {
      if (inputSize <= 0) {
        throw new InvalidModelException(
            "TorchScript model "
                + location
                + " has no card ("
                + TorchScriptCard.cardPath(file).getFileName()
                + ") and the number of features is unknown");
      }
      int outputs;
      try (TorchScriptModel probe =
          TorchScriptModel.load(
              file, TorchScriptModel.defaultCard(inputSize, 1, kind), Device.cpu())) {
        outputs = probe.forward(new float[inputSize], 1).length;
      }
      card = TorchScriptModel.defaultCard(inputSize, outputs, kind);
    }
    // Load once on the driver so that a corrupt file fails here, before any task runs.
    TorchScriptModel checked = ModelCache.torchScript(file, card, Device.cpu());
    return new LoadedModel(
        new TorchScriptSource(file.toAbsolutePath().toString(), card, checked.info()),
        List.of(),
        null,
        card.features());
  }
}
