package io.trustlens.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustlens.testing.SparkTestSession;
import java.util.List;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Names with dots, backticks and spaces mean their own top-level column, for Spark and MLlib. */
class ColumnNamesTest {
  private static final List<String> NAMES =
      List.of("plain", "a.b", "a `quoted` name", "`", "``x``", "trailing.", ".", "é.ß");

  @Test
  void aStageParameterNamesItsColumnBackAndPlainNamesStayAsTheyAre() {
    for (String name : NAMES) {
      assertEquals(name, ColumnNames.ofStage(ColumnNames.forStage(name)), name);
    }
    assertEquals("plain", ColumnNames.forStage("plain"));
    assertEquals("c d", ColumnNames.forStage("c d"));
    assertEquals("`a.b`", ColumnNames.forStage("a.b"));
    assertEquals("`a``b`", ColumnNames.forStage("a`b"));
    assertEquals("`a``b`", ColumnNames.quoted("a`b"));
    assertEquals("a`b", ColumnNames.ofStage("a`b"), "an unquoted name is itself");
  }

  @Test
  void aDottedNameIsTheTopLevelColumnNotAStructsField() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> table =
        spark.sql(
            "select named_struct('b', 1d) as a, 2d as `a.b`, 3d as `a ``quoted`` name`,"
                + " 4d as ```x```, 5d as `é.ß`");
    assertEquals(1.0, table.select(org.apache.spark.sql.functions.col("a.b")).first().get(0));
    assertEquals(2.0, table.select(ColumnNames.col("a.b")).first().get(0));
    assertEquals(2.0, table.select(ColumnNames.col(table, "a.b")).first().get(0));
    assertEquals(3.0, table.select(ColumnNames.col("a `quoted` name")).first().get(0));
    assertEquals(4.0, table.select(ColumnNames.col("`x`")).first().get(0));
    assertEquals(5.0, table.select(ColumnNames.col("é.ß")).first().get(0));

    String[] inputs =
        List.of("a.b", "a `quoted` name", "`x`", "é.ß").stream()
            .map(ColumnNames::forStage)
            .toArray(String[]::new);
    Vector v =
        (Vector)
            new VectorAssembler()
                .setInputCols(inputs)
                .setOutputCol("v")
                .transform(table)
                .select("v")
                .first()
                .get(0);
    assertEquals(
        List.of(2.0, 3.0, 4.0, 5.0), List.of(v.apply(0), v.apply(1), v.apply(2), v.apply(3)));
  }

  @Test
  void aMissingColumnSuggestsTheOneTheUserMeant() {
    String[] columns = {"id", "age", "income", "debt_ratio", "mean_radius", "mean_radios"};
    assertEquals(
        "; did you mean 'id'? (names are case-sensitive)", ColumnNames.didYouMean("ID", columns));
    assertEquals("; did you mean 'income'?", ColumnNames.didYouMean("incme", columns));
    assertEquals("; did you mean 'debt_ratio'?", ColumnNames.didYouMean("debt_ration", columns));
    // Two columns as near: no guess; nothing near, or a short name near many: none.
    assertEquals("", ColumnNames.didYouMean("mean_radiis", columns));
    assertEquals("", ColumnNames.didYouMean("region", columns));
    assertEquals("", ColumnNames.didYouMean("ag", columns));
    // A name cut short: the one column that starts with it, unless several do.
    assertEquals("; did you mean 'debt_ratio'?", ColumnNames.didYouMean("debt", columns));
    assertEquals("", ColumnNames.didYouMean("mean", columns));
    assertEquals("", ColumnNames.didYouMean("inc", columns));
    assertEquals(3, ColumnNames.edits("kitten", "sitting"));
    assertEquals(0, ColumnNames.edits("", ""));
    assertEquals(4, ColumnNames.edits("", "abcd"));
    org.apache.spark.sql.types.StructType schema =
        new org.apache.spark.sql.types.StructType().add("Age", "double").add("id", "long");
    assertEquals(
        "unknown column 'age'; the table has: Age, id; did you mean 'Age'? (names are"
            + " case-sensitive)",
        ColumnNames.unknown("age", schema));
  }
}
