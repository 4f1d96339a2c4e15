package io.trustlens.job;

import io.trustlens.feature.ColumnNames;
import java.io.Serializable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import scala.Tuple2;

/**
 * The words of a text method's table ranked for its summary and report: per word, over the entries
 * that hold it (the table's word and value arrays zipped, as SQL's {@code arrays_zip}), the mean
 * value and mean |value| from exact sums ({@link ExactSum}) and the entries counted. Each partition
 * sums its words over the table's internal rows, the words' sums are merged by key across the
 * cluster and only the top words reach the driver (its memory does not grow with the vocabulary);
 * the sums being exact, the figures and the ranking are the same bits for any partitioning (a
 * grouped SQL {@code avg} sums in the order rows reach each group). Ranked as SQL's {@code ORDER BY
 * mean_abs DESC, word} ranks: NaN first, words without a value last, ties by the words' UTF-8
 * bytes.
 */
final class WordMeans {
  /** Arrays of doubles (a cast by type, not by a string the SQL parser reads). */
  private static final org.apache.spark.sql.types.DataType DOUBLES =
      DataTypes.createArrayType(DataTypes.DoubleType);

  /** Arrays of strings. */
  private static final org.apache.spark.sql.types.DataType STRINGS =
      DataTypes.createArrayType(DataTypes.StringType);

  private WordMeans() {}

  /**
   * One word's figures: its mean and mean |value| (null when none of its entries had a value) and
   * its entries.
   */
  record Word(String word, Double mean, Double meanAbs, long rows) implements Serializable {}

  /** The {@code n} highest-ranked words of {@code table}'s {@code words} and {@code values}. */
  static List<Word> top(Dataset<Row> table, String words, String values, int n) {
    return table
        .select(ColumnNames.col(words).cast(STRINGS), ColumnNames.col(values).cast(DOUBLES))
        .queryExecution()
        .toRdd()
        .toJavaRDD()
        .mapPartitionsToPair(
            rows ->
                sums(rows).entrySet().stream()
                    .map(e -> new Tuple2<>(e.getKey(), e.getValue()))
                    .iterator())
        .reduceByKey(Sums::add)
        .map(e -> e._2().word(e._1()))
        .takeOrdered(n, new Ranking());
  }

  /**
   * SQL's {@code ORDER BY mean_abs DESC, word}: NaN first, words without a value last, ties by the
   * words' UTF-8 bytes (a null word first).
   */
  private static final class Ranking implements Comparator<Word>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Word x, Word y) {
      if (x.meanAbs() == null || y.meanAbs() == null) {
        int nulls = Boolean.compare(x.meanAbs() == null, y.meanAbs() == null);
        if (nulls != 0) {
          return nulls;
        }
      } else {
        int byMean = Double.compare(y.meanAbs(), x.meanAbs());
        if (byMean != 0) {
          return byMean;
        }
      }
      if (x.word() == null || y.word() == null) {
        return Boolean.compare(x.word() != null, y.word() != null);
      }
      return UTF8String.fromString(x.word()).compareTo(UTF8String.fromString(y.word()));
    }
  }

  private static Map<String, Sums> sums(java.util.Iterator<InternalRow> rows) {
    Map<String, Sums> part = new HashMap<>();
    while (rows.hasNext()) {
      InternalRow row = rows.next();
      if (row.isNullAt(0) || row.isNullAt(1)) {
        continue; // arrays_zip of a null array is null: no entries
      }
      ArrayData w = row.getArray(0);
      ArrayData v = row.getArray(1);
      int entries = Math.max(w.numElements(), v.numElements()); // the shorter padded with nulls
      for (int k = 0; k < entries; k++) {
        String word = k < w.numElements() && !w.isNullAt(k) ? w.getUTF8String(k).toString() : null;
        Sums s = part.computeIfAbsent(word, x -> new Sums());
        s.rows++;
        if (k < v.numElements() && !v.isNullAt(k)) {
          double value = v.getDouble(k);
          s.sum.add(value);
          s.abs.add(Math.abs(value));
          s.values++;
        }
      }
    }
    return part;
  }

  /** One word's exact sums and counts. */
  private static final class Sums implements Serializable {
    private static final long serialVersionUID = 1L;

    final ExactSum sum = new ExactSum();
    final ExactSum abs = new ExactSum();
    long values;
    long rows;

    Sums add(Sums other) {
      sum.add(other.sum);
      abs.add(other.abs);
      values += other.values;
      rows += other.rows;
      return this;
    }

    Word word(String word) {
      return values == 0
          ? new Word(word, null, null, rows)
          : new Word(word, sum.value() / values, abs.value() / values, rows);
    }
  }
}
