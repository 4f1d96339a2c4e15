package io.trustlens.explore.tsne;

/**
 * Per-row calibration of t-SNE's input affinities (van der Maaten and Hinton 2008): the Gaussian
 * precision {@code β} whose conditional distribution over the row's neighbours has the asked
 * perplexity ({@code exp} of its entropy), found by bisection.
 */
public final class Perplexity {
  private static final int MAX_STEPS = 200;
  private static final double TOLERANCE = 1e-5;

  private Perplexity() {}

  /**
   * Writes {@code p(j|i)} for the row's neighbours to {@code out} from their squared distances
   * (nearest first; infinite for a missing neighbour, which gets 0).
   */
  public static void conditional(double[] distanceSquared, double perplexity, float[] out) {
    int k = distanceSquared.length;
    double nearest = distanceSquared[0];
    double target = Math.log(perplexity);
    double beta = 1;
    double lo = 0;
    double hi = Double.POSITIVE_INFINITY;
    double[] p = new double[k];
    for (int step = 0; step < MAX_STEPS; step++) {
      double sum = 0;
      double weighted = 0;
      for (int j = 0; j < k; j++) {
        double d = distanceSquared[j] - nearest;
        p[j] = Double.isInfinite(d) ? 0 : Math.exp(-beta * d);
        sum += p[j];
        weighted += p[j] * d;
      }
      double entropy = Math.log(sum) + beta * weighted / sum;
      if (Math.abs(entropy - target) < TOLERANCE) {
        break;
      }
      if (entropy > target) {
        lo = beta;
        beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    double sum = 0;
    for (int j = 0; j < k; j++) {
      sum += p[j];
    }
    for (int j = 0; j < k; j++) {
      out[j] = (float) (p[j] / sum);
    }
  }
}
