package io.trustlens.model;

import java.io.Serializable;

/**
 * A model as it travels from the driver to executors: small and serialisable, it opens the real
 * model on the executor, once per JVM (a broadcast for MLlib, {@link ModelCache} for TorchScript).
 */
public interface ModelSource extends Serializable {

  /** What the model is, known on the driver without opening it on an executor. */
  ModelInfo info();

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
}
