/**
 * Per-row and whole-model uncertainty: the spread of K draws per row ({@link
 * io.trustlens.uncertainty.Spread}; ensemble members, Monte Carlo dropout passes in {@code
 * dropout}, weight samples of a Bayesian network in {@code bayes}), the spread of the members'
 * explanations ({@link io.trustlens.uncertainty.ExplanationSpread}), reconstruction error in {@code
 * autoencoder}, calibration in {@code calibration}, conformal sets in {@code conformal}.
 */
package io.trustlens.uncertainty;
