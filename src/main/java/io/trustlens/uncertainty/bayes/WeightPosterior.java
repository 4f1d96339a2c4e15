package io.trustlens.uncertainty.bayes;

import io.trustlens.feature.RowSeeds;
import io.trustlens.model.training.Dense;
import java.util.SplittableRandom;

/**
 * A fully connected network's factorised Gaussian posterior over its weights, q(w) = Π N(μ, σ²), as
 * {@link BayesByBackprop} fits it: the posterior predictive of a row is approximated by K networks
 * whose weights are drawn from q. Spark-free; rows are scored in the JVM in double precision.
 *
 * <p>Invariants:
 *
 * <ol>
 *   <li>The K weight draws depend on the seed alone ({@link #draw}), and every row is scored by the
 *       same K networks, so a row's draws do not depend on its batch, partition or executor.
 *   <li>Inputs are standardised by the training rows' means and standard deviations; a regression's
 *       outputs are returned in the target's own units.
 * </ol>
 *
 * @param sizes layer sizes, input to output (outputs: classes, or 1 for a regression)
 * @param mu per layer its {@code in × out} weight means (input-major) then its {@code out} bias
 *     means
 * @param sigma the standard deviations, laid out as {@code mu}
 * @param means the training rows' mean per feature
 * @param scales the training rows' standard deviation per feature (1 where it is 0)
 * @param classifier whether the outputs are class logits
 * @param targetMean a regression target's training mean (0 for a classifier)
 * @param targetScale a regression target's training standard deviation (1 for a classifier)
 * @param noise a regression's observation noise, standard deviation in target units (0 for a
 *     classifier)
 */
public record WeightPosterior(
    int[] sizes,
    double[][] mu,
    double[][] sigma,
    double[] means,
    double[] scales,
    boolean classifier,
    double targetMean,
    double targetScale,
    double noise)
    implements java.io.Serializable {

  /** Outputs per row: classes, or 1. */
  public int outputs() {
    return sizes[sizes.length - 1];
  }

  /** {@code k} weight sets drawn from q with {@code seed}: [draw][layer][weights then biases]. */
  public double[][][] draw(int k, long seed) {
    double[][][] sets = new double[k][mu.length][];
    for (int s = 0; s < k; s++) {
      SplittableRandom random = RowSeeds.random(seed, s);
      for (int l = 0; l < mu.length; l++) {
        double[] w = new double[mu[l].length];
        for (int i = 0; i < w.length; i++) {
          w[i] = mu[l][i] + sigma[l][i] * gaussian(random);
        }
        sets[s][l] = w;
      }
    }
    return sets;
  }

  /**
   * The row's outputs under each weight set: {@code K × outputs()} values, logits for a classifier
   * and values in the target's units for a regression.
   */
  public double[] outputs(double[] x, double[][][] sets) {
    int d = sizes[0];
    double[] in = new double[d];
    for (int j = 0; j < d; j++) {
      in[j] = (x[j] - means[j]) / scales[j];
    }
    int w = outputs();
    double[] out = new double[sets.length * w];
    for (int s = 0; s < sets.length; s++) {
      double[] h = in;
      for (int l = 0; l < mu.length; l++) {
        h = Dense.layer(h, sets[s][l], sizes[l], sizes[l + 1], l + 1 < mu.length);
      }
      for (int c = 0; c < w; c++) {
        out[s * w + c] = classifier ? h[c] : targetMean + targetScale * h[c];
      }
    }
    return out;
  }

  /** A standard normal draw (Box-Muller's cosine branch, one pair of uniforms per draw). */
  static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
