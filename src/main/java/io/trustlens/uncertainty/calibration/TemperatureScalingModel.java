package io.trustlens.uncertainty.calibration;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/** A fitted {@link TemperatureScaling}: class probabilities softmax(z / T). */
public final class TemperatureScalingModel extends CalibratorModel<TemperatureScalingModel> {
  private static final long serialVersionUID = 1L;

  private final DoubleParam temperature;
  private final IntParam classes;

  public TemperatureScalingModel() {
    this(Identifiable$.MODULE$.randomUID("temperatureScalingModel"));
  }

  public TemperatureScalingModel(String uid) {
    super(uid);
    temperature =
        new DoubleParam(this, "temperature", "the fitted temperature T > 0", ParamValidators.gt(0));
    classes =
        new IntParam(this, "classes", "classes of the calibrated model", ParamValidators.gt(1));
    setDefault(temperature, 1.0);
  }

  public DoubleParam temperature() {
    return temperature;
  }

  public IntParam classesParam() {
    return classes;
  }

  public double getTemperature() {
    return (Double) $(temperature);
  }

  public TemperatureScalingModel setTemperature(double value) {
    set(temperature, value);
    return this;
  }

  public TemperatureScalingModel setClasses(int value) {
    set(classes, value);
    return this;
  }

  @Override
  public int classes() {
    return (Integer) $(classes);
  }

  @Override
  public Map map() {
    double beta = 1 / getTemperature();
    return z -> {
      double lse = LabelledScores.logSumExp(z, beta);
      double[] p = new double[z.length];
      for (int c = 0; c < z.length; c++) {
        p[c] = Math.exp(beta * z[c] - lse);
      }
      return p;
    };
  }

  public static MLReader<TemperatureScalingModel> read() {
    return new DefaultParamsReader<>();
  }

  public static TemperatureScalingModel load(String path) {
    return read().load(path);
  }
}
