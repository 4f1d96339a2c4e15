package io.trustlens.model;

/** What a model can do beyond scoring, so that explainers can choose fast paths. */
public enum Capability {
  /** Input gradients are available (TorchScript). */
  DIFFERENTIABLE,
  /** A decision tree or an ensemble of them (TreeSHAP, tree rules). */
  TREE_ENSEMBLE,
  /** A linear or generalised linear model (closed-form attributions). */
  LINEAR
}
