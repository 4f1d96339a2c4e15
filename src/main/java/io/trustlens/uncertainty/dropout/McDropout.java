package io.trustlens.uncertainty.dropout;

import io.trustlens.feature.RowSeeds;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.MonteCarloModel;
import java.util.SplittableRandom;

/**
 * Monte Carlo dropout (Gal and Ghahramani 2016, arXiv 1506.02142): T stochastic forward passes of
 * each row with dropout left on, whose spread approximates the posterior predictive of a Bayesian
 * network. Spark-free: the rows of a batch and their T passes go to the model in one call.
 *
 * <p>Invariants:
 *
 * <ol>
 *   <li>A row's noise, hence its T passes, depends on (seed, row key) alone: not on the rows it is
 *       batched with, its partition, or the thread (the model's chunks are of a fixed size).
 *   <li>Every noise number is uniform on the grid {k / 2^24 : 0 ≤ k < 2^24} and independent of
 *       every other, so a unit kept where its noise is ≥ p (p on that grid, such as 0.25 or 0.5) is
 *       kept with probability exactly 1 − p, independently across units, passes and rows.
 * </ol>
 */
public final class McDropout {
  private final MonteCarloModel model;
  private final int passes;
  private final long seed;

  /**
   * T = {@code passes} passes of {@code model} per row, with noise from {@code seed}.
   *
   * @throws IllegalArgumentException when {@code passes} is below 2 (one pass has no spread)
   */
  public McDropout(MonteCarloModel model, int passes, long seed) {
    if (passes < 2) {
      throw new IllegalArgumentException(
          "Monte Carlo dropout needs at least 2 passes per row; got " + passes);
    }
    this.model = model;
    this.passes = passes;
    this.seed = seed;
  }

  /** Passes per row, T. */
  public int passes() {
    return passes;
  }

  /** The model's description. */
  public ModelInfo info() {
    return model.info();
  }

  /**
   * The noise of one row's passes: {@code count} uniform numbers from (seed, key), each 24 random
   * bits over 2^24 (exact in a float, so the keep rate of any p on that grid is exact).
   */
  public static void noise(long seed, long key, float[] dest, int offset, int count) {
    SplittableRandom random = RowSeeds.random(seed, key);
    for (int i = 0; i < count; i++) {
      dest[offset + i] = (random.nextInt() >>> 8) * 0x1.0p-24f;
    }
  }

  /**
   * The passes of {@code n} rows.
   *
   * @param xs the rows' inputs, {@code n × inputSize}, row-major
   * @param keys each row's key
   * @return {@code n × T × outputSize} raw outputs, row-major (row, then pass)
   */
  public double[] outputs(double[] xs, long[] keys, int n) {
    int d = model.info().inputSize();
    int u = model.noiseSize();
    int rows = n * passes;
    double[] inputs = new double[rows * d];
    float[] noise = new float[rows * u];
    for (int i = 0; i < n; i++) {
      for (int t = 0; t < passes; t++) {
        System.arraycopy(xs, i * d, inputs, (i * passes + t) * d, d);
      }
      noise(seed, keys[i], noise, i * passes * u, passes * u);
    }
    return model.passes(inputs, noise, rows);
  }
}
