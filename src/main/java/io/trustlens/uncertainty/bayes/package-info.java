/**
 * A Bayesian neural network fitted by Bayes by Backprop (Blundell et al. 2015, arXiv 1505.05424):
 * the Spark-free fit ({@link io.trustlens.uncertainty.bayes.BayesByBackprop}), the fitted weight
 * posterior ({@link io.trustlens.uncertainty.bayes.WeightPosterior}), and the Spark ML estimator
 * and model that add the spread of K weight samples per row.
 */
package io.trustlens.uncertainty.bayes;
