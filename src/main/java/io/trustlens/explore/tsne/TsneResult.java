package io.trustlens.explore.tsne;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A t-SNE run: the table with its map, and figures to judge it by.
 *
 * @param table the input rows with {@code tsne_x} and {@code tsne_y}
 * @param rows rows in the table
 * @param mappedRows rows mapped by the optimisation (the others placed among them)
 * @param dimensions the dimensions the neighbours were found in (after any PCA)
 * @param neighbours neighbours per row
 * @param search exact or approximate
 * @param repulsion barnes-hut, fft, or both with the FFT's share of iterations
 * @param affinities stored non-zeros of the symmetric affinities
 * @param klDivergence the final KL divergence (Barnes-Hut normaliser)
 * @param trustworthiness trustworthiness (k = 10) on a sample, in the features' own space
 * @param secondsReading reading, reduction and gathering of the features
 * @param secondsNeighbours the neighbour graph and affinities
 * @param secondsOptimising the optimisation on the driver
 */
public record TsneResult(
    Dataset<Row> table,
    long rows,
    long mappedRows,
    int dimensions,
    int neighbours,
    String search,
    String repulsion,
    long affinities,
    double klDivergence,
    double trustworthiness,
    double secondsReading,
    double secondsNeighbours,
    double secondsOptimising) {}
