package io.trustlens.job;

import io.trustlens.explore.RowOrder;
import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.InternalRows;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The seeded sample of {@link RowOrder#sampleRows} (the rows whose seeded hashes of their keys are
 * smallest, in that order) and the rows counted, gathered while a map's table is written instead of
 * by a job reading it back. Each partition keeps its {@code size} smallest rows by the two hashes;
 * the driver takes the {@code size} smallest of those: the rows, and the order, that {@code
 * takeOrdered} over the written table gives.
 */
final class SampledRows {
  private final TablePass.Writing<Part> pass;
  private final int size;
  private final int columns;

  private SampledRows(TablePass.Writing<Part> pass, int size, int columns) {
    this.pass = pass;
    this.size = size;
    this.columns = columns;
  }

  /**
   * A pass over {@code table} that draws {@code size} rows by the keys of {@link
   * RowOrder#sampleKeys} ({@code idCol}, {@code seed}), each row as {@code columns}.
   */
  static SampledRows whileWriting(
      Dataset<Row> table, String idCol, long seed, int size, List<String> columns) {
    List<Column> own = new ArrayList<>(RowOrder.sampleKeys(table, idCol, seed));
    for (String c : columns) {
      own.add(ColumnNames.col(c));
    }
    DataType[] types =
        Arrays.stream(table.select(own.toArray(new Column[0])).schema().fields())
            .map(StructField::dataType)
            .toArray(DataType[]::new);
    return new SampledRows(
        TablePass.whileWriting(table, own, new Draw(size, types)), size, columns.size());
  }

  /** The rows to write. */
  Dataset<Row> table() {
    return pass.table();
  }

  /** The rows written. */
  long rows() {
    return pass.parts().stream().mapToLong(p -> p.rows).sum();
  }

  /** The first {@code n} rows of the sample (at most its size), as its columns, in its order. */
  List<Row> sample(int n) {
    if (n > size) {
      throw new IllegalArgumentException("a sample of " + size + " rows has no " + n + " first");
    }
    List<InternalRow> all = new ArrayList<>();
    pass.parts().forEach(p -> all.addAll(p.kept));
    all.sort(RowOrder.bySampleKeys());
    StructType keyed = new StructType(Arrays.copyOfRange(pass.schema().fields(), 0, 2 + columns));
    return InternalRows.external(all.subList(0, Math.min(n, all.size())), keyed, 2);
  }

  /** A partition's rows counted and its smallest rows by the two hashes (the sample's columns). */
  static final class Part implements Serializable {
    private static final long serialVersionUID = 1L;
    private long rows;
    private final List<InternalRow> kept = new ArrayList<>();
    private final transient UnsafeProjection own;

    Part(UnsafeProjection own) {
      this.own = own;
    }
  }

  /** Keeps each partition's {@code size} smallest rows, trimming when twice as many are held. */
  private static final class Draw implements TablePass.Fold<Part> {
    private static final long serialVersionUID = 1L;
    private final int size;
    private final DataType[] own;

    /** {@code own}: the types of the sample's keys and columns, the rows' first fields. */
    Draw(int size, DataType[] own) {
      this.size = size;
      this.own = own;
    }

    @Override
    public Part start(int partition) {
      return new Part(UnsafeProjection.create(own));
    }

    @Override
    public void add(Part part, InternalRow row) {
      part.rows++;
      if (size == 0) {
        return;
      }
      part.kept.add(part.own.apply(row).copy()); // the sample's fields, not the table's
      if (part.kept.size() >= 2 * size) {
        trim(part.kept, size);
      }
    }

    private static void trim(List<InternalRow> rows, int size) {
      Comparator<InternalRow> order = RowOrder.bySampleKeys();
      rows.sort(order);
      rows.subList(size, rows.size()).clear();
    }
  }
}
