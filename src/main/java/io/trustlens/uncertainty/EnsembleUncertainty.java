package io.trustlens.uncertainty;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.BatchModel;
import io.trustlens.model.EnsembleModel;
import io.trustlens.model.InvalidModelException;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelLoader;
import io.trustlens.model.ModelSource;
import io.trustlens.model.OutputKind;
import io.trustlens.model.Scores;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Ensemble disagreement per row (deep ensembles, Lakshminarayanan et al. 2017, arXiv 1612.01474): K
 * models (MLlib and TorchScript, mixed allowed) score every row in one pass, batched inside {@code
 * mapPartitions}, each member opened once per executor; {@link Spread} turns the K predictions into
 * the {@code uncertainty_*} columns. Every input is a param, so the stage copies, saves and loads
 * like any MLlib stage.
 *
 * <p>Columns (prefix {@code outputPrefix}, default {@code uncertainty}); classifiers: {@code _mean}
 * (mean class probabilities), {@code _prediction}, {@code _std}, {@code _entropy}, {@code
 * _expected_entropy}, {@code _mutual_information}, {@code _disagreement}; regressors: {@code _mean}
 * and {@code _std}. Each column's metadata says what it means.
 */
public final class EnsembleUncertainty extends Transformer implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final StringArrayParam modelPaths;
  private final StringArrayParam featuresCols;
  private final Param<String> vectorCol;
  private final Param<String> imageCol;
  private final Param<String> imageShape;
  private final Param<String> idCol;
  private final Param<String> outputPrefix;
  private final IntParam batchSize;
  private final Param<String> onInvalid;

  private transient LoadedModel loaded;

  public EnsembleUncertainty() {
    this(Identifiable$.MODULE$.randomUID("ensembleUncertainty"));
  }

  public EnsembleUncertainty(String uid) {
    this.uid = uid; // first: every Param below records its parent's uid when it is made
    modelPaths =
        new StringArrayParam(
            this, "modelPaths", "the members: saved MLlib models or TorchScript files (>= 2)");
    featuresCols =
        new StringArrayParam(this, "featuresCols", "numeric feature columns, in the models' order");
    vectorCol = new Param<>(this, "vectorCol", "an ML vector column of features; empty: none");
    imageCol = new Param<>(this, "imageCol", "an image column (array or Spark image); empty: none");
    imageShape = new Param<>(this, "imageShape", "the image's C,H,W");
    idCol = new Param<>(this, "idCol", "the column that names rows in errors; empty for none");
    outputPrefix = new Param<>(this, "outputPrefix", "the prefix of the uncertainty columns");
    batchSize =
        new IntParam(this, "batchSize", "rows scored per model call", ParamValidators.gt(0));
    onInvalid =
        new Param<>(
            this,
            "onInvalid",
            "error (fail naming the row) or skip (drop the row) for null or NaN features",
            ParamValidators.inArray(new String[] {"error", "skip"}));
    setDefault(modelPaths, new String[0]);
    setDefault(featuresCols, new String[0]);
    setDefault(vectorCol, "");
    setDefault(imageCol, "");
    setDefault(imageShape, "");
    setDefault(idCol, "");
    setDefault(outputPrefix, "uncertainty");
    setDefault(batchSize, 1024);
    setDefault(onInvalid, "error");
  }

  @Override
  public String uid() {
    return uid;
  }

  public StringArrayParam modelPaths() {
    return modelPaths;
  }

  public StringArrayParam featuresCols() {
    return featuresCols;
  }

  public Param<String> vectorCol() {
    return vectorCol;
  }

  public Param<String> imageCol() {
    return imageCol;
  }

  public Param<String> imageShape() {
    return imageShape;
  }

  public Param<String> idCol() {
    return idCol;
  }

  public Param<String> outputPrefix() {
    return outputPrefix;
  }

  public IntParam batchSize() {
    return batchSize;
  }

  public Param<String> onInvalid() {
    return onInvalid;
  }

  public String[] getModelPaths() {
    return $(modelPaths);
  }

  public String getOutputPrefix() {
    return $(outputPrefix);
  }

  public EnsembleUncertainty setModelPaths(String... value) {
    set(modelPaths, value);
    return this;
  }

  public EnsembleUncertainty setFeaturesCols(String... value) {
    set(featuresCols, value);
    return this;
  }

  public EnsembleUncertainty setVectorCol(String value) {
    set(vectorCol, value);
    return this;
  }

  public EnsembleUncertainty setImageCol(String value) {
    set(imageCol, value);
    return this;
  }

  public EnsembleUncertainty setImageShape(String value) {
    set(imageShape, value);
    return this;
  }

  public EnsembleUncertainty setIdCol(String value) {
    set(idCol, value);
    return this;
  }

  public EnsembleUncertainty setOutputPrefix(String value) {
    set(outputPrefix, value);
    return this;
  }

  public EnsembleUncertainty setBatchSize(int value) {
    set(batchSize, value);
    return this;
  }

  public EnsembleUncertainty setOnInvalid(String value) {
    set(onInvalid, value);
    return this;
  }

  /** The members, loaded on the driver once per stage. */
  public LoadedModel model() {
    String[] paths = $(modelPaths);
    if (paths.length < 2) {
      throw new InvalidModelException(
          "ensemble disagreement needs at least two models; modelPaths has " + paths.length);
    }
    if (loaded == null || !loaded.info().location().equals(String.join(",", paths))) {
      loaded = new ModelLoader(SparkSession.active()).loadAll(List.of(paths), -1, OutputKind.LOGIT);
    }
    return loaded;
  }

  /** The features the members read in {@code schema}. */
  public FeatureSpace features(StructType schema) {
    LoadedModel m = model();
    int size = m.info().inputSize();
    if (!$(imageCol).isEmpty()) {
      ImageShape shape = ImageShape.parse($(imageShape));
      return schema.apply($(imageCol)).dataType() instanceof StructType
          ? FeatureSpace.ofSparkImage(schema, $(imageCol), shape)
          : FeatureSpace.ofImageArray(schema, $(imageCol), shape);
    }
    if (!$(vectorCol).isEmpty()) {
      return FeatureSpace.ofVector(schema, $(vectorCol), size);
    }
    if ($(featuresCols).length > 0) {
      return FeatureSpace.ofColumns(schema, List.of($(featuresCols)));
    }
    if (m.featuresCol() != null && schema.getFieldIndex(m.featuresCol()).isDefined()) {
      return FeatureSpace.ofVector(schema, m.featuresCol(), size);
    }
    if (!m.featureColumns().isEmpty()) {
      return FeatureSpace.ofColumns(schema, m.featureColumns());
    }
    throw new InvalidFeatureException(
        "the members name no feature columns the table has: set featuresCols, vectorCol or"
            + " imageCol");
  }

  @Override
  public StructType transformSchema(StructType schema) {
    FeatureSpace space = features(schema);
    ModelInfo info = model().info();
    if (space.size() != info.inputSize()) {
      throw new InvalidFeatureException(
          "the table gives "
              + space.size()
              + " features, but the members read "
              + info.inputSize());
    }
    Columns.requireId(schema, $(idCol));
    String p = $(outputPrefix);
    List<StructField> added = new ArrayList<>();
    if (info.kind().isClassification()) {
      Metadata names =
          meaning("mean class probability over the members")
              .putStringArray("names", info.outputNames().toArray(new String[0]))
              .build();
      added.add(
          new StructField(
              p + "_mean", DataTypes.createArrayType(DataTypes.DoubleType, false), false, names));
      added.add(number(p + "_prediction", "the class of the largest mean probability"));
      added.add(
          number(
              p + "_std",
              "standard deviation over the members of the predicted class's probability"));
      added.add(number(p + "_entropy", "predictive entropy H[mean p], nats (total)"));
      added.add(number(p + "_expected_entropy", "mean over members of H[p_k], nats (aleatoric)"));
      added.add(
          number(
              p + "_mutual_information",
              "H[mean p] - mean H[p_k], nats (epistemic; BALD, arXiv 1112.5745)"));
      added.add(number(p + "_disagreement", "share of members not voting with the majority class"));
    } else {
      added.add(number(p + "_mean", "mean prediction over the members"));
      added.add(number(p + "_std", "standard deviation of the members' predictions"));
    }
    return Columns.append(schema, added);
  }

  private static MetadataBuilder meaning(String text) {
    return new MetadataBuilder().putString("meaning", text);
  }

  private static StructField number(String name, String meaning) {
    return new StructField(name, DataTypes.DoubleType, false, meaning(meaning).build());
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    String id = $(idCol);
    Plan plan =
        new Plan(
            model().source(),
            features(in),
            in,
            (Integer) $(batchSize),
            $(onInvalid).equals("skip"),
            id);
    return Columns.withMetadata(dataset.toDF().mapPartitions(plan, Encoders.row(out)), out);
  }

  @Override
  public EnsembleUncertainty copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<EnsembleUncertainty> read() {
    return new DefaultParamsReader<>();
  }

  public static EnsembleUncertainty load(String path) {
    return read().load(path);
  }

  /** The per-partition work: a batch of rows scored by every member, then each row's spread. */
  private record Plan(
      ModelSource model,
      FeatureSpace features,
      StructType schema,
      int batchSize,
      boolean skipInvalid,
      String idCol)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      EnsembleModel ensemble = (EnsembleModel) model.open();
      FeatureSpace.Reader reader = features.reader(schema);
      int d = features.size();
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      List<BatchModel> members = ensemble.members();
      OutputKind kind = ensemble.info().kind();
      int width = ensemble.info().outputSize();
      return new Iterator<>() {
        private final List<Row> batch = new ArrayList<>(batchSize);
        private final List<Row> done = new ArrayList<>(batchSize);
        private final double[] inputs = new double[batchSize * d];
        private int next;
        private long seen;

        @Override
        public boolean hasNext() {
          if (next < done.size()) {
            return true;
          }
          fill();
          return !done.isEmpty();
        }

        private void fill() {
          batch.clear();
          done.clear();
          next = 0;
          while (batch.size() < batchSize && rows.hasNext()) {
            Row row = rows.next();
            seen++;
            try {
              reader.read(row, inputs, batch.size() * d);
              batch.add(row);
            } catch (InvalidFeatureException | ClassCastException e) {
              if (!skipInvalid) {
                throw new InvalidFeatureException(
                    Columns.describe(row, idCol, idIndex, seen) + ": " + e.getMessage());
              }
            }
          }
          if (batch.isEmpty()) {
            return;
          }
          List<Scores> scores = ensemble.scoreMembers(inputs, batch.size());
          int k = members.size();
          double[] draws = new double[k * width];
          for (int i = 0; i < batch.size(); i++) {
            for (int m = 0; m < k; m++) {
              OutputKind memberKind = members.get(m).info().kind();
              double[] out = scores.get(m).outputs();
              if (kind.isClassification()) {
                double[] p = new double[width];
                memberKind.probabilities(out, i * width, width, p);
                System.arraycopy(p, 0, draws, m * width, width);
              } else {
                draws[m] = out[i];
              }
            }
            done.add(spreadRow(batch.get(i), draws, k));
          }
        }

        private Row spreadRow(Row row, double[] draws, int k) {
          if (!kind.isClassification()) {
            Spread.Regression r = Spread.ofValues(draws, k);
            return Columns.appended(row, r.mean(), r.std());
          }
          Spread.Classification s = Spread.ofProbabilities(draws, k, width);
          return Columns.appended(
              row,
              s.mean(),
              (double) s.prediction(),
              s.std(),
              s.entropy(),
              s.expectedEntropy(),
              s.mutualInformation(),
              s.disagreement());
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          return done.get(next++);
        }
      };
    }
  }
}
