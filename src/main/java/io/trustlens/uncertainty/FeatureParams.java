package io.trustlens.uncertainty;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.sql.types.StructType;

/**
 * The params a network's estimator and its model share ({@link
 * io.trustlens.uncertainty.autoencoder.AutoencoderNovelty}, {@link
 * io.trustlens.uncertainty.bayes.BayesianNeuralNetwork}), made for an owning stage: the feature
 * columns or vector, the id column, the output prefix, and what to do with invalid rows.
 */
public final class FeatureParams implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  public final StringArrayParam featuresCols;
  public final Param<String> vectorCol;
  public final Param<String> idCol;
  public final Param<String> outputPrefix;
  public final Param<String> onInvalid;

  public FeatureParams(Params owner) {
    featuresCols = new StringArrayParam(owner, "featuresCols", "numeric feature columns");
    vectorCol = new Param<>(owner, "vectorCol", "an ML vector column of features; empty: none");
    idCol = new Param<>(owner, "idCol", "the column that names rows in errors; empty for none");
    outputPrefix = new Param<>(owner, "outputPrefix", "the prefix of the output columns");
    onInvalid =
        new Param<>(
            owner,
            "onInvalid",
            "error (fail naming the row) or skip (drop the row) for null or NaN features",
            ParamValidators.inArray(new String[] {"error", "skip"}));
  }

  public void defaults(Params owner) {
    owner.setDefault(featuresCols, new String[0]);
    owner.setDefault(vectorCol, "");
    owner.setDefault(idCol, "");
    owner.setDefault(outputPrefix, "uncertainty");
    owner.setDefault(onInvalid, "error");
  }

  /** The features read from {@code schema}; {@code size} checks a vector's length (-1: any). */
  public FeatureSpace features(Params owner, StructType schema, int size) {
    String vector = owner.getOrDefault(vectorCol);
    String[] columns = owner.getOrDefault(featuresCols);
    Columns.requireId(schema, owner.getOrDefault(idCol));
    if (!vector.isEmpty()) {
      return FeatureSpace.ofVector(schema, vector, size);
    }
    if (columns.length == 0) {
      throw new InvalidFeatureException(
          "the stage reads no features: set featuresCols or vectorCol");
    }
    return FeatureSpace.ofColumns(schema, List.of(columns));
  }
}
