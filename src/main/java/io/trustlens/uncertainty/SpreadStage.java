package io.trustlens.uncertainty;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.ModelInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The base of the stages that add a row's spread over K draws of its prediction ({@link
 * EnsembleUncertainty}, {@link io.trustlens.uncertainty.dropout.McDropoutUncertainty}): the {@code
 * uncertainty_*} columns of {@link SpreadColumns}, filled by the partition loop of {@link
 * SpreadRows}: rows read in batches, their draws made by {@link Draws} in one call per batch, each
 * row's {@link Spread} appended.
 *
 * @param <T> the stage itself, so that setters chain
 */
public abstract class SpreadStage<T extends SpreadStage<T>> extends FeatureStage<T> {
  private static final long serialVersionUID = 1L;

  protected SpreadStage(String uid) {
    super(uid);
  }

  /** What makes each row's draws on the executors. */
  protected abstract Draws.Source draws();

  /** What one draw is, in column descriptions: "members" or "passes". */
  protected abstract String drawName();

  @Override
  public StructType transformSchema(StructType schema) {
    FeatureSpace space = features(schema);
    ModelInfo info = model().info();
    if (space.size() != info.inputSize()) {
      throw new InvalidFeatureException(
          "the table gives " + space.size() + " features, but the model reads " + info.inputSize());
    }
    Columns.requireId(schema, getIdCol());
    return Columns.append(
        schema,
        SpreadColumns.fields(
            getOutputPrefix(), info.kind().isClassification(), info.outputNames(), drawName()));
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    ModelInfo info = model().info();
    SpreadRows plan =
        new SpreadRows(
            draws(),
            features(in),
            in,
            getBatchSize(),
            getOnInvalid().equals("skip"),
            getIdCol(),
            info.kind().isClassification(),
            info.kind().isClassification() ? info.outputSize() : 1);
    return Columns.withMetadata(dataset.toDF().mapPartitions(plan, Encoders.row(out)), out);
  }
}
