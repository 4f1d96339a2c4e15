package io.trustlens.explain.occlusion;

import io.trustlens.feature.GaussianBlur;
import io.trustlens.feature.ImageShape;
import java.io.Serializable;
import java.util.List;

/**
 * What an occluded value becomes: a constant, given values (a table's means), the image's own mean
 * per channel, or the image blurred (an occluded patch then keeps its coarse shape and loses its
 * detail).
 */
public interface Fill extends Serializable {
  /** The fills by name, the default first; {@code values} is a table's, set with values. */
  List<String> NAMES = List.of("zero", "constant", "mean", "blur", "values");

  /** The values that replace the row {@code x}'s, one per input entry. */
  double[] of(double[] x);

  /** Every occluded entry becomes {@code value}. */
  static Fill constant(double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("the fill value must be finite; got " + value);
    }
    return x -> {
      double[] f = new double[x.length];
      java.util.Arrays.fill(f, value);
      return f;
    };
  }

  /** Entry {@code j} becomes {@code values[j]} (a baseline, or the background's means). */
  static Fill values(double[] values) {
    double[] copy = values.clone();
    return x -> {
      if (x.length != copy.length) {
        throw new IllegalArgumentException(
            "the fill has " + copy.length + " values; the input has " + x.length);
      }
      return copy.clone();
    };
  }

  /** Each channel's pixels become that channel's mean in the image. */
  static Fill imageMean(ImageShape shape) {
    return x -> {
      int plane = shape.height() * shape.width();
      double[] f = new double[x.length];
      for (int c = 0; c < shape.channels(); c++) {
        double sum = 0;
        for (int p = 0; p < plane; p++) {
          sum += x[c * plane + p];
        }
        java.util.Arrays.fill(f, c * plane, (c + 1) * plane, sum / plane);
      }
      return f;
    };
  }

  /** Each pixel becomes the image blurred by a Gaussian of {@code sigma} pixels. */
  static Fill blur(ImageShape shape, double sigma) {
    if (!(sigma > 0 && sigma < Double.POSITIVE_INFINITY)) {
      throw new IllegalArgumentException("the blur sigma must be > 0 and finite; got " + sigma);
    }
    return x -> GaussianBlur.apply(x, shape.channels(), shape.height(), shape.width(), sigma);
  }
}
