/**
 * t-SNE for up to a million rows and more (van der Maaten 2014, JMLR 15; FIt-SNE, arXiv
 * 1712.09005): per-row perplexity calibration on the executors, sparse symmetric affinities and a
 * multi-threaded Barnes-Hut or FFT-interpolated optimisation on the driver; trustworthiness.
 */
package io.trustlens.explore.tsne;
