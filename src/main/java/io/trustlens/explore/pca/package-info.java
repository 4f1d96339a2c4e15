/**
 * Principal components in a few distributed passes with exact (double-double) sums: the exact
 * covariance solver and randomized subspace iteration (Halko, Martinsson and Tropp 2011, arXiv
 * 0909.4061); {@link io.trustlens.explore.pca.Pca} is the Spark ML Estimator.
 */
package io.trustlens.explore.pca;
