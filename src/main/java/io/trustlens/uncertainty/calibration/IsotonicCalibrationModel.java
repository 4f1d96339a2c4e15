package io.trustlens.uncertainty.calibration;

import org.apache.spark.ml.param.DoubleArrayArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.mllib.regression.IsotonicRegressionModel;

/**
 * A fitted {@link IsotonicCalibration}: each calibrated class's probability through its isotonic
 * map (MLlib's linear interpolation between boundaries), renormalised for more than two classes.
 */
public final class IsotonicCalibrationModel extends CalibratorModel<IsotonicCalibrationModel> {
  private static final long serialVersionUID = 1L;

  private final DoubleArrayArrayParam boundaries;
  private final DoubleArrayArrayParam predictions;
  private final IntParam classes;

  public IsotonicCalibrationModel() {
    this(Identifiable$.MODULE$.randomUID("isotonicCalibrationModel"));
  }

  public IsotonicCalibrationModel(String uid) {
    super(uid);
    boundaries =
        new DoubleArrayArrayParam(this, "boundaries", "per calibrated class, the map's inputs");
    predictions =
        new DoubleArrayArrayParam(this, "predictions", "per calibrated class, the map's outputs");
    classes =
        new IntParam(this, "classes", "classes of the calibrated model", ParamValidators.gt(1));
  }

  public DoubleArrayArrayParam boundaries() {
    return boundaries;
  }

  public DoubleArrayArrayParam predictions() {
    return predictions;
  }

  public IntParam classesParam() {
    return classes;
  }

  public double[][] getBoundaries() {
    return $(boundaries);
  }

  public double[][] getPredictions() {
    return $(predictions);
  }

  public IsotonicCalibrationModel setBoundaries(double[][] value) {
    set(boundaries, value);
    return this;
  }

  public IsotonicCalibrationModel setPredictions(double[][] value) {
    set(predictions, value);
    return this;
  }

  public IsotonicCalibrationModel setClasses(int value) {
    set(classes, value);
    return this;
  }

  @Override
  public int classes() {
    return (Integer) $(classes);
  }

  @Override
  public Map map() {
    double[][] x = getBoundaries();
    double[][] y = getPredictions();
    IsotonicRegressionModel[] maps = new IsotonicRegressionModel[x.length];
    for (int i = 0; i < maps.length; i++) {
      maps[i] = new IsotonicRegressionModel(x[i], y[i], true);
    }
    return z -> {
      int k = z.length;
      double[] p = new double[k];
      if (k == 2) {
        p[1] = maps[0].predict(softmax(z, 1));
        p[0] = 1 - p[1];
        return p;
      }
      double sum = 0;
      for (int c = 0; c < k; c++) {
        p[c] = maps[c].predict(softmax(z, c));
        sum += p[c];
      }
      for (int c = 0; c < k; c++) {
        p[c] = sum > 0 ? p[c] / sum : 1.0 / k;
      }
      return p;
    };
  }

  /** Class c's softmax probability of logits z. */
  static double softmax(double[] z, int c) {
    return 1 / (1 + Math.exp(-PlattFit.score(z, c)));
  }

  public static MLReader<IsotonicCalibrationModel> read() {
    return new DefaultParamsReader<>();
  }

  public static IsotonicCalibrationModel load(String path) {
    return read().load(path);
  }
}
