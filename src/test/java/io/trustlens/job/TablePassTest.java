package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explore.RowOrder;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figures folded into the job that writes a table ({@link TablePass#whileWriting}) equal those of a
 * pass reading the written table back, in every output format that holds the table and whatever the
 * partitioning; the table written is the table given; the first rows are the table's own first
 * rows; the plotted sample is {@link RowOrder#sampleRows} of the written table; and parts asked for
 * before the write, or after writing twice, are refused.
 */
class TablePassTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  private static final StructType SCHEMA =
      new StructType()
          .add("id", DataTypes.StringType)
          .add("label", DataTypes.DoubleType)
          .add("prediction", DataTypes.DoubleType)
          .add("probability", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("shap", DataTypes.createArrayType(DataTypes.DoubleType))
          .add("shap_base", DataTypes.DoubleType)
          .add("hidden", DataTypes.DoubleType);

  @TempDir Path dir;

  private static Dataset<Row> table() {
    Random random = new Random(5);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      double p = random.nextDouble();
      rows.add(
          RowFactory.create(
              "row " + i,
              i % 13 == 0 ? null : (double) random.nextInt(2),
              p > 0.5 ? 1.0 : 0.0,
              Arrays.asList(1 - p, p),
              i % 11 == 0 ? null : Arrays.asList(p - 0.5, random.nextGaussian(), 1e-12 * i),
              0.25,
              random.nextGaussian()));
    }
    return SPARK.createDataFrame(rows, SCHEMA);
  }

  private String write(Dataset<Row> table, OutputFormat format, String name) {
    String path = dir.resolve(name).toString();
    format.write(name, table, path);
    return path;
  }

  @Test
  void scoreFiguresFromTheWriteEqualThoseReadBack() {
    Dataset<Row> all = table();
    int written = 0;
    for (OutputFormat format : List.of(OutputFormat.PARQUET, OutputFormat.JSON)) {
      for (int partitions : new int[] {1, 3, 12}) {
        Dataset<Row> table = partitions == 1 ? all.coalesce(1) : all.repartition(partitions);
        String where = format + ", " + partitions + " partitions";
        ScoreFigures.Written pass =
            ScoreFigures.whileWriting(table, col("label"), 2, true, true, 10);
        assertEquals(table.schema(), pass.table().schema(), where + ": the schema written");
        String path = write(pass.table(), format, "scored" + written++);
        Dataset<Row> back = format.read(SPARK, table.schema(), path);
        ScoreFigures got = pass.figures(() -> back);
        ScoreFigures read = ScoreFigures.of(back, col("label"), 2, true, true, 0);
        assertEquals(read.rows(), got.rows(), where);
        assertEquals(700, got.rows(), where);
        assertEquals(read.accuracy(), got.accuracy(), where);
        assertEquals(read.outside(), got.outside(), where);
        assertArrayEquals(read.confusion(), got.confusion(), where);
        assertEquals(read.logLoss(), got.logLoss(), where);
        assertEquals(read.rocArea(), got.rocArea(), where);
        assertEquals(table.limit(10).collectAsList(), got.head(), where + ": the first rows");
        assertEquals(sorted(table), sorted(back), where + ": the rows written");
      }
    }
  }

  /**
   * The explain form: the pass reads every column of its source, the table written holds only the
   * columns named (one renamed), and the first rows are the source's.
   */
  @Test
  void arrayStatsFromTheWriteOfSomeColumnsEqualThoseReadBack() {
    Dataset<Row> source = table().repartition(4);
    List<Column> kept = List.of(col("id"), col("shap"), col("shap_base"), col("label").as("truth"));
    ArrayStats.Written pass = ArrayStats.whileWriting(source, kept, 20, "shap", 3, "shap_base");
    String path = write(pass.table(), OutputFormat.PARQUET, "explained");
    Dataset<Row> back = SPARK.read().parquet(path);
    assertEquals(List.of("id", "shap", "shap_base", "truth"), List.of(back.columns()));
    ArrayStats got = pass.stats(() -> back);
    ArrayStats read = ArrayStats.of(back, "shap", 3, "shap_base");
    assertArrayEquals(read.meanAbs(), got.meanAbs());
    assertEquals(read.mean(0), got.mean(0));
    assertEquals(source.limit(20).collectAsList(), got.head(), "the source's first rows");
    assertEquals(
        sorted(source.select(kept.toArray(new Column[0]))), sorted(back), "the rows written");
  }

  @Test
  void theSampleDrawnWhileWritingIsTheSampleOfTheWrittenTable() {
    Dataset<Row> table = table().repartition(5);
    List<String> columns = List.of("shap_base", "prediction", "id");
    SampledRows pass = SampledRows.whileWriting(table, "id", 42, 300, columns);
    String path = write(pass.table(), OutputFormat.PARQUET, "mapped");
    Dataset<Row> back = SPARK.read().parquet(path);
    assertEquals(700, pass.rows());
    for (int n : new int[] {1, 37, 300}) {
      assertEquals(
          RowOrder.sampleRows(back, "id", n, 42, columns), pass.sample(n), n + " sampled rows");
    }
    assertThrows(IllegalArgumentException.class, () -> pass.sample(301));
    // A sample of 10 from partitions of 140 rows: each partition trims what it keeps, often.
    SampledRows small = SampledRows.whileWriting(table, "id", 42, 10, columns);
    write(small.table(), OutputFormat.PARQUET, "mapped-small");
    assertEquals(RowOrder.sampleRows(back, "id", 10, 42, columns), small.sample(10));
    // A sample larger than the table holds every row, in the sample's order.
    SampledRows every = SampledRows.whileWriting(table, "", 7, 1000, columns);
    write(every.table(), OutputFormat.PARQUET, "every");
    List<Row> rows = every.sample(1000);
    assertEquals(700, rows.size());
    assertEquals(RowOrder.sampleRows(table, "", 1000, 7, columns), rows);
  }

  @Test
  void partsAreRefusedBeforeTheWriteAndAfterTwo() {
    Dataset<Row> table = table().repartition(3);
    ScoreFigures.Written pass = ScoreFigures.whileWriting(table, col("label"), 2, true, false, 0);
    IllegalStateException before =
        assertThrows(IllegalStateException.class, () -> pass.figures(() -> table));
    assertTrue(before.getMessage().contains("0 parts of 3 partitions"), before.getMessage());
    write(pass.table(), OutputFormat.PARQUET, "once");
    assertEquals(700, pass.figures(() -> table).rows());
    write(pass.table(), OutputFormat.PARQUET, "twice");
    IllegalStateException twice =
        assertThrows(IllegalStateException.class, () -> pass.figures(() -> table));
    assertTrue(twice.getMessage().contains("6 parts of 3 partitions"), twice.getMessage());
  }

  private static List<String> sorted(Dataset<Row> table) {
    List<String> rows = new ArrayList<>();
    for (Row r : table.collectAsList()) {
      rows.add(r.toString());
    }
    rows.sort(null);
    return rows;
  }
}
