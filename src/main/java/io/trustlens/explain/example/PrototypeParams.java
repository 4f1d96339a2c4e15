package io.trustlens.explain.example;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/** The Params {@link PrototypeAttention} and its model share, made for an owning stage. */
final class PrototypeParams implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  final ExampleParams shared;
  final Param<String> prototypes;
  final Param<String> similarity;
  final IntParam classes;
  final IntParam top;
  final IntParam sampleRows;
  final LongParam seed;
  final BooleanParam standardize;
  final Param<String> predictionCol;

  /** A serializable check of {@code prototypes} (the stage may be serialized with its Params). */
  private static final class IsSpec extends scala.runtime.AbstractFunction1<String, Object>
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public Object apply(String v) {
      return PrototypeAttention.isSpec(v);
    }
  }

  PrototypeParams(Params owner) {
    shared = new ExampleParams(owner, "prototype");
    prototypes =
        new Param<>(
            owner,
            "prototypes",
            "kmeans:K (k-means centres), rows:N (N training rows) or class_means",
            new IsSpec());
    similarity =
        new Param<>(
            owner,
            "similarity",
            "dot (<f(x), p>) or neg_squared_distance (-|f(x) - p|^2)",
            ParamValidators.inArray(Prototypes.SIMILARITIES.toArray(new String[0])));
    classes =
        new IntParam(
            owner,
            "classes",
            "classes of the labels (0 .. classes - 1); 0: a regression label's values",
            ParamValidators.gtEq(0));
    top = new IntParam(owner, "top", "heaviest prototypes listed per row", ParamValidators.gt(0));
    sampleRows =
        new IntParam(
            owner,
            "sampleRows",
            "most training rows the prototypes are built from (a seeded sample)",
            ParamValidators.gt(0));
    seed = new LongParam(owner, "seed", "seed of the sample and of k-means");
    standardize =
        new BooleanParam(
            owner, "standardize", "compare z-scores (by the training rows' mean and deviation)");
    predictionCol =
        new Param<>(
            owner,
            "predictionCol",
            "the model's prediction of each row, to compare with the prototypes'; empty: none");
    owner.setDefault(prototypes, "kmeans:20");
    owner.setDefault(similarity, "dot");
    owner.setDefault(classes, 2);
    owner.setDefault(top, 5);
    owner.setDefault(sampleRows, 100_000);
    owner.setDefault(seed, 42L);
    owner.setDefault(standardize, false);
    owner.setDefault(predictionCol, "");
  }
}
