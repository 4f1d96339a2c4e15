package io.trustlens.uncertainty;

import java.io.Serializable;

/**
 * K draws of each row's prediction, made on an executor: the members of an ensemble or the passes
 * of Monte Carlo dropout. {@link SpreadStage} turns them into a row's spread.
 */
public interface Draws {

  /** Draws per row, K. */
  int count();

  /**
   * The draws of {@code n} rows.
   *
   * @param xs the rows' features, {@code n × inputSize}, row-major
   * @param keys each row's key for its random draws
   * @return {@code n × K × width} values, row-major: class probabilities for a classifier (each
   *     draw summing to one), the predicted value for a regression (width 1)
   */
  double[] draw(double[] xs, long[] keys, int n);

  /** What opens the draws on an executor; small and serialisable. */
  interface Source extends Serializable {
    /** The draws, ready in this JVM (each model opened once per executor). */
    Draws open();
  }
}
