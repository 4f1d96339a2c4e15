package io.trustlens.job;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The words of a text method's table ranked for its summary and report: per word, over the entries
 * that hold it (the table's word and value arrays zipped, as SQL's {@code arrays_zip}), the mean
 * value and mean |value| from exact sums ({@link ExactSum}) and the entries counted. One pass over
 * the table's internal rows, each partition's sums merged on the driver, so the figures and the
 * ranking are the same bits for any partitioning (a grouped SQL {@code avg} sums in the order rows
 * reach each group). Ranked as SQL's {@code ORDER BY mean_abs DESC, word} ranks: NaN first, words
 * without a value last, ties by the words' UTF-8 bytes.
 */
final class WordMeans {
  private WordMeans() {}

  /**
   * One word's figures: its mean and mean |value| (null when none of its entries had a value) and
   * its entries.
   */
  record Word(String word, Double mean, Double meanAbs, long rows) {}

  /** The {@code n} highest-ranked words of {@code table}'s {@code words} and {@code values}. */
  static List<Word> top(Dataset<Row> table, String words, String values, int n) {
    Map<String, Sums> total = new HashMap<>();
    for (Map<String, Sums> part :
        table
            .select(
                org.apache.spark.sql.functions.col("`" + words + "`").cast("array<string>"),
                org.apache.spark.sql.functions.col("`" + values + "`").cast("array<double>"))
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitions(rows -> List.of(sums(rows)).iterator())
            .collect()) {
      part.forEach((word, sums) -> total.merge(word, sums, Sums::add));
    }
    List<Word> ranked = new ArrayList<>();
    total.forEach((word, s) -> ranked.add(s.word(word)));
    Comparator<Word> byMeanAbs =
        Comparator.comparing(Word::meanAbs, Comparator.nullsLast(Comparator.reverseOrder()));
    Comparator<Word> byWord =
        Comparator.comparing(
            w -> w.word() == null ? null : UTF8String.fromString(w.word()),
            Comparator.nullsFirst(Comparator.naturalOrder()));
    ranked.sort(byMeanAbs.thenComparing(byWord));
    return ranked.subList(0, Math.min(n, ranked.size()));
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
