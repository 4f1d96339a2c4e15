package io.trustlens.job;

import io.trustlens.feature.ColumnNames;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;

/**
 * How many rows reached each leaf of each of a tree model's first trees, counted while the rows are
 * written (an array column of leaf indices, one per tree): the rules most used, without a grouping
 * job per tree over the table read back. A null array, or a null leaf, is not counted.
 */
final class LeafCounts {
  private final TablePass.Writing<Counts> pass;

  private LeafCounts(TablePass.Writing<Counts> pass) {
    this.pass = pass;
  }

  /** A pass over {@code table} that counts the leaves of {@code leaves} for its first trees. */
  static LeafCounts whileWriting(Dataset<Row> table, String leaves, int trees) {
    return new LeafCounts(
        TablePass.whileWriting(table, List.of(ColumnNames.col(leaves)), new Count(trees)));
  }

  /** The rows to write. */
  Dataset<Row> table() {
    return pass.table();
  }

  /**
   * Tree {@code tree}'s leaves reached, as {leaf, rows}: by rows, most first, then by leaf; the
   * first {@code n}.
   */
  List<long[]> mostUsed(int tree, int n) {
    Map<Integer, Long> total = new HashMap<>();
    for (Counts part : pass.parts()) {
      part.byTree.get(tree).forEach((leaf, rows) -> total.merge(leaf, rows, Long::sum));
    }
    List<long[]> used = new ArrayList<>();
    total.forEach((leaf, rows) -> used.add(new long[] {leaf, rows}));
    used.sort((a, b) -> a[1] != b[1] ? Long.compare(b[1], a[1]) : Long.compare(a[0], b[0]));
    return used.subList(0, Math.min(n, used.size()));
  }

  /** A partition's rows per leaf, per tree. */
  static final class Counts implements Serializable {
    private static final long serialVersionUID = 1L;
    private final List<HashMap<Integer, Long>> byTree = new ArrayList<>();
  }

  private static final class Count implements TablePass.Fold<Counts> {
    private static final long serialVersionUID = 1L;
    private final int trees;

    Count(int trees) {
      this.trees = trees;
    }

    @Override
    public Counts start(int partition) {
      Counts counts = new Counts();
      for (int t = 0; t < trees; t++) {
        counts.byTree.add(new HashMap<>());
      }
      return counts;
    }

    @Override
    public void add(Counts counts, InternalRow row) {
      if (row.isNullAt(0)) {
        return;
      }
      ArrayData leaves = row.getArray(0);
      for (int t = 0; t < Math.min(trees, leaves.numElements()); t++) {
        if (!leaves.isNullAt(t)) {
          counts.byTree.get(t).merge(leaves.getInt(t), 1L, Long::sum);
        }
      }
    }
  }
}
