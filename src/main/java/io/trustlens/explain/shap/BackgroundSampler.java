package io.trustlens.explain.shap;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.RowKeys;
import io.trustlens.feature.RowSeeds;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Builds a {@link Background} from a table on the driver: the {@code size} rows whose (seed, row
 * key) hashes are smallest, which is the same set whatever the partitioning, or a weighted k-means
 * summary (MLlib KMeans; each centre weighted by its cluster's size).
 */
public final class BackgroundSampler {
  private BackgroundSampler() {}

  /** A seeded sample of {@code size} rows (all rows when the table has fewer). */
  public static Background sample(
      Dataset<Row> table, FeatureSpace features, String idCol, int size, long seed) {
    List<Row> rows =
        keyed(table, features, idCol, seed).orderBy("hash", "key").limit(size).collectAsList();
    if (rows.isEmpty()) {
      throw new InvalidFeatureException("the background table has no rows");
    }
    int d = features.size();
    double[] values = new double[rows.size() * d];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(((Vector) rows.get(i).getAs("x")).toArray(), 0, values, i * d, d);
    }
    return Background.of(values, d);
  }

  /** A weighted summary of the table by {@code k} k-means centres. */
  public static Background kmeans(
      Dataset<Row> table, FeatureSpace features, String idCol, int k, long seed) {
    Dataset<Row> points = keyed(table, features, idCol, seed).orderBy("hash", "key");
    KMeansModel model = new KMeans().setK(k).setSeed(seed).setFeaturesCol("x").fit(points);
    Dataset<Row> assigned = model.setPredictionCol("cluster").transform(points);
    long[] counts = new long[model.clusterCenters().length];
    for (Row r : assigned.groupBy("cluster").count().collectAsList()) {
      counts[r.getInt(0)] = r.getLong(1);
    }
    int d = features.size();
    Vector[] centres = model.clusterCenters();
    double[] values = new double[centres.length * d];
    double[] weights = new double[centres.length];
    for (int c = 0; c < centres.length; c++) {
      System.arraycopy(centres[c].toArray(), 0, values, c * d, d);
      weights[c] = counts[c];
    }
    return Background.weighted(values, weights, d);
  }

  /** Rows as (hash of seed and key, key, feature vector); the key is the id or the features. */
  private static Dataset<Row> keyed(
      Dataset<Row> table, FeatureSpace features, String idCol, long seed) {
    StructType schema = table.schema();
    StructType out =
        new StructType()
            .add("hash", DataTypes.LongType)
            .add("key", DataTypes.LongType)
            .add("x", new VectorUDT());
    MapPartitionsFunction<Row, Row> f =
        rows -> {
          FeatureSpace.Reader reader = features.reader(schema);
          int id = idCol == null ? -1 : schema.fieldIndex(idCol);
          int d = features.size();
          List<Row> result = new ArrayList<>();
          long position = 0;
          while (rows.hasNext()) {
            Row row = rows.next();
            position++;
            double[] x = new double[d];
            try {
              reader.read(row, x, 0);
            } catch (InvalidFeatureException e) {
              throw new InvalidFeatureException(
                  Columns.describe(row, idCol, id, position) + ": " + e.getMessage());
            }
            long key = RowKeys.of(row, id, x);
            result.add(RowFactory.create(RowSeeds.mix(seed ^ key), key, Vectors.dense(x)));
          }
          return result.iterator();
        };
    return table.mapPartitions(f, Encoders.row(out));
  }
}
