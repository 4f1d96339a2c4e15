package io.trustlens.explain.gradient;

import io.trustlens.explore.Eigen;
import io.trustlens.feature.RowSeeds;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SmoothGrad (Smilkov et al. 2017, arXiv 1706.03825): the mean gradient over {@code samples} noisy
 * copies {@code x + ε}, {@code ε ~ N(0, σ²)} with {@code σ = noise × (max(x) − min(x))} (the
 * paper's noise level, relative to the row's input range; 10-20% works best there), or in the
 * {@code squared} variant the mean of the squared gradients (SmoothGrad-SQ, Hooker et al. 2019,
 * arXiv 1806.10758).
 *
 * <p>Invariants: the noise of a row depends on (seed, row key) alone; the map is the plain average
 * of the copies' gradients (or of their squares), in input order.
 */
public final class SmoothGrad implements GradientMethod {
  /** The variants, the default first. */
  public static final List<String> VARIANTS = List.of("mean", "squared");

  /** The paper's sample count. */
  public static final int DEFAULT_SAMPLES = 50;

  /** The noise level, relative to the row's input range. */
  public static final double DEFAULT_NOISE = 0.15;

  private final int samples;
  private final double noise;
  private final boolean squared;
  private final long seed;

  /**
   * SmoothGrad with {@code samples} noisy copies of relative noise level {@code noise}.
   *
   * @param variant {@code mean} or {@code squared}
   */
  public SmoothGrad(int samples, double noise, String variant, long seed) {
    if (samples < 1) {
      throw new IllegalArgumentException("smoothgrad needs at least 1 sample; got " + samples);
    }
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new IllegalArgumentException("smoothgrad noise must be finite and >= 0; got " + noise);
    }
    if (!VARIANTS.contains(variant)) {
      throw new IllegalArgumentException(
          "smoothgrad variant is '" + variant + "'; expected one of " + VARIANTS);
    }
    this.samples = samples;
    this.noise = noise;
    this.squared = variant.equals("squared");
    this.seed = seed;
  }

  @Override
  public int inputsPerRow() {
    return samples;
  }

  @Override
  public void inputs(double[] x, long key, double[] dest, int offset) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    double sigma = noise * (hi - lo);
    SplittableRandom random = RowSeeds.random(seed, key);
    int d = x.length;
    for (int s = 0; s < samples; s++) {
      for (int j = 0; j < d; j++) {
        dest[offset + s * d + j] = x[j] + sigma * Eigen.gaussian(random);
      }
    }
  }

  @Override
  public Attribution attribute(
      double[] x, double[] output, int target, GradientBatch batch, int first) {
    double[] map = new double[x.length];
    for (int s = 0; s < samples; s++) {
      for (int j = 0; j < x.length; j++) {
        double g = batch.gradient(first + s, j);
        map[j] += squared ? g * g : g;
      }
    }
    for (int j = 0; j < x.length; j++) {
      map[j] /= samples;
    }
    return Attribution.of(map, target, output[target]);
  }
}
