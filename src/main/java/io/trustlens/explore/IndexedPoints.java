package io.trustlens.explore;

import io.trustlens.explore.knn.Points;
import io.trustlens.explore.pca.PcaModel;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The features of an {@link RowOrder#indexed indexed} table gathered on the driver as {@link
 * Points}, point {@code i} being the row with index {@code i}; optionally projected on principal
 * components on the executors first (t-SNE's usual reduction to 50 dimensions).
 */
public final class IndexedPoints {
  private IndexedPoints() {}

  /** One partition's rows: their indices and features. */
  private record Block(long[] index, float[] values) implements Serializable {}

  /**
   * Reads every row's features ({@code projection} may be null); fails on null or NaN with the row
   * named.
   */
  public static Points collect(
      Dataset<Row> indexed, FeatureSpace features, String idCol, PcaModel projection) {
    return gather(indexed, features, idCol, projection, null);
  }

  /**
   * Reads the features of the rows whose indices are {@code sorted} (ascending), point {@code s}
   * being row {@code sorted[s]}; {@code rows} must hold just those rows ({@code projection} may be
   * null).
   */
  public static Points collectSample(
      Dataset<Row> rows, FeatureSpace features, String idCol, PcaModel projection, long[] sorted) {
    return gather(rows, features, idCol, projection, sorted);
  }

  /** Reads every row's features on the executors, keeping nothing: fails on null or NaN. */
  public static void requireReadable(Dataset<Row> indexed, FeatureSpace features, String idCol) {
    StructType schema = indexed.schema();
    indexed
        .javaRDD()
        .foreachPartition(
            rows -> {
              RowReader reader = new RowReader(features, schema, idCol, null);
              float[] scratch = new float[reader.dimensions()];
              long m = 0;
              while (rows.hasNext()) {
                reader.read(rows.next(), m++, scratch, 0);
              }
            });
  }

  /**
   * Reads rows' features on an executor, projected on principal components when there is a
   * projection, as floats; an error names the row. One per task (it holds scratch space).
   */
  public static final class RowReader {
    private final FeatureSpace.Reader reader;
    private final PcaModel projection;
    private final String idCol;
    private final int idIndex;
    private final double[] x;
    private final double[] z;

    /** A reader of {@code features} from rows of {@code schema}; {@code projection} may be null. */
    public RowReader(FeatureSpace features, StructType schema, String idCol, PcaModel projection) {
      this.reader = features.reader(schema);
      this.projection = projection;
      this.idCol = idCol;
      this.idIndex = idCol == null || idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      this.x = new double[features.size()];
      this.z = projection == null ? null : new double[projection.k()];
    }

    /** Values per row: the features, or the components. */
    public int dimensions() {
      return projection == null ? x.length : z.length;
    }

    /** Writes the row's values to {@code out} from {@code offset}; {@code position} names it. */
    public void read(Row row, long position, float[] out, int offset) {
      try {
        reader.read(row, x, 0);
      } catch (InvalidFeatureException e) {
        throw new InvalidFeatureException(
            Columns.describe(row, idCol, idIndex, position) + ": " + e.getMessage());
      }
      double[] p = x;
      if (projection != null) {
        projection.project(x, z);
        p = z;
      }
      for (int j = 0; j < p.length; j++) {
        out[offset + j] = (float) p[j];
      }
    }
  }

  private static Points gather(
      Dataset<Row> indexed,
      FeatureSpace features,
      String idCol,
      PcaModel projection,
      long[] sorted) {
    StructType schema = indexed.schema();
    int indexCol = schema.fieldIndex(RowOrder.INDEX);
    int d = projection == null ? features.size() : projection.k();
    List<Block> blocks =
        indexed
            .javaRDD()
            .mapPartitions(
                (Iterator<Row> rows) -> {
                  RowReader reader = new RowReader(features, schema, idCol, projection);
                  long[] idx = new long[64];
                  float[] v = new float[64 * d];
                  int m = 0;
                  while (rows.hasNext()) {
                    Row row = rows.next();
                    if (m == idx.length) {
                      idx = java.util.Arrays.copyOf(idx, 2 * m);
                      v = java.util.Arrays.copyOf(v, 2 * m * d);
                    }
                    reader.read(row, m, v, m * d);
                    idx[m] = row.getLong(indexCol);
                    m++;
                  }
                  return List.of(
                          new Block(
                              java.util.Arrays.copyOf(idx, m), java.util.Arrays.copyOf(v, m * d)))
                      .iterator();
                })
            .collect();
    long n = 0;
    for (Block b : blocks) {
      n += b.index.length;
    }
    if (n * d > Integer.MAX_VALUE - 8) {
      throw new InvalidFeatureException(
          n + " rows of " + d + " values do not fit one driver array; reduce with PCA first");
    }
    float[] values = new float[(int) (n * d)];
    for (Block b : blocks) {
      for (int r = 0; r < b.index.length; r++) {
        int at =
            sorted == null ? (int) b.index[r] : java.util.Arrays.binarySearch(sorted, b.index[r]);
        System.arraycopy(b.values, r * d, values, at * d, d);
      }
    }
    return new Points(values, d);
  }
}
