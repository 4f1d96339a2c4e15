package io.trustlens.uncertainty.autoencoder;

import io.trustlens.model.training.Adam;
import io.trustlens.model.training.Dense;
import io.trustlens.model.training.Reconstruction;
import java.util.SplittableRandom;

/**
 * A fully connected autoencoder whose reconstruction error says how unfamiliar a row is (novelty
 * detection by reconstruction: Japkowicz et al. 1995; Hinton and Salakhutdinov 2006, no arXiv id):
 * trained to reproduce standardised training rows through a narrow middle layer, it reproduces rows
 * like them well and others badly. Spark-free; trained and scored in the JVM in double precision
 * ({@link Reconstruction}, {@link Adam}).
 *
 * <p>Invariants:
 *
 * <ol>
 *   <li>A row's error depends on the row and the fitted weights alone, never on where it is scored.
 *   <li>A fit depends on its rows, in their order, and the seed alone: initial weights and
 *       minibatch order are drawn in the JVM from the seed.
 *   <li>Errors are in standardised units (each feature centred and scaled by the training rows'
 *       standard deviation; a constant feature is only centred): the mean over features of the
 *       squared difference between a row and its reconstruction.
 * </ol>
 */
public final class Autoencoder implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final int[] sizes;
  private final double[][] weights;
  private final double[] means;
  private final double[] scales;

  /**
   * An autoencoder of layer {@code sizes} (input, hidden..., output = input).
   *
   * @param weights per layer l its {@code sizes[l] × sizes[l+1]} matrix (row-major, input-major)
   *     followed by its {@code sizes[l+1]} biases
   * @param means the training rows' mean per feature
   * @param scales the training rows' standard deviation per feature (1 where it is 0)
   */
  public Autoencoder(int[] sizes, double[][] weights, double[] means, double[] scales) {
    if (sizes.length < 3 || sizes[0] != sizes[sizes.length - 1]) {
      throw new IllegalArgumentException("an autoencoder's layers run from d through hidden to d");
    }
    for (int l = 0; l + 1 < sizes.length; l++) {
      if (weights[l].length != sizes[l] * sizes[l + 1] + sizes[l + 1]) {
        throw new IllegalArgumentException("layer " + l + " has the wrong number of weights");
      }
    }
    this.sizes = sizes.clone();
    this.weights = weights;
    this.means = means.clone();
    this.scales = scales.clone();
  }

  /** The layer sizes, input to output. */
  public int[] sizes() {
    return sizes.clone();
  }

  /** Per layer, its weights then its biases (see the constructor). */
  public double[][] weights() {
    return weights;
  }

  public double[] means() {
    return means.clone();
  }

  public double[] scales() {
    return scales.clone();
  }

  /** The row's reconstruction error: mean squared difference in standardised units. */
  public double error(double[] x) {
    int d = sizes[0];
    double[] in = new double[d];
    for (int j = 0; j < d; j++) {
      in[j] = (x[j] - means[j]) / scales[j];
    }
    double[] h = in;
    for (int l = 0; l + 1 < sizes.length; l++) {
      h = Dense.layer(h, weights[l], sizes[l], sizes[l + 1], l + 2 < sizes.length);
    }
    double sum = 0;
    for (int j = 0; j < d; j++) {
      double e = h[j] - in[j];
      sum += e * e;
    }
    return sum / d;
  }

  /** How a fit runs: minibatch steps of Adam on the mean squared reconstruction error. */
  public record Options(int steps, int batchSize, double learningRate, long seed) {
    public Options {
      if (steps < 1 || batchSize < 1 || !(learningRate > 0)) {
        throw new IllegalArgumentException(
            "steps and batchSize must be >= 1 and learningRate > 0; got "
                + steps
                + ", "
                + batchSize
                + ", "
                + learningRate);
      }
    }
  }

  /** The hidden layers used when none are given: h, b, h with h ≈ d/2 and b ≈ d/4. */
  public static int[] defaultHidden(int d) {
    int h = Math.max(2, Math.min(64, (d + 1) / 2));
    int b = Math.max(1, Math.min(16, (d + 3) / 4));
    return new int[] {h, b, h};
  }

  /**
   * Fits an autoencoder to {@code rows} (each a feature row) with {@code hidden} layers.
   *
   * @throws IllegalArgumentException when there are no rows or a row is not finite
   */
  public static Autoencoder fit(double[][] rows, int[] hidden, Options options) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("an autoencoder needs training rows; got none");
    }
    int d = rows[0].length;
    int[] sizes = new int[hidden.length + 2];
    sizes[0] = d;
    System.arraycopy(hidden, 0, sizes, 1, hidden.length);
    sizes[sizes.length - 1] = d;
    double[] means = new double[d];
    double[] scales = new double[d];
    Dense.standardisation(rows, means, scales);
    int n = rows.length;
    double[] data = new double[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        data[i * d + j] = (rows[i][j] - means[j]) / scales[j];
      }
    }
    SplittableRandom random = new SplittableRandom(options.seed());
    int layers = sizes.length - 1;
    double[][] params = new double[2 * layers][];
    for (int l = 0; l < layers; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      double limit = Math.sqrt(6.0 / (in + out)); // Glorot uniform
      params[2 * l] = new double[in * out];
      for (int k = 0; k < in * out; k++) {
        params[2 * l][k] = (2 * random.nextDouble() - 1) * limit;
      }
      params[2 * l + 1] = new double[out];
    }
    double[][] gradients = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      gradients[i] = new double[params[i].length];
    }
    Adam adam = new Adam(options.learningRate(), params);
    int batch = Math.min(options.batchSize(), n);
    Dense.Order order = new Dense.Order(n, random);
    double[] x = new double[batch * d];
    Reconstruction loss = new Reconstruction(sizes);
    for (int step = 0; step < options.steps(); step++) {
      for (int r = 0; r < batch; r++) {
        System.arraycopy(data, order.next() * d, x, r * d, d);
      }
      double value = loss.lossAndGradient(params, x, batch, gradients);
      Dense.requireFinite("the autoencoder", value, step, options.steps(), options.learningRate());
      adam.step(params, gradients);
    }
    double[][] weights = new double[layers][];
    for (int l = 0; l < layers; l++) {
      weights[l] = new double[params[2 * l].length + params[2 * l + 1].length];
      System.arraycopy(params[2 * l], 0, weights[l], 0, params[2 * l].length);
      System.arraycopy(
          params[2 * l + 1], 0, weights[l], params[2 * l].length, params[2 * l + 1].length);
    }
    return new Autoencoder(sizes, weights, means, scales);
  }

  /**
   * The {@code percentile} (0 to 100) of {@code errors} by the nearest rank: the smallest value
   * with at least that share of values at or below it.
   */
  public static double percentile(double[] errors, double percentile) {
    double[] sorted = errors.clone();
    java.util.Arrays.sort(sorted);
    int rank = (int) Math.ceil(percentile / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
