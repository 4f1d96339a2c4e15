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
}
