package io.trustlens.job;

import io.trustlens.feature.FeatureSpace;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Iterator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The mean of every feature value over a table, summed on the executors in one pass. The sums are
 * exact (every double is a finite binary fraction, and {@link BigDecimal} adds them without
 * rounding), so the mean has the same bits however the table is partitioned and whichever partition
 * finishes first; a floating-point sum would not.
 */
final class FeatureMeans {
  private FeatureMeans() {}

  static double[] of(Dataset<Row> table, FeatureSpace features) {
    StructType schema = table.schema();
    int d = features.size();
    BigDecimal[] total =
        table
            .toJavaRDD()
            .mapPartitions(
                (Iterator<Row> rows) -> {
                  FeatureSpace.Reader reader = features.reader(schema);
                  BigDecimal[] sum = zeros(d + 1);
                  double[] x = new double[d];
                  while (rows.hasNext()) {
                    reader.read(rows.next(), x, 0);
                    for (int j = 0; j < d; j++) {
                      sum[j] = sum[j].add(new BigDecimal(x[j]));
                    }
                    sum[d] = sum[d].add(BigDecimal.ONE);
                  }
                  return java.util.Collections.singletonList(sum).iterator();
                })
            .reduce(
                (a, b) -> {
                  BigDecimal[] c = new BigDecimal[a.length];
                  for (int j = 0; j < c.length; j++) {
                    c[j] = a[j].add(b[j]);
                  }
                  return c;
                });
    double[] mean = new double[d];
    for (int j = 0; j < d; j++) {
      mean[j] = total[j].divide(total[d], MathContext.DECIMAL64).doubleValue();
    }
    return mean;
  }

  private static BigDecimal[] zeros(int n) {
    BigDecimal[] z = new BigDecimal[n];
    java.util.Arrays.fill(z, BigDecimal.ZERO);
    return z;
  }
}
