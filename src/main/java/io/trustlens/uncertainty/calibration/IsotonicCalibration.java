package io.trustlens.uncertainty.calibration;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.mllib.regression.IsotonicRegression;
import org.apache.spark.mllib.regression.IsotonicRegressionModel;
import scala.Tuple3;

/**
 * Isotonic calibration (Zadrozny and Elkan 2002) as a Spark ML estimator: per calibrated class a
 * non-decreasing step map from the class's probability to its observed frequency, fitted by MLlib's
 * {@code IsotonicRegression} (pool adjacent violators); one map for two classes (class 1), one per
 * class renormalised for more. The rows go to MLlib sorted in one partition, so the fit does not
 * depend on the input's partitioning.
 */
public final class IsotonicCalibration extends Calibrator<IsotonicCalibrationModel> {
  private static final long serialVersionUID = 1L;

  public IsotonicCalibration() {
    this(Identifiable$.MODULE$.randomUID("isotonicCalibration"));
  }

  public IsotonicCalibration(String uid) {
    super(uid);
  }

  @Override
  protected IsotonicCalibrationModel fitScores(LabelledScores data, JavaRDD<Scored> rows) {
    int classes = data.classes();
    int k = PlattFit.fitted(classes);
    double[][] boundaries = new double[k][];
    double[][] predictions = new double[k][];
    for (int i = 0; i < k; i++) {
      int c = PlattFit.classOf(i, classes);
      JavaRDD<Tuple3<Double, Double, Double>> points =
          rows.map(
                  s ->
                      new Tuple3<>(
                          s.label() == c ? 1.0 : 0.0,
                          IsotonicCalibrationModel.softmax(s.logits(), c),
                          1.0))
              .sortBy(t -> t._2(), true, 1);
      IsotonicRegressionModel fitted = new IsotonicRegression().setIsotonic(true).run(points);
      boundaries[i] = fitted.boundaries();
      predictions[i] = fitted.predictions();
    }
    return new IsotonicCalibrationModel(uid())
        .setBoundaries(boundaries)
        .setPredictions(predictions)
        .setClasses(classes);
  }

  @Override
  public IsotonicCalibration copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<IsotonicCalibration> read() {
    return new DefaultParamsReader<>();
  }

  public static IsotonicCalibration load(String path) {
    return read().load(path);
  }
}
