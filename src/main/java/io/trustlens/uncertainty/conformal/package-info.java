/**
 * Split conformal prediction on top of any model: classification sets (LAC and APS scores) and
 * regression intervals at coverage 1 − α, with the finite-sample rank, as Spark ML Estimator/Model
 * pairs.
 */
package io.trustlens.uncertainty.conformal;
