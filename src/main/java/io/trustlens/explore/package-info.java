/** Maps of the whole dataset: PCA, MDS, t-SNE and the neighbour graph they share. */
package io.trustlens.explore;
