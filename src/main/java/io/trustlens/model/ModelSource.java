package io.trustlens.model;

import java.io.Serializable;

/**
 * A model as it travels from the driver to executors: small and serialisable, it opens the real
 * model on the executor, once per JVM (a broadcast for MLlib, {@link ModelCache} for TorchScript).
 */
public interface ModelSource extends Serializable {

  /** What the model is, known on the driver without opening it on an executor. */
  ModelInfo info();

  /**
   * What each model behind this source is, known on the driver: the members of an ensemble, else
   * the model itself.
   */
  default java.util.List<ModelInfo> memberInfos() {
    return java.util.List.of(info());
  }

  /** The model, ready to score in this JVM; cheap after the first call. */
  BatchModel open();

  /**
   * The model, ready to give input gradients in this JVM; cheap after the first call.
   *
   * @throws InvalidModelException when the model is not differentiable (only TorchScript is)
   */
  default DifferentiableModel openDifferentiable() {
    throw new InvalidModelException(
        info().location()
            + " is "
            + info().type()
            + ", which gives no input gradients; gradient methods need a TorchScript model"
            + " (for any model use explain --method kernel, permutation or exact; for MLlib trees"
            + " also tree)");
  }

  /**
   * Fails, on the driver, unless the model makes Monte Carlo dropout passes ({@link
   * MonteCarloModel}).
   */
  default void checkMonteCarlo() {
    throw new InvalidModelException(
        info().location()
            + " is "
            + info().type()
            + ", which has no Monte Carlo dropout; it needs a TorchScript model that exports"
            + " forward_mc(x, noise) and declares mc_noise in its card (for several models use"
            + " their ensemble's disagreement)");
  }

  /**
   * A private, differentiable copy of the model whose parameters the caller may change (the sanity
   * checks randomize them), loaded afresh: the caller closes it.
   */
  default TorchScriptModel openPrivateCopy() {
    throw new InvalidModelException(
        info().location()
            + " is a "
            + info().type()
            + " model: sanity checks randomize a TorchScript module's parameters and compare its"
            + " gradient maps; they need a TorchScript model");
  }

  /** The model, ready for Monte Carlo dropout passes in this JVM; cheap after the first call. */
  default MonteCarloModel openMonteCarlo() {
    checkMonteCarlo();
    throw new IllegalStateException("unreachable");
  }
}
