package io.trustlens.data;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.trustlens.data.TableProfile.Duplicates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.StructField;

/**
 * A profile's third pass: rows equal in every column but the id to an earlier row, and ids held by
 * more than one row. Each row is keyed by two independent hashes of its cells (Spark's xxHash64 and
 * Murmur3, 96 bits: a false duplicate among 10 million rows has a chance below 1e-15), the null
 * pattern joined to the cells (hashes skip nulls, so {@code (1, null)} and {@code (null, 1)} stay
 * apart); an id by the same two hashes of its value.
 *
 * <p>A table of at most {@link #ON_THE_DRIVER} rows sends its keys to the driver, which counts them
 * (one job, no shuffle: for a table of 2,000 rows the shuffle's two aggregations took 1.4 s, their
 * planning and code generation in a young JVM); a larger one counts them in a shuffle keyed by the
 * hashes. Both count the same keys, from the same Spark expressions, so the figures are the same.
 */
final class DuplicateRows {
  /** Rows whose keys (at most 28 bytes each) are counted on the driver. */
  static final long ON_THE_DRIVER = 1 << 18;

  private DuplicateRows() {}

  /** The duplicates of {@code table} ({@code fields}: its schema), of {@code rows} rows. */
  static Duplicates of(Dataset<Row> table, StructField[] fields, String id, long rows) {
    return of(table, fields, id, rows <= ON_THE_DRIVER);
  }

  /** The duplicates of {@code table}, counted on the driver or in a shuffle. */
  static Duplicates of(Dataset<Row> table, StructField[] fields, String id, boolean onTheDriver) {
    List<Column> content = new ArrayList<>();
    List<Column> nulls = new ArrayList<>();
    for (StructField f : fields) {
      if (!f.name().equals(id)) {
        content.add(TableProfile.quoted(f.name()));
        nulls.add(when(TableProfile.quoted(f.name()).isNull(), lit("1")).otherwise(lit("0")));
      }
    }
    if (content.isEmpty() && id == null) {
      return new Duplicates(0, null, null);
    }
    Column[] c = null;
    if (!content.isEmpty()) {
      content.add(concat_ws("", nulls.toArray(new Column[0])));
      c = content.toArray(new Column[0]);
    }
    Column v = id == null ? null : TableProfile.quoted(id);
    Duplicates d = onTheDriver ? onTheDriver(table, c, v) : inAShuffle(table, c, v);
    return id == null ? new Duplicates(d.rows(), null, null) : d;
  }

  /**
   * Counted on the driver: each partition's keys collected (a row's two hashes; its id's when the
   * id is not null), then each kind's keys counted in a map.
   */
  private static Duplicates onTheDriver(Dataset<Row> table, Column[] c, Column v) {
    Column none = lit(null).cast("long");
    Dataset<Row> keys =
        table.select(
            c == null ? none : xxhash64(c),
            c == null ? none : hash(c).cast("long"),
            v == null ? none : when(v.isNotNull(), xxhash64(v)),
            v == null ? none : when(v.isNotNull(), hash(v).cast("long")));
    Map<Key, Long> byRow = new HashMap<>();
    Map<Key, Long> byId = new HashMap<>();
    long rowKeys = 0;
    long idKeys = 0;
    for (long[][] part :
        keys.queryExecution().toRdd().toJavaRDD().mapPartitions(DuplicateRows::keys).collect()) {
      rowKeys += tally(part[0], byRow);
      idKeys += tally(part[1], byId);
    }
    long ids = byId.values().stream().filter(n -> n > 1).count();
    return new Duplicates(rowKeys - byRow.size(), ids, idKeys - byId.size());
  }

  /** A row's or an id's two hashes. */
  private record Key(long h1, long h2) {}

  /** Counts the keys of {@code pairs} ({@code h1, h2} in turn) into {@code counts}. */
  private static long tally(long[] pairs, Map<Key, Long> counts) {
    for (int i = 0; i < pairs.length; i += 2) {
      counts.merge(new Key(pairs[i], pairs[i + 1]), 1L, Long::sum);
    }
    return pairs.length / 2;
  }

  /** A partition's row keys and id keys, each as pairs {@code h1, h2}; null cells give none. */
  private static Iterator<long[][]> keys(Iterator<InternalRow> rows) {
    long[][] pairs = {new long[64], new long[64]};
    int[] size = new int[2];
    while (rows.hasNext()) {
      InternalRow r = rows.next();
      for (int kind = 0; kind < 2; kind++) {
        if (r.isNullAt(2 * kind)) {
          continue;
        }
        if (size[kind] == pairs[kind].length) {
          pairs[kind] = Arrays.copyOf(pairs[kind], 2 * size[kind]);
        }
        pairs[kind][size[kind]++] = r.getLong(2 * kind);
        pairs[kind][size[kind]++] = r.getLong(2 * kind + 1);
      }
    }
    long[][] part = {Arrays.copyOf(pairs[0], size[0]), Arrays.copyOf(pairs[1], size[1])};
    return java.util.Collections.singletonList(part).iterator();
  }

  /** Counted in a shuffle: keys grouped and counted, then the repeated keys summed per kind. */
  private static Duplicates inAShuffle(Dataset<Row> table, Column[] c, Column v) {
    List<Column> keys = new ArrayList<>();
    if (c != null) {
      keys.add(struct(lit("row").as("kind"), xxhash64(c).as("h1"), hash(c).as("h2")));
    }
    if (v != null) {
      keys.add(
          when(
              v.isNotNull(), struct(lit("id").as("kind"), xxhash64(v).as("h1"), hash(v).as("h2"))));
    }
    List<Row> counts =
        table
            .select(explode(array(keys.toArray(new Column[0]))).as("k"))
            .filter(col("k").isNotNull())
            .groupBy(col("k.kind").as("kind"), col("k.h1"), col("k.h2"))
            .count()
            .filter(col("count").gt(1))
            .groupBy(col("kind"))
            .agg(count(lit(1)), sum(col("count").minus(1)))
            .collectAsList();
    long rows = 0;
    long ids = 0;
    long idRows = 0;
    for (Row r : counts) {
      if (r.getString(0).equals("row")) {
        rows = r.getLong(2);
      } else {
        ids = r.getLong(1);
        idRows = r.getLong(2);
      }
    }
    return new Duplicates(rows, ids, idRows);
  }
}
