package io.trustlens.job;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.arrays_zip;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustlens.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class WordMeansTest {
  private static final StructType SCHEMA =
      new StructType()
          .add("drop_words", DataTypes.createArrayType(DataTypes.StringType, true))
          .add("drop", DataTypes.createArrayType(DataTypes.DoubleType, true));

  /**
   * 600 rows of a few words each with values of many magnitudes (so sums in another order round
   * otherwise), words with equal figures (ranked by word), a value missing, a word missing, a
   * longer value array, and null arrays.
   */
  private static List<Row> rows() {
    String[] vocabulary = {"salary", "senior", "remote", "junior", "bonus", "équipe", "zeta"};
    Random random = new Random(4);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      List<String> words = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      for (String w : vocabulary) {
        if (random.nextInt(3) == 0) {
          words.add(w);
          values.add(random.nextGaussian() * Math.pow(10, random.nextInt(10) - 5));
        }
      }
      rows.add(RowFactory.create(words, values));
    }
    rows.add(RowFactory.create(List.of("tie-b"), List.of(0.5)));
    rows.add(RowFactory.create(List.of("tie-a"), List.of(-0.5)));
    rows.add(RowFactory.create(List.of("gap"), Arrays.asList((Double) null)));
    rows.add(RowFactory.create(Arrays.asList("salary", null), List.of(1.0, 2.0)));
    rows.add(RowFactory.create(List.of("salary"), List.of(3.0, 4.0)));
    rows.add(RowFactory.create(null, List.of(9.0)));
    rows.add(RowFactory.create(List.of("never"), null));
    return rows;
  }

  @Test
  void theSameWordsAndBitsForAnyPartitioningAndSqlsFiguresAndOrder() {
    Dataset<Row> table = SparkTestSession.get().createDataFrame(rows(), SCHEMA);
    List<WordMeans.Word> one = WordMeans.top(table.repartition(1), "drop_words", "drop", 100);
    for (int partitions : new int[] {3, 7}) {
      assertEquals(
          one,
          WordMeans.top(table.repartition(partitions), "drop_words", "drop", 100),
          partitions + " partitions");
    }
    List<Row> sql =
        table
            .select(explode(arrays_zip(col("drop_words"), col("drop"))).as("z"))
            .groupBy(col("z.drop_words").as("word"))
            .agg(avg(col("z.drop")), avg(abs(col("z.drop"))).as("mean_abs"), count("*"))
            .orderBy(col("mean_abs").desc(), col("word"))
            .collectAsList();
    assertEquals(sql.size(), one.size(), "the words (a null word among them)");
    for (int i = 0; i < sql.size(); i++) {
      Row r = sql.get(i);
      WordMeans.Word w = one.get(i);
      assertEquals(r.getString(0), w.word(), "rank " + i);
      assertEquals(r.getLong(3), w.rows(), w.word());
      if (r.isNullAt(1)) {
        assertEquals(null, w.mean(), w.word() + " has no value");
      } else {
        assertEquals(r.getDouble(1), w.mean(), 1e-12 * Math.abs(r.getDouble(1)), w.word());
        assertEquals(r.getDouble(2), w.meanAbs(), 1e-12 * r.getDouble(2), w.word());
      }
    }
    assertEquals(3, WordMeans.top(table, "drop_words", "drop", 3).size());
  }
}
