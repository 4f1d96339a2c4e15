package io.trustlens.job;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.trustlens.feature.ColumnNames;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * The Poisson bootstrap (Oza and Russell 2001; Hanley and MacGibbon 2006, no arXiv id): each row of
 * member k is weighted by a Poisson(1) count, drawn from a hash of (seed, k, the row's key), so a
 * member's sample does not depend on the partitioning and needs no shuffle. As the table grows,
 * Poisson(1) counts approach the multinomial counts of resampling n rows with replacement.
 *
 * <p>Invariant: the count is the inverse of the Poisson(1) distribution function at a uniform
 * number u on a grid of 2^53 points, so P(count = c) is e^-1 / c! up to 2^-53 for c below {@link
 * #MAX_COUNT}, which takes the tail (its mass beyond it is below 10^-9).
 */
final class Bootstrap {
  /** The largest count; P(Poisson(1) > 12) < 10^-9. */
  static final int MAX_COUNT = 12;

  private Bootstrap() {}

  /** The weight column of member {@code k}: a Poisson(1) count per row. */
  static Column weight(long seed, int k, List<Column> keys) {
    Column u = uniform(keys, lit(seed), lit(k));
    double p = Math.exp(-1);
    double cdf = p;
    Column count = when(u.lt(lit(cdf)), lit(0.0));
    for (int c = 1; c < MAX_COUNT; c++) {
      p /= c;
      cdf += p;
      count = count.when(u.lt(lit(cdf)), lit((double) c));
    }
    return count.otherwise(lit((double) MAX_COUNT));
  }

  /**
   * A number in [0, 1) per row from a hash of {@code salt} and its {@code keys}: {@link
   * io.trustlens.feature.RowKeys#uniform}.
   */
  static Column uniform(List<Column> keys, Column... salt) {
    return io.trustlens.feature.RowKeys.uniform(keys, salt);
  }

  /** A row's key columns: the id column, else every column of {@code table}. */
  static List<Column> keys(org.apache.spark.sql.Dataset<?> table, String id) {
    return id != null
        ? List.of(ColumnNames.col(id))
        : io.trustlens.feature.RowKeys.content(table.schema());
  }
}
