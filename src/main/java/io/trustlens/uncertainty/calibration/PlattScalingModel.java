package io.trustlens.uncertainty.calibration;

import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * A fitted {@link PlattScaling}: p_c = σ(a_c s_c + b_c), renormalised for more than two classes.
 */
public final class PlattScalingModel extends CalibratorModel<PlattScalingModel> {
  private static final long serialVersionUID = 1L;

  private final DoubleArrayParam slopes;
  private final DoubleArrayParam intercepts;
  private final IntParam classes;

  public PlattScalingModel() {
    this(Identifiable$.MODULE$.randomUID("plattScalingModel"));
  }

  public PlattScalingModel(String uid) {
    super(uid);
    slopes = new DoubleArrayParam(this, "slopes", "a_c per calibrated class (class 1 of two)");
    intercepts = new DoubleArrayParam(this, "intercepts", "b_c per calibrated class");
    classes =
        new IntParam(this, "classes", "classes of the calibrated model", ParamValidators.gt(1));
  }

  public DoubleArrayParam slopes() {
    return slopes;
  }

  public DoubleArrayParam intercepts() {
    return intercepts;
  }

  public IntParam classesParam() {
    return classes;
  }

  public double[] getSlopes() {
    return $(slopes);
  }

  public double[] getIntercepts() {
    return $(intercepts);
  }

  public PlattScalingModel setSlopes(double[] value) {
    set(slopes, value);
    return this;
  }

  public PlattScalingModel setIntercepts(double[] value) {
    set(intercepts, value);
    return this;
  }

  public PlattScalingModel setClasses(int value) {
    set(classes, value);
    return this;
  }

  @Override
  public int classes() {
    return (Integer) $(classes);
  }

  @Override
  public Map map() {
    double[] a = getSlopes();
    double[] b = getIntercepts();
    return z -> PlattFit.calibrate(z, a, b);
  }

  public static MLReader<PlattScalingModel> read() {
    return new DefaultParamsReader<>();
  }

  public static PlattScalingModel load(String path) {
    return read().load(path);
  }
}
