/**
 * Novelty by reconstruction: an autoencoder trained on the driver over a bounded sample of the
 * reference rows ({@link io.trustlens.uncertainty.autoencoder.Autoencoder}), and the Spark ML
 * estimator and model that fit it and score every row's reconstruction error and unfamiliar flag.
 */
package io.trustlens.uncertainty.autoencoder;
