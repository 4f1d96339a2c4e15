package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.Tuple2;

class RocAreaTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  @Test
  void theAreaIsThePairsProbabilityExactlyAndTheSameBitsInAnyPartitioning() {
    Random random = new Random(7);
    List<Row> rows = new ArrayList<>();
    List<Tuple2<Object, Object>> pairs = new ArrayList<>();
    long twice = 0;
    List<double[]> scored = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      double label = random.nextDouble() < 0.3 ? 1 : 0;
      // Scores on a grid of 50 values: many ties, between and within the classes.
      double score = Math.floor((random.nextDouble() + 0.3 * label) * 50) / 65;
      rows.add(RowFactory.create(score, label));
      pairs.add(new Tuple2<>(score, label));
      scored.add(new double[] {score, label});
    }
    long positives = 0;
    for (double[] p : scored) {
      if (p[1] != 1) {
        continue;
      }
      positives++;
      for (double[] n : scored) {
        if (n[1] == 0) {
          twice += p[0] > n[0] ? 2 : p[0] == n[0] ? 1 : 0;
        }
      }
    }
    long negatives = scored.size() - positives;
    double byPairs = twice / (2.0 * positives * negatives);
    StructType schema =
        new StructType().add("score", DataTypes.DoubleType).add("label", DataTypes.DoubleType);
    Dataset<Row> table = SPARK.createDataFrame(rows, schema);
    double one = RocArea.ofSortedScores(table.coalesce(1), col("score"), col("label"));
    assertEquals(byPairs, one, "the Mann-Whitney probability, ties one half");
    // The sorted scores in several partitions too: Spark's adaptive plans would join them in one.
    String coalesce = "spark.sql.adaptive.coalescePartitions.enabled";
    String shuffle = "spark.sql.shuffle.partitions";
    String shuffleBefore = SPARK.conf().get(shuffle);
    SPARK.conf().set(coalesce, "false");
    try {
      for (int partitions : new int[] {2, 3, 7}) {
        SPARK.conf().set(shuffle, String.valueOf(partitions));
        Dataset<Row> t = table.repartition(partitions);
        double many = RocArea.ofSortedScores(t, col("score"), col("label"));
        assertEquals(
            Double.doubleToLongBits(one),
            Double.doubleToLongBits(many),
            partitions + " partitions");
        double driver = RocArea.onTheDriver(t, col("score"), col("label"));
        assertEquals(
            Double.doubleToLongBits(one),
            Double.doubleToLongBits(driver),
            partitions + " partitions, on the driver");
      }
    } finally {
      SPARK.conf().unset(coalesce);
      SPARK.conf().set(shuffle, shuffleBefore);
    }
    double mllib =
        new BinaryClassificationMetrics(
                SPARK
                    .sparkContext()
                    .parallelize(
                        scala.jdk.javaapi.CollectionConverters.asScala(pairs).toSeq(),
                        1,
                        scala.reflect.ClassTag$.MODULE$.apply(Tuple2.class)),
                0)
            .areaUnderROC();
    assertEquals(mllib, one, 1e-12, "MLlib's trapezoids");
    assertTrue(one > 0.6 && one < 0.9, "a separating score: " + one);
  }

  @Test
  void oneClassGivesNoArea() {
    StructType schema =
        new StructType().add("score", DataTypes.DoubleType).add("label", DataTypes.DoubleType);
    Dataset<Row> table =
        SPARK.createDataFrame(
            List.of(RowFactory.create(0.2, 1.0), RowFactory.create(0.7, 1.0)), schema);
    assertTrue(Double.isNaN(RocArea.of(table, col("score"), col("label"), 2)));
    assertTrue(Double.isNaN(RocArea.ofSortedScores(table, col("score"), col("label"))));
  }

  /**
   * Scores Spark groups as one (0.0 and -0.0; NaNs, above every number) and null scores (below
   * all): the driver's area is the sorted table's, and the pairs' probability with those ties.
   */
  @Test
  void theDriverTiesScoresAsSparkGroupsThem() {
    Double[] values = {-0.0, 0.0, Double.NaN, null, 0.5, Double.NEGATIVE_INFINITY};
    Random random = new Random(8);
    List<Row> rows = new ArrayList<>();
    double twice = 0;
    List<Object[]> all = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Double score = values[random.nextInt(values.length)];
      double label = random.nextInt(3) == 0 ? 1 : 0;
      rows.add(RowFactory.create(score, label));
      all.add(new Object[] {score, label});
    }
    long positives = 0;
    for (Object[] a : all) {
      if ((double) a[1] != 1) {
        continue;
      }
      positives++;
      for (Object[] b : all) {
        if ((double) b[1] == 0) {
          int c = rank((Double) a[0]) - rank((Double) b[0]);
          twice += c > 0 ? 2 : c == 0 ? 1 : 0;
        }
      }
    }
    double byPairs = twice / (2.0 * positives * (all.size() - positives));
    StructType schema =
        new StructType().add("score", DataTypes.DoubleType).add("label", DataTypes.DoubleType);
    Dataset<Row> table = SPARK.createDataFrame(rows, schema).repartition(3);
    double sorted = RocArea.ofSortedScores(table, col("score"), col("label"));
    double driver = RocArea.onTheDriver(table, col("score"), col("label"));
    assertEquals(byPairs, sorted, 1e-15, "the sorted table");
    assertEquals(Double.doubleToLongBits(sorted), Double.doubleToLongBits(driver));
  }

  /** A score's place as Spark orders them: null lowest, -0.0 as 0.0, NaN highest. */
  private static int rank(Double score) {
    if (score == null) {
      return 0;
    }
    if (score.isNaN()) {
      return 4;
    }
    return score == Double.NEGATIVE_INFINITY ? 1 : score == 0 ? 2 : 3;
  }
}
