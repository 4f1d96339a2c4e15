/**
 * The neighbour graph: exact search, a random projection forest with one neighbour-descent round,
 * found block by block on the executors. Shared by t-SNE and, later, example-based explanations.
 */
package io.trustlens.explore.knn;
