package io.trustlens.job;

import io.trustlens.feature.ColumnNames;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * One pass over a table's rows for a task's figures: each partition's rows folded into one part
 * where they are, the parts brought to the driver in partition order. The pass runs either as a
 * Spark job of its own over a table ({@link #over}), or inside the job that writes the table
 * ({@link #whileWriting}): then the figures of the rows a task writes need no second job reading
 * them back (on a small table that job, with its file reader, was a fifth of a task's time).
 *
 * <p>The fold reads Spark's internal rows as they stream by, its own columns first and the table's
 * after them.
 *
 * <p>Invariants: one part per partition, in partition order, so figures merged in that order are
 * the same bits whatever order the partitions' tasks end in. A write's parts come back through an
 * accumulator of the write's one stage, whose tasks' updates Spark counts once per partition (a
 * retried or speculative attempt's do not count twice); a write that brings back other than one
 * part per partition fails the run rather than giving figures of some of its rows.
 */
final class TablePass {
  private TablePass() {}

  /** What a pass keeps of one partition: started for the partition, then given every row. */
  interface Fold<P extends Serializable> extends Serializable {
    /** The empty part of partition {@code partition}. */
    P start(int partition);

    /**
     * Adds {@code row} (the pass's own columns first; Spark may reuse the object: copy to keep).
     */
    void add(P part, InternalRow row);
  }

  /** The parts of {@code selected}'s partitions, in partition order, from a job of its own. */
  static <P extends Serializable> List<P> over(Dataset<Row> selected, Fold<P> fold) {
    return selected
        .queryExecution()
        .toRdd()
        .toJavaRDD()
        .mapPartitionsWithIndex(
            (partition, rows) -> {
              P part = fold.start(partition);
              while (rows.hasNext()) {
                fold.add(part, rows.next());
              }
              return List.of(part).iterator();
            },
            false)
        .collect();
  }

  /**
   * A pass over {@code table} folded into the job that writes it: write {@link Writing#table()},
   * then read {@link Writing#parts()}. The fold reads {@code own}'s columns (over {@code table}),
   * then {@code table}'s.
   */
  static <P extends Serializable> Writing<P> whileWriting(
      Dataset<Row> table, List<Column> own, Fold<P> fold) {
    List<Column> every = new ArrayList<>();
    for (String c : table.columns()) {
      every.add(ColumnNames.col(c));
    }
    return whileWriting(table, own, fold, every);
  }

  /**
   * As above, the table written being {@code written}: columns of {@code source} by name (a plain
   * column, or one renamed), while the fold reads {@code own}'s columns, then every column of
   * {@code source} (so it may keep rows holding columns the table leaves out).
   */
  static <P extends Serializable> Writing<P> whileWriting(
      Dataset<Row> source, List<Column> own, Fold<P> fold, List<Column> written) {
    List<Column> all = new ArrayList<>();
    for (int i = 0; i < own.size(); i++) {
      all.add(own.get(i).as("_trustlens_pass_" + i)); // apart from the table's names
    }
    for (String c : source.columns()) {
      all.add(ColumnNames.col(source, c));
    }
    return new Writing<>(source.select(all.toArray(new Column[0])), fold, written);
  }

  /**
   * A pass folded into a write: the table to write, then (once written) its parts. The table is
   * made when first asked for: its plan's rows are then prepared, which may run work (the shuffle
   * of a table spread over the cores), so a task asks for it inside its write's clock.
   */
  static final class Writing<P extends Serializable> {
    private final Dataset<Row> selected;
    private final Fold<P> fold;
    private final List<Column> written;
    private final CollectionAccumulator<Indexed<P>> parts = new CollectionAccumulator<>();
    private Dataset<Row> table;
    private int partitions;

    private Writing(Dataset<Row> selected, Fold<P> fold, List<Column> written) {
      this.selected = selected;
      this.fold = fold;
      this.written = written;
      selected.sparkSession().sparkContext().register(parts);
    }

    /** The rows to write: the table's columns, each row folded as the writer reads it. */
    Dataset<Row> table() {
      if (table == null) {
        Fold<P> f = fold; // the closure holds the fold and the accumulator, not this
        CollectionAccumulator<Indexed<P>> p = parts;
        JavaRDD<InternalRow> rows =
            selected
                .queryExecution()
                .toRdd()
                .toJavaRDD()
                .mapPartitionsWithIndex(
                    (partition, in) -> new Passing<>(partition, in, f, p), false);
        Dataset<Row> passed =
            ((org.apache.spark.sql.classic.SparkSession) selected.sparkSession())
                .internalCreateDataFrame(rows.rdd(), schema(), false);
        table = passed.select(written.toArray(new Column[0]));
        partitions = rows.getNumPartitions();
      }
      return table;
    }

    /** The schema of the rows the fold reads: its own columns, then the table's. */
    StructType schema() {
      return selected.schema();
    }

    /**
     * The parts of the written table's partitions, in partition order.
     *
     * @throws IllegalStateException unless the write brought back one part per partition
     */
    List<P> parts() {
      table(); // its partitions
      List<Indexed<P>> got = new ArrayList<>(parts.value());
      got.sort(Comparator.comparingInt(Indexed::partition));
      for (int i = 0; i < got.size(); i++) {
        if (got.get(i).partition() != i) {
          got = null;
          break;
        }
      }
      if (got == null || got.size() != partitions) {
        throw new IllegalStateException(
            "the write's figures came back from "
                + parts.value().size()
                + " parts of "
                + partitions
                + " partitions; was the table written?");
      }
      return got.stream().map(Indexed::part).toList();
    }
  }

  /** A partition's part, with the partition's index. */
  private record Indexed<P>(int partition, P part) implements Serializable {}

  /** A partition's rows passed on to the writer, each added to the part on its way. */
  private static final class Passing<P extends Serializable> implements Iterator<InternalRow> {
    private final int partition;
    private final Iterator<InternalRow> in;
    private final Fold<P> fold;
    private final CollectionAccumulator<Indexed<P>> parts;
    private final P part;
    private boolean ended;

    Passing(
        int partition,
        Iterator<InternalRow> in,
        Fold<P> fold,
        CollectionAccumulator<Indexed<P>> parts) {
      this.partition = partition;
      this.in = in;
      this.fold = fold;
      this.parts = parts;
      this.part = fold.start(partition);
    }

    @Override
    public boolean hasNext() {
      boolean more = in.hasNext();
      if (!more && !ended) {
        ended = true; // the writer reads to the end: the part is whole
        parts.add(new Indexed<>(partition, part));
      }
      return more;
    }

    @Override
    public InternalRow next() {
      InternalRow row = in.next();
      fold.add(part, row);
      return row;
    }
  }
}
