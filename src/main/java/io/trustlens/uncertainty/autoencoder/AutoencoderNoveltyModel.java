package io.trustlens.uncertainty.autoencoder;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.ValidRows;
import io.trustlens.uncertainty.FeatureParams;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link AutoencoderNovelty}: appends {@code <prefix>_reconstruction_error} (the mean
 * squared reconstruction error in standardised units) and {@code <prefix>_unfamiliar} (the error
 * exceeds {@code threshold}, the training errors' {@code percentile}). The weights are params, so
 * the model saves, loads and copies like any MLlib model; rows are scored in the JVM in double
 * precision, the same bits on every executor.
 */
public final class AutoencoderNoveltyModel extends Model<AutoencoderNoveltyModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final FeatureParams shared;
  private final IntArrayParam layerSizes;
  private final DoubleArrayParam weights;
  private final DoubleArrayParam means;
  private final DoubleArrayParam scales;
  private final DoubleParam threshold;
  private final DoubleParam percentile;
  private final LongParam trainingRows;
  private final DoubleParam trainingError;

  public AutoencoderNoveltyModel() {
    this(Identifiable$.MODULE$.randomUID("autoencoderNoveltyModel"));
  }

  public AutoencoderNoveltyModel(String uid) {
    this.uid = uid; // first: the params below record their parent's uid
    shared = new FeatureParams(this);
    layerSizes = new IntArrayParam(this, "layerSizes", "layer sizes, input to output");
    weights =
        new DoubleArrayParam(
            this, "weights", "per layer its in x out weights (input-major) then its biases");
    means = new DoubleArrayParam(this, "means", "the training rows' mean per feature");
    scales = new DoubleArrayParam(this, "scales", "the training rows' standard deviations");
    threshold = new DoubleParam(this, "threshold", "errors above it are unfamiliar");
    percentile = new DoubleParam(this, "percentile", "the training percentile of the threshold");
    trainingRows = new LongParam(this, "trainingRows", "rows the autoencoder was trained on");
    trainingError = new DoubleParam(this, "trainingError", "the training rows' mean error");
    shared.defaults(this);
  }

  @Override
  public String uid() {
    return uid;
  }

  public StringArrayParam featuresCols() {
    return shared.featuresCols;
  }

  public Param<String> vectorCol() {
    return shared.vectorCol;
  }

  public Param<String> idCol() {
    return shared.idCol;
  }

  public Param<String> outputPrefix() {
    return shared.outputPrefix;
  }

  public Param<String> onInvalid() {
    return shared.onInvalid;
  }

  public IntArrayParam layerSizes() {
    return layerSizes;
  }

  public DoubleArrayParam weights() {
    return weights;
  }

  public DoubleArrayParam means() {
    return means;
  }

  public DoubleArrayParam scales() {
    return scales;
  }

  public DoubleParam threshold() {
    return threshold;
  }

  public DoubleParam percentile() {
    return percentile;
  }

  public LongParam trainingRows() {
    return trainingRows;
  }

  public DoubleParam trainingError() {
    return trainingError;
  }

  public double getThreshold() {
    return (Double) $(threshold);
  }

  public double getPercentile() {
    return (Double) $(percentile);
  }

  public long getTrainingRows() {
    return (Long) $(trainingRows);
  }

  public double getTrainingError() {
    return (Double) $(trainingError);
  }

  public String getOutputPrefix() {
    return $(shared.outputPrefix);
  }

  public AutoencoderNoveltyModel setFeaturesCols(String... value) {
    set(shared.featuresCols, value);
    return this;
  }

  public AutoencoderNoveltyModel setVectorCol(String value) {
    set(shared.vectorCol, value);
    return this;
  }

  public AutoencoderNoveltyModel setIdCol(String value) {
    set(shared.idCol, value);
    return this;
  }

  public AutoencoderNoveltyModel setOutputPrefix(String value) {
    set(shared.outputPrefix, value);
    return this;
  }

  public AutoencoderNoveltyModel setOnInvalid(String value) {
    set(shared.onInvalid, value);
    return this;
  }

  public AutoencoderNoveltyModel setThreshold(double value) {
    set(threshold, value);
    return this;
  }

  public AutoencoderNoveltyModel setPercentile(double value) {
    set(percentile, value);
    return this;
  }

  public AutoencoderNoveltyModel setTrainingRows(long value) {
    set(trainingRows, value);
    return this;
  }

  public AutoencoderNoveltyModel setTrainingError(double value) {
    set(trainingError, value);
    return this;
  }

  /** Sets the fitted network: its layer sizes, weights and standardisation. */
  public AutoencoderNoveltyModel setAutoencoder(Autoencoder ae) {
    set(layerSizes, ae.sizes());
    int total = 0;
    for (double[] w : ae.weights()) {
      total += w.length;
    }
    double[] flat = new double[total];
    int at = 0;
    for (double[] w : ae.weights()) {
      System.arraycopy(w, 0, flat, at, w.length);
      at += w.length;
    }
    set(weights, flat);
    set(means, ae.means());
    set(scales, ae.scales());
    return this;
  }

  /** The fitted network. */
  public Autoencoder autoencoder() {
    int[] sizes = $(layerSizes);
    double[] flat = $(weights);
    double[][] layers = new double[sizes.length - 1][];
    int at = 0;
    for (int l = 0; l < layers.length; l++) {
      int n = sizes[l] * sizes[l + 1] + sizes[l + 1];
      if (at + n > flat.length) {
        throw new IllegalStateException("the model's weights do not fill its layers");
      }
      layers[l] = java.util.Arrays.copyOfRange(flat, at, at + n);
      at += n;
    }
    return new Autoencoder(sizes, layers, $(means), $(scales));
  }

  /** {@code schema} with the error and flag columns appended. */
  static StructType outputSchema(StructType schema, String prefix) {
    List<StructField> added = new ArrayList<>();
    added.add(
        new StructField(
            prefix + "_reconstruction_error",
            DataTypes.DoubleType,
            false,
            new MetadataBuilder()
                .putString(
                    "meaning",
                    "the autoencoder's mean squared reconstruction error per feature, in standard"
                        + " deviations of the training rows squared (epistemic: unfamiliar input)")
                .build()));
    added.add(
        new StructField(
            prefix + "_unfamiliar",
            DataTypes.BooleanType,
            false,
            new MetadataBuilder()
                .putString(
                    "meaning", "the reconstruction error exceeds the training rows' percentile")
                .build()));
    return Columns.append(schema, added);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    FeatureSpace space = shared.features(this, schema, $(layerSizes)[0]);
    if (space.size() != $(layerSizes)[0]) {
      throw new InvalidFeatureException(
          "the table gives "
              + space.size()
              + " features, but the autoencoder was trained on "
              + $(layerSizes)[0]);
    }
    return outputSchema(schema, $(shared.outputPrefix));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    Scorer scorer =
        new Scorer(
            autoencoder(),
            getThreshold(),
            shared.features(this, in, $(layerSizes)[0]),
            in,
            $(shared.idCol),
            $(shared.onInvalid).equals("skip"));
    return Columns.withMetadata(dataset.toDF().mapPartitions(scorer, Encoders.row(out)), out);
  }

  /** Scores a partition's rows one by one (the network is small; no batching needed). */
  private record Scorer(
      Autoencoder ae,
      double threshold,
      FeatureSpace space,
      StructType schema,
      String idCol,
      boolean skip)
      implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      FeatureSpace.Reader reader = space.reader(schema);
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      return new ValidRows(
          rows,
          reader,
          space.size(),
          idCol,
          idIndex,
          skip,
          (row, x) -> {
            double error = ae.error(x);
            return Columns.appended(row, error, error > threshold);
          });
    }
  }

  @Override
  public AutoencoderNoveltyModel copy(ParamMap extra) {
    return copyValues(new AutoencoderNoveltyModel(uid), extra).setParent(parent());
  }

  public static MLReader<AutoencoderNoveltyModel> read() {
    return new DefaultParamsReader<>();
  }

  public static AutoencoderNoveltyModel load(String path) {
    return read().load(path);
  }
}
