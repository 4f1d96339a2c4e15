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
import io.trustlens.feature.ColumnNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.Murmur3Hash;
import org.apache.spark.sql.catalyst.expressions.XxHash64;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

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
  /**
   * Rows at most whose keys are counted on the driver: 32 bytes a row collected, a map entry of
   * about 100 bytes a distinct key.
   */
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
        content.add(io.trustlens.feature.RowKeys.content(f));
        nulls.add(when(ColumnNames.col(f.name()).isNull(), lit("1")).otherwise(lit("0")));
      }
    }
    if (content.isEmpty() && id == null) {
      return new Duplicates(0, null, null);
    }
    Duplicates d;
    if (onTheDriver) {
      d = onTheDriver(table, id, !content.isEmpty());
    } else {
      Column[] c = null;
      if (!content.isEmpty()) {
        content.add(concat_ws("", nulls.toArray(new Column[0])));
        c = content.toArray(new Column[0]);
      }
      d = inAShuffle(table, c, id == null ? null : ColumnNames.col(id));
    }
    return id == null ? new Duplicates(d.rows(), null, null) : d;
  }

  /**
   * Counted on the driver: each partition's keys collected (a row's two hashes when {@code rows};
   * its id's when the id is not null), then each kind's keys counted in a map. The hashes are
   * Spark's own expressions, evaluated on each row as its SQL functions evaluate them, without a
   * query to plan: {@code xxhash64} and {@code hash} (seed 42) of the cells but the id's and of
   * their null pattern, as {@code concat_ws} of "1" and "0" joins it.
   */
  private static Duplicates onTheDriver(Dataset<Row> table, String id, boolean rows) {
    return counted(parts(table, id, rows));
  }

  /**
   * Whether a profile counts the duplicates of a table of {@code rows} rows on the driver, from the
   * partitions' {@link Keys} (gathered in a pass that reads the rows for other figures too).
   */
  static boolean countedOnTheDriver(long rows) {
    return rows <= ON_THE_DRIVER;
  }

  /**
   * The duplicates counted from partitions' keys ({@link Keys#part()}, in partition order) of a
   * table whose id column is {@code id} (null for none).
   */
  static Duplicates fromKeys(List<long[][]> parts, String id) {
    Duplicates d = counted(parts);
    return id == null ? new Duplicates(d.rows(), null, null) : d;
  }

  private static Duplicates counted(List<long[][]> parts) {
    long[][] keys = concatenated(parts);
    Map<Key, Long> byRow = tally(keys[0]);
    Map<Key, Long> byId = tally(keys[1]);
    long ids = byId.values().stream().filter(n -> n > 1).count();
    long repeatedRows = keys[0].length / 2 - byRow.size();
    long repeatedIdRows = keys[1].length / 2 - byId.size();
    return new Duplicates(repeatedRows, ids, repeatedIdRows);
  }

  /**
   * The rows' keys (when {@code rows}) and the ids' keys of {@code table}, each as pairs {@code h1,
   * h2} in partition order, collected from its partitions.
   */
  static long[][] keys(Dataset<Row> table, String id, boolean rows) {
    return concatenated(parts(table, id, rows));
  }

  private static List<long[][]> parts(Dataset<Row> table, String id, boolean rows) {
    StructType schema = table.schema();
    return table
        .queryExecution()
        .toRdd()
        .toJavaRDD()
        .mapPartitions(
            r -> {
              Keys keys = new Keys(schema, id, rows);
              while (r.hasNext()) {
                keys.add(r.next());
              }
              return java.util.Collections.singletonList(keys.part()).iterator();
            })
        .collect();
  }

  private static long[][] concatenated(List<long[][]> parts) {
    long[][] all = new long[2][];
    for (int kind = 0; kind < 2; kind++) {
      int k = kind;
      all[kind] = parts.stream().flatMapToLong(p -> Arrays.stream(p[k])).toArray();
    }
    return all;
  }

  /** A row's or an id's two hashes. */
  private record Key(long h1, long h2) {}

  /** The rows holding each key of {@code pairs} ({@code h1, h2} in turn). */
  private static Map<Key, Long> tally(long[] pairs) {
    Map<Key, Long> counts = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      counts.merge(new Key(pairs[i], pairs[i + 1]), 1L, Long::sum);
    }
    return counts;
  }

  /**
   * One partition's row keys and id keys, gathered row by row, each as pairs {@code h1, h2}; a null
   * id gives none.
   */
  static final class Keys {
    private final int idAt;
    private final DataType idType;
    private final boolean rowKeys;
    private final int[] at;
    private final DataType[] types;
    private final Expression rowH1;
    private final Expression rowH2;
    private final Expression idH1;
    private final Expression idH2;
    private final GenericInternalRow row;
    private final GenericInternalRow idRow = new GenericInternalRow(1);
    private final byte[] pattern;
    private long[][] pairs = {new long[64], new long[64]};
    private final int[] size = new int[2];

    /**
     * Keys of rows of {@code schema} whose id column is {@code id} (null for none): the rows' keys
     * when {@code rowKeys}, the ids' always.
     */
    Keys(StructType schema, String id, boolean rowKeys) {
      this.idAt = id == null ? -1 : schema.fieldIndex(id);
      this.idType = idAt < 0 ? DataTypes.NullType : schema.fields()[idAt].dataType();
      this.rowKeys = rowKeys;
      int n = schema.size() - (idAt < 0 ? 0 : 1);
      at = new int[n];
      types = new DataType[n];
      List<Expression> cells = new ArrayList<>();
      for (int i = 0, k = 0; i < schema.size(); i++) {
        if (i != idAt) {
          at[k] = i;
          types[k] = schema.fields()[i].dataType();
          cells.add(new BoundReference(k, types[k], true));
          k++;
        }
      }
      cells.add(new BoundReference(n, DataTypes.StringType, false)); // the null pattern
      rowH1 = new XxHash64(seq(cells));
      rowH2 = new Murmur3Hash(seq(cells));
      List<Expression> idCell = List.of(new BoundReference(0, idType, true));
      idH1 = new XxHash64(seq(idCell));
      idH2 = new Murmur3Hash(seq(idCell));
      row = new GenericInternalRow(n + 1);
      pattern = new byte[n];
    }

    /** Adds a row's keys. */
    void add(InternalRow r) {
      if (rowKeys) {
        int n = at.length;
        for (int k = 0; k < n; k++) {
          boolean missing = r.isNullAt(at[k]);
          row.update(k, missing ? null : r.get(at[k], types[k]));
          pattern[k] = (byte) (missing ? '1' : '0');
        }
        row.update(n, UTF8String.fromBytes(pattern));
        add(0, (Long) rowH1.eval(row), (Integer) rowH2.eval(row));
      }
      if (idAt >= 0 && !r.isNullAt(idAt)) {
        idRow.update(0, r.get(idAt, idType));
        add(1, (Long) idH1.eval(idRow), (Integer) idH2.eval(idRow));
      }
    }

    /** The keys so far: the rows' pairs, then the ids'. */
    long[][] part() {
      return new long[][] {Arrays.copyOf(pairs[0], size[0]), Arrays.copyOf(pairs[1], size[1])};
    }

    private void add(int kind, long h1, long h2) {
      if (size[kind] == pairs[kind].length) {
        pairs[kind] = Arrays.copyOf(pairs[kind], 2 * size[kind]);
      }
      pairs[kind][size[kind]++] = h1;
      pairs[kind][size[kind]++] = h2;
    }
  }

  private static scala.collection.immutable.Seq<Expression> seq(List<Expression> list) {
    return scala.jdk.javaapi.CollectionConverters.asScala(list).toList();
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
