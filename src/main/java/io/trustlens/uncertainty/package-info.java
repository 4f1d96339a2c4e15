/**
 * Per-row and whole-model uncertainty: calibration, ensemble disagreement, MC dropout,
 * reconstruction error, Bayesian nets, conformal sets.
 */
package io.trustlens.uncertainty;
