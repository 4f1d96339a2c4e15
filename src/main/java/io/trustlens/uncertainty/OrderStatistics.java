package io.trustlens.uncertainty;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Exact order statistics of a distributed list of doubles: one distributed sort, then the values at
 * the wanted ranks. The result depends on the values alone, not on the partitioning.
 */
public final class OrderStatistics {
  private OrderStatistics() {}

  /**
   * The values at 0-based {@code ranks} of {@code values} sorted ascending, in the order of {@code
   * ranks}.
   */
  public static double[] at(JavaRDD<Double> values, long[] ranks) {
    long[] wanted = Arrays.stream(ranks).distinct().sorted().toArray();
    List<Tuple2<Double, Long>> found =
        values
            .sortBy(v -> v, true, values.getNumPartitions())
            .zipWithIndex()
            .filter(t -> Arrays.binarySearch(wanted, t._2()) >= 0)
            .collect();
    double[] byRank = new double[wanted.length];
    for (Tuple2<Double, Long> t : found) {
      byRank[Arrays.binarySearch(wanted, t._2())] = t._1();
    }
    double[] out = new double[ranks.length];
    for (int i = 0; i < ranks.length; i++) {
      out[i] = byRank[Arrays.binarySearch(wanted, ranks[i])];
    }
    return out;
  }
}
