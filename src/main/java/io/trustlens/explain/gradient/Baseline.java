package io.trustlens.explain.gradient;

import io.trustlens.feature.GaussianBlur;
import io.trustlens.feature.ImageShape;
import java.io.Serializable;

/**
 * The input that stands for "no signal" in Integrated Gradients: zeros, fixed values (such as the
 * training table's mean), or the row's own image blurred (Sturmfels et al. 2020, "Visualizing the
 * Impact of Feature Attribution Baselines", Distill).
 */
public interface Baseline extends Serializable {

  /** The baseline of the row {@code x}. */
  double[] of(double[] x);

  /** All zeros. */
  static Baseline zero() {
    return x -> new double[x.length];
  }

  /** The same values for every row (one per input entry). */
  static Baseline values(double[] values) {
    double[] copy = values.clone();
    return x -> {
      if (x.length != copy.length) {
        throw new IllegalArgumentException(
            "the baseline has " + copy.length + " values; the input has " + x.length);
      }
      return copy.clone();
    };
  }

  /**
   * The row's image blurred by a Gaussian of standard deviation {@code sigma} pixels, channel by
   * channel, separably, with edges clamped.
   */
  static Baseline blur(ImageShape shape, double sigma) {
    if (!(sigma > 0)) {
      throw new IllegalArgumentException("blur sigma must be > 0; got " + sigma);
    }
    return x -> GaussianBlur.apply(x, shape.channels(), shape.height(), shape.width(), sigma);
  }
}
