package io.trustlens.job;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;

/**
 * A table's first rows gathered by a pass that reads the table for other figures, instead of a
 * {@code limit(n).collectAsList()} job of their own: the pass selects its own columns first and the
 * table's after them ({@link #columns}), each partition keeps copies of its first {@code n} rows
 * ({@link #offer}), and the driver joins the partitions' rows in partition order and keeps the
 * first {@code n} ({@link #rows}): the rows {@code limit(n)} collects, in its order.
 */
final class HeadRows implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int n;
  private final List<InternalRow> rows = new ArrayList<>();

  /** A partition's first {@code n} rows, none yet. */
  HeadRows(int n) {
    this.n = n;
  }

  /**
   * A pass's {@code own} columns, then (when rows are gathered) every column of {@code table}, the
   * rows gathered.
   */
  static Column[] columns(Dataset<Row> table, boolean gather, List<Column> own) {
    List<Column> all = new ArrayList<>(own);
    if (gather) {
      for (String c : table.columns()) {
        all.add(table.col("`" + c + "`"));
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
   * The first {@code n} rows of the partitions' {@code parts} (in partition order) as rows of
   * {@code table}: the columns after the pass's {@code own} ones of the selected {@code schema}.
   */
  static List<Row> rows(List<HeadRows> parts, StructType selected, int own, StructType table) {
    scala.Function1<Object, Object> external =
        CatalystTypeConverters.createToScalaConverter(selected);
    List<Row> head = new ArrayList<>();
    for (HeadRows part : parts) {
      for (InternalRow r : part.rows) {
        if (head.size() == part.n) {
          return head;
        }
        Row all = (Row) external.apply(r);
        Object[] values = new Object[table.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = all.get(own + i);
        }
        head.add(new GenericRowWithSchema(values, table));
      }
    }
    return head;
  }
}
