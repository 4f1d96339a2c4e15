package io.trustlens.model;

/**
 * A model with Monte Carlo dropout (Gal and Ghahramani 2016, arXiv 1506.02142): each call makes one
 * stochastic pass per input row, with dropout masks made from uniform noise that the caller draws.
 * Noise from the caller, not from the engine's global generator, makes a row's passes reproducible
 * from (seed, row key) and safe when several task threads share one module.
 *
 * <p>A TorchScript module offers it by exporting {@code forward_mc(x, noise)}, {@code noise} being
 * {@code (N, mc_noise)} uniform [0, 1) numbers (its card's {@code mc_noise}), and keeping a unit
 * where its noise is at least the dropout rate p, scaled by 1 / (1 − p).
 */
public interface MonteCarloModel {

  /** What the model is, reads and outputs. */
  ModelInfo info();

  /** Uniform numbers one pass of one row takes. */
  int noiseSize();

  /** Rows per call the model scores best. */
  int batchRows();

  /**
   * One stochastic pass per row.
   *
   * @param inputs {@code rows × info().inputSize()} values, row-major
   * @param noise {@code rows × noiseSize()} uniform [0, 1) numbers, row-major
   * @return {@code rows × info().outputSize()} outputs, row-major
   */
  double[] passes(double[] inputs, float[] noise, int rows);
}
