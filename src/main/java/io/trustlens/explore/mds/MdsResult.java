package io.trustlens.explore.mds;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * An MDS run: the table with its map, and figures to judge it by.
 *
 * @param table the input rows with {@code mds1 .. mdsk}
 * @param rows rows mapped
 * @param landmarks rows the classical step decomposed
 * @param classical whether every row was a landmark (classical MDS)
 * @param stressRows rows in the stress sample
 * @param stress Kruskal's stress-1 on that sample
 * @param eigenvalues the classical step's largest eigenvalues
 */
public record MdsResult(
    Dataset<Row> table,
    long rows,
    int landmarks,
    boolean classical,
    int stressRows,
    double stress,
    double[] eigenvalues) {}
