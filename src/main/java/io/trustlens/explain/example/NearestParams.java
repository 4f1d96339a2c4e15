package io.trustlens.explain.example;

import io.trustlens.explore.knn.NeighbourSearch;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/** The Params {@link NearestExamples} and its model share, made for an owning stage. */
final class NearestParams implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  final ExampleParams shared;
  final IntParam k;
  final DoubleParam calibration;
  final BooleanParam credibility;
  final Param<String> search;
  final IntParam trees;
  final LongParam seed;
  final BooleanParam standardize;

  NearestParams(Params owner) {
    shared = new ExampleParams(owner, "examples");
    k = new IntParam(owner, "k", "examples per row", ParamValidators.gt(0));
    calibration =
        new DoubleParam(
            owner,
            "calibration",
            "the share of training rows held out to calibrate credibility",
            ParamValidators.inRange(0, 1, false, false));
    credibility =
        new BooleanParam(owner, "credibility", "compute DkNN credibility (labels must be classes)");
    search =
        new Param<>(
            owner,
            "search",
            "auto, exact or approximate",
            ParamValidators.inArray(new String[] {"auto", "exact", "approximate"}));
    trees = new IntParam(owner, "trees", "random projection trees", ParamValidators.gt(0));
    seed = new LongParam(owner, "seed", "seed of the calibration split and the forest");
    standardize =
        new BooleanParam(
            owner,
            "standardize",
            "divide each compared value by its standard deviation over the training rows");
    owner.setDefault(standardize, false);
    owner.setDefault(k, 10);
    owner.setDefault(calibration, 0.1);
    owner.setDefault(credibility, true);
    owner.setDefault(search, "auto");
    owner.setDefault(trees, NeighbourSearch.DEFAULT_TREES);
    owner.setDefault(seed, 42L);
  }
}
