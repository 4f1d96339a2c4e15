/**
 * Monte Carlo dropout (Gal and Ghahramani 2016, arXiv 1506.02142): T stochastic passes per row of a
 * TorchScript model that exports {@code forward_mc(x, noise)}, with noise drawn per (seed, row
 * key); {@link io.trustlens.uncertainty.dropout.McDropout} is the Spark-free core, {@link
 * io.trustlens.uncertainty.dropout.McDropoutUncertainty} the Spark ML stage.
 */
package io.trustlens.uncertainty.dropout;
