/**
 * LIME (Ribeiro, Singh and Guestrin 2016, arXiv 1602.04938): per row, a linear surrogate fitted to
 * the model's outputs on perturbations of the row, weighted by their proximity to it. {@link
 * io.trustlens.explain.lime.TabularStatistics} holds what perturbations are drawn from (a reference
 * table's means, scales, quartile bins and category frequencies), {@link
 * io.trustlens.explain.lime.TabularSampler} draws them, {@link
 * io.trustlens.explain.lime.LocalSurrogate} fits the weighted ridge (optionally on K features kept
 * by the lasso path or by weight), and {@link io.trustlens.explain.lime.LimeExplainer} runs them
 * over a table in batches inside {@code mapPartitions}.
 */
package io.trustlens.explain.lime;
