package io.trustlens.uncertainty;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.RowKeys;
import io.trustlens.feature.RowSeeds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The rows a network trains on, gathered to the driver: a seeded sample of at most {@code maxRows}
 * rows, each kept by a hash of (seed, row key), then sorted by key (ties by features), so the
 * sample and its order do not depend on the partitioning. The driver holds {@code maxRows ×
 * (features + 1) × 8} bytes.
 *
 * @param rows the features of each sampled row
 * @param labels each row's label (NaN without a label column)
 */
public record TrainingSample(double[][] rows, double[] labels) {

  /**
   * Samples {@code table}.
   *
   * @param labelCol the label column, or empty for none
   * @param skipInvalid drop rows with null or NaN features (or label) instead of failing
   * @throws InvalidFeatureException naming the row, for an invalid row when not skipping
   */
  public static TrainingSample of(
      Dataset<Row> table,
      FeatureSpace space,
      String idCol,
      String labelCol,
      boolean skipInvalid,
      int maxRows,
      long seed) {
    long count = table.count();
    double keep = Math.min(1.0, (double) maxRows / Math.max(1, count));
    StructType keyed =
        new StructType()
            .add("key", DataTypes.LongType, false)
            .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("y", DataTypes.DoubleType, false);
    List<Row> picked =
        new ArrayList<>(
            table
                .mapPartitions(
                    new Sampler(space, table.schema(), idCol, labelCol, skipInvalid, keep, seed),
                    Encoders.row(keyed))
                .collectAsList());
    picked.sort(
        Comparator.<Row>comparingLong(r -> r.getLong(0))
            .thenComparing((a, b) -> compare(a.<Double>getList(1), b.<Double>getList(1)))
            .thenComparingDouble(r -> r.getDouble(2)));
    double[][] rows = new double[picked.size()][];
    double[] labels = new double[picked.size()];
    for (int i = 0; i < rows.length; i++) {
      List<Double> x = picked.get(i).getList(1);
      rows[i] = x.stream().mapToDouble(Double::doubleValue).toArray();
      labels[i] = picked.get(i).getDouble(2);
    }
    return new TrainingSample(rows, labels);
  }

  private static int compare(List<Double> a, List<Double> b) {
    for (int j = 0; j < a.size(); j++) {
      int c = Double.compare(a.get(j), b.get(j));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  /** Reads each row's features (and label) and keeps it with probability {@code keep}. */
  private record Sampler(
      FeatureSpace space,
      StructType schema,
      String idCol,
      String labelCol,
      boolean skip,
      double keep,
      long seed)
      implements MapPartitionsFunction<Row, Row> {
    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      FeatureSpace.Reader reader = space.reader(schema);
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      int labelIndex = labelCol.isEmpty() ? -1 : schema.fieldIndex(labelCol);
      int d = space.size();
      List<Row> out = new ArrayList<>();
      long seen = 0;
      while (rows.hasNext()) {
        Row row = rows.next();
        seen++;
        double[] x = new double[d];
        double y = Double.NaN;
        try {
          reader.read(row, x, 0);
          if (labelIndex >= 0) {
            Object v = row.get(labelIndex);
            if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
              throw new InvalidFeatureException(
                  "label '" + labelCol + "' is " + v + ", not a finite number");
            }
            y = n.doubleValue();
          }
        } catch (InvalidFeatureException | ClassCastException e) {
          if (skip) {
            continue;
          }
          throw new InvalidFeatureException(
              Columns.describe(row, idCol, idIndex, seen) + ": " + e.getMessage());
        }
        long key = RowKeys.of(row, idIndex, x);
        double u = (RowSeeds.mix(seed ^ key) >>> 11) * 0x1.0p-53;
        if (u < keep) {
          out.add(RowFactory.create(key, x, y));
        }
      }
      return out.iterator();
    }
  }
}
