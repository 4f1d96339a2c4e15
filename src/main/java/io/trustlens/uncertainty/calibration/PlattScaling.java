package io.trustlens.uncertainty.calibration;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * Platt scaling (Platt 1999) as a Spark ML estimator: a sigmoid of each class's score fitted on a
 * calibration split ({@link PlattFit}); one sigmoid for two classes, one per class (renormalised)
 * for more.
 */
public final class PlattScaling extends Calibrator<PlattScalingModel> {
  private static final long serialVersionUID = 1L;

  public PlattScaling() {
    this(Identifiable$.MODULE$.randomUID("plattScaling"));
  }

  public PlattScaling(String uid) {
    super(uid);
  }

  @Override
  protected PlattScalingModel fitScores(LabelledScores data, JavaRDD<Scored> rows) {
    double[][] fitted = PlattFit.fit(data);
    return new PlattScalingModel(uid())
        .setSlopes(fitted[0])
        .setIntercepts(fitted[1])
        .setClasses(data.classes());
  }

  @Override
  public PlattScaling copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<PlattScaling> read() {
    return new DefaultParamsReader<>();
  }

  public static PlattScaling load(String path) {
    return read().load(path);
  }
}
