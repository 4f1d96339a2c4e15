package io.trustlens.uncertainty.calibration;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * Temperature scaling (Guo et al. 2017, arXiv 1706.04599) as a Spark ML estimator: fits one
 * temperature T on a calibration split ({@link TemperatureFit}); its model gives softmax(z / T). It
 * keeps every prediction (argmax is unchanged) and only sharpens or softens the probabilities.
 */
public final class TemperatureScaling extends Calibrator<TemperatureScalingModel> {
  private static final long serialVersionUID = 1L;

  public TemperatureScaling() {
    this(Identifiable$.MODULE$.randomUID("temperatureScaling"));
  }

  public TemperatureScaling(String uid) {
    super(uid);
  }

  @Override
  protected TemperatureScalingModel fitScores(LabelledScores data, JavaRDD<Scored> rows) {
    return new TemperatureScalingModel(uid())
        .setTemperature(TemperatureFit.temperature(data))
        .setClasses(data.classes());
  }

  @Override
  public TemperatureScaling copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<TemperatureScaling> read() {
    return new DefaultParamsReader<>();
  }

  public static TemperatureScaling load(String path) {
    return read().load(path);
  }
}
