package io.trustlens.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.data.TableProfile.Duplicates;
import io.trustlens.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class DuplicateRowsTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.LongType)
          .add("x", DataTypes.DoubleType)
          .add("city", DataTypes.StringType);

  /**
   * Rows drawn from few values, so that many repeat, with nulls in every column (a null x and a
   * null city in other rows stay apart) and ids that repeat or are null: the driver's count and the
   * shuffle's both equal a direct count, in one partition and in seven.
   */
  @Test
  void theDriversCountAndTheShufflesEqualADirectCount() {
    Random random = new Random(3);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      Long id = random.nextInt(20) == 0 ? null : (long) random.nextInt(2900);
      Double x = random.nextInt(10) == 0 ? null : (double) random.nextInt(12);
      String city = random.nextInt(10) == 0 ? null : "c" + random.nextInt(15);
      rows.add(RowFactory.create(id, x, city));
    }
    Map<List<Object>, Integer> contents = new HashMap<>();
    Map<Long, Integer> ids = new HashMap<>();
    for (Row r : rows) {
      contents.merge(Arrays.asList(r.get(1), r.get(2)), 1, Integer::sum);
      if (!r.isNullAt(0)) {
        ids.merge(r.getLong(0), 1, Integer::sum);
      }
    }
    long repeatedRows = rows.size() - contents.size();
    long repeatedIds = ids.values().stream().filter(n -> n > 1).count();
    long idRows = ids.values().stream().mapToLong(n -> n - 1).sum();
    assertTrue(repeatedRows > 100 && repeatedIds > 10, "the table repeats rows and ids");
    Dataset<Row> table = SPARK.createDataFrame(rows, SCHEMA);
    Duplicates expected = new Duplicates(repeatedRows, repeatedIds, idRows);
    for (int partitions : new int[] {1, 7}) {
      Dataset<Row> t = table.repartition(partitions);
      for (boolean driver : new boolean[] {true, false}) {
        Duplicates d = DuplicateRows.of(t, SCHEMA.fields(), "id", driver);
        assertEquals(expected, d, partitions + " partitions, on the driver: " + driver);
      }
    }
    for (boolean driver : new boolean[] {true, false}) {
      Duplicates withoutId = DuplicateRows.of(table, SCHEMA.fields(), null, driver);
      // Without an id the id column is content too: rows repeat only when all three cells do.
      Map<List<Object>, Integer> whole = new HashMap<>();
      rows.forEach(r -> whole.merge(Arrays.asList(r.get(0), r.get(1), r.get(2)), 1, Integer::sum));
      assertEquals(rows.size() - whole.size(), withoutId.rows());
      assertNull(withoutId.ids());
    }
  }

  /**
   * The driver's keys are Spark's SQL functions' values, cell for cell: {@code xxhash64} and {@code
   * hash} of the cells but the id's and their null pattern, over columns of many types (with -0.0,
   * NaN, nulls and empty text), and of the id.
   */
  @Test
  void theDriversKeysAreSparksHashes() {
    Dataset<Row> table =
        SPARK.sql(
            "SELECT * FROM VALUES"
                + " (1L, 1, -0.0D, 'a', true, CAST(1.50 AS DECIMAL(10,2)), DATE'2024-02-29'),"
                + " (2L, NULL, CAST('NaN' AS DOUBLE), '', false, NULL, NULL),"
                + " (NULL, 7, 0.0D, NULL, NULL, CAST(-3 AS DECIMAL(10,2)), DATE'1970-01-01'),"
                + " (4L, 7, 2.5D, 'é', true, CAST(0 AS DECIMAL(10,2)), DATE'2000-01-01')"
                + " AS t(id, i, d, s, b, m, day)");
    List<org.apache.spark.sql.Column> cells = new ArrayList<>();
    List<org.apache.spark.sql.Column> nulls = new ArrayList<>();
    for (String c : List.of("i", "d", "s", "b", "m", "day")) {
      cells.add(org.apache.spark.sql.functions.col(c));
      nulls.add(
          org.apache
              .spark
              .sql
              .functions
              .when(org.apache.spark.sql.functions.col(c).isNull(), "1")
              .otherwise("0"));
    }
    cells.add(
        org.apache.spark.sql.functions.concat_ws(
            "", nulls.toArray(new org.apache.spark.sql.Column[0])));
    org.apache.spark.sql.Column[] c = cells.toArray(new org.apache.spark.sql.Column[0]);
    org.apache.spark.sql.Column id = org.apache.spark.sql.functions.col("id");
    List<Row> bySql =
        table
            .select(
                org.apache.spark.sql.functions.xxhash64(c),
                org.apache.spark.sql.functions.hash(c),
                org.apache.spark.sql.functions.xxhash64(id),
                org.apache.spark.sql.functions.hash(id),
                id.isNull())
            .collectAsList();
    long[][] keys = DuplicateRows.keys(table.coalesce(1), "id", true);
    List<Long> rows = new ArrayList<>();
    List<Long> ids = new ArrayList<>();
    for (Row r : bySql) {
      rows.addAll(List.of(r.getLong(0), (long) r.getInt(1)));
      if (!r.getBoolean(4)) {
        ids.addAll(List.of(r.getLong(2), (long) r.getInt(3)));
      }
    }
    assertEquals(rows, Arrays.stream(keys[0]).boxed().toList(), "rows' keys");
    assertEquals(ids, Arrays.stream(keys[1]).boxed().toList(), "ids' keys (the null id has none)");
  }

  /**
   * Maps, arrays of maps and structs holding maps (which Spark's hashes refuse) are content too:
   * rows equal in them repeat, rows that differ only in a map's value do not, on either path.
   */
  @Test
  void rowsWithMapsRepeatOnlyWhenTheirMapsAreEqual() {
    Dataset<Row> table =
        SPARK.sql(
            "select id, map('k', id % 3) as m, array(map('a', id % 3)) as am,"
                + " named_struct('s', map('b', id % 3)) as sm from range(30)");
    for (boolean driver : new boolean[] {true, false}) {
      Duplicates d = DuplicateRows.of(table, table.schema().fields(), "id", driver);
      assertEquals(new Duplicates(27, 0L, 0L), d, "on the driver: " + driver);
    }
  }
}
