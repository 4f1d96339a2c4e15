/**
 * Multidimensional scaling: classical (Torgerson) MDS of landmark rows and the landmark extension
 * of de Silva and Tenenbaum (2004) that places every row on the executors; stress on a sample.
 */
package io.trustlens.explore.mds;
