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
    double one = RocArea.of(table.coalesce(1), col("score"), col("label"));
    assertEquals(byPairs, one, "the Mann-Whitney probability, ties one half");
    // The sorted scores in several partitions too: Spark's adaptive plans would join them in one.
    String coalesce = "spark.sql.adaptive.coalescePartitions.enabled";
    String shuffle = "spark.sql.shuffle.partitions";
    String shuffleBefore = SPARK.conf().get(shuffle);
    SPARK.conf().set(coalesce, "false");
    try {
      for (int partitions : new int[] {2, 3, 7}) {
        SPARK.conf().set(shuffle, String.valueOf(partitions));
        double many = RocArea.of(table.repartition(partitions), col("score"), col("label"));
        assertEquals(
            Double.doubleToLongBits(one),
            Double.doubleToLongBits(many),
            partitions + " partitions");
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
    assertTrue(Double.isNaN(RocArea.of(table, col("score"), col("label"))));
  }
}
