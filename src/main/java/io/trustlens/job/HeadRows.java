package io.trustlens.job;

import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.InternalRows;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructType;

/**
 * A table's first rows gathered by a pass that reads the table for other figures, instead of a
 * {@code limit(n).collectAsList()} job of their own: the pass selects its own columns first and the
 * table's after them ({@link #columns}), each of the first {@link #PARTITIONS} partitions keeps
 * copies of its first {@code n} rows ({@link #offer}), and the driver joins them in partition order
 * and keeps the first {@code n} ({@link #rows}): the rows {@code limit(n)} collects, in its order.
 * When those partitions hold fewer than {@code n} rows and more follow, the limit job runs after
 * all; the driver never holds more than {@code PARTITIONS × n} gathered rows.
 */
final class HeadRows implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Partitions that keep their first rows. */
  static final int PARTITIONS = 8;

  private final int n;
  private final List<InternalRow> rows = new ArrayList<>();

  private HeadRows(int n) {
    this.n = n;
  }

  /**
   * Partition {@code partition}'s first {@code n} rows, none yet (none kept past the first few).
   */
  static HeadRows of(int partition, int n) {
    return new HeadRows(partition < PARTITIONS ? n : 0);
  }

  /**
   * A pass's {@code own} columns, then (when rows are gathered) every column of {@code table}, the
   * rows gathered.
   */
  static Column[] columns(Dataset<Row> table, boolean gather, List<Column> own) {
    List<Column> all = new ArrayList<>(own);
    if (gather) {
      for (String c : table.columns()) {
        all.add(ColumnNames.col(table, c));
      }
    }
    return all.toArray(new Column[0]);
  }

  /** Keeps a copy of {@code row} while this partition holds fewer than {@code n}. */
  void offer(InternalRow row) {
    if (rows.size() < n) {
      rows.add(row.copy());
    }
  }

  /**
   * The first {@code n} rows of {@code table}: from the partitions' {@code parts} (in partition
   * order; their rows hold the pass's {@code own} columns of the {@code selected} schema, then the
   * table's, converted by {@link InternalRows#external}), else from {@code table.limit(n)} (the
   * table asked for only then: a pass folded into a write reads it back).
   */
  static List<Row> rows(
      List<HeadRows> parts,
      StructType selected,
      int own,
      java.util.function.Supplier<Dataset<Row>> table,
      int n) {
    int held = parts.stream().mapToInt(p -> p.rows.size()).sum();
    if (held < n && parts.size() > PARTITIONS) {
      return table.get().limit(n).collectAsList(); // the first partitions hold too few rows
    }
    List<InternalRow> first = parts.stream().flatMap(p -> p.rows.stream()).limit(n).toList();
    return InternalRows.external(first, selected, own);
  }
}
