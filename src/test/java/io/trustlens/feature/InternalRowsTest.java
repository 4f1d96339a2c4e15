package io.trustlens.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The internal-row path gives the rows the row encoder gives, for every kind of column. */
class InternalRowsTest {
  private static final StructType IN =
      new StructType()
          .add("id", DataTypes.LongType, false)
          .add("name", DataTypes.StringType, true)
          .add("x", DataTypes.DoubleType, true)
          .add("image", DataTypes.createArrayType(DataTypes.FloatType, false), true)
          .add("v", SQLDataTypes.VectorType(), true)
          .add("when", DataTypes.DateType, true);

  private static final List<StructField> ADDED =
      List.of(
          new StructField(
              "map",
              DataTypes.createArrayType(DataTypes.FloatType, false),
              false,
              Metadata.empty()),
          new StructField(
              "values",
              DataTypes.createArrayType(DataTypes.DoubleType, false),
              false,
              Metadata.empty()),
          new StructField("k", DataTypes.IntegerType, false, Metadata.empty()),
          new StructField("out", DataTypes.DoubleType, true, Metadata.empty()),
          new StructField("label", DataTypes.StringType, true, Metadata.empty()));

  private static Dataset<Row> table(SparkSession spark) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(
          RowFactory.create(
              (long) i,
              i % 5 == 0 ? null : "n" + i,
              i % 7 == 0 ? null : i / 3.0,
              i % 11 == 0 ? null : new Float[] {i * 0.5f, (float) -i, 1f / (i + 1), 3f},
              i % 13 == 0 ? null : Vectors.dense(i, -i),
              java.sql.Date.valueOf("2026-01-01")));
    }
    return spark.createDataFrame(rows, IN).repartition(3);
  }

  /** Appends values of each type computed from the row's own columns (through its Row face). */
  private static final class Appender implements MapPartitionsFunction<Row, Row> {
    private final boolean plainRows;

    Appender(boolean plainRows) {
      this.plainRows = plainRows;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      List<Row> out = new ArrayList<>();
      while (rows.hasNext()) {
        Row row = rows.next();
        List<Float> image = row.isNullAt(3) ? List.of() : row.getList(3);
        float[] map = new float[image.size()];
        for (int i = 0; i < map.length; i++) {
          map[i] = image.get(i) * 2;
        }
        double x = row.isNullAt(2) ? -1 : row.getDouble(2);
        Object[] added = {
          map,
          new double[] {x, row.getLong(0)},
          (int) row.getLong(0),
          row.isNullAt(4) ? null : ((org.apache.spark.ml.linalg.Vector) row.get(4)).apply(1),
          row.getString(1) == null ? null : row.getString(1) + "!"
        };
        out.add(plainRows ? plain(row, added) : Columns.appended(row, added));
      }
      return out.iterator();
    }

    private static Row plain(Row row, Object[] added) {
      Object[] values = new Object[row.length() + added.length];
      for (int i = 0; i < row.length(); i++) {
        values[i] = row.get(i);
      }
      System.arraycopy(added, 0, values, row.length(), added.length);
      return RowFactory.create(values);
    }
  }

  @Test
  void countsTheRowsOfAFileAFilterAndAnEmptyTable(@org.junit.jupiter.api.io.TempDir Path dir) {
    SparkSession spark = SparkTestSession.get();
    String path = dir.resolve("t").toString();
    spark.range(0, 1234, 1, 5).selectExpr("id", "id % 7 AS r").write().parquet(path);
    Dataset<Row> file = spark.read().parquet(path);
    assertEquals(1234, InternalRows.count(file));
    Dataset<Row> filtered = file.where("r = 3");
    assertEquals(filtered.count(), InternalRows.count(filtered));
    assertTrue(InternalRows.count(filtered) < 1234);
    assertEquals(0, InternalRows.count(file.where("r > 7")));
  }

  @Test
  void givesTheRowsOfTheRowEncoderForEveryColumnType() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> in = table(spark);
    StructType out = Columns.append(IN, ADDED);
    List<Row> expected =
        in.mapPartitions(new Appender(true), Encoders.row(out)).orderBy("id").collectAsList();
    List<Row> fast =
        InternalRows.mapPartitions(in, out, new Appender(false)).orderBy("id").collectAsList();
    List<Row> fallback =
        InternalRows.mapPartitions(in, out, new Appender(true)).orderBy("id").collectAsList();
    assertEquals(40, expected.size());
    assertEquals(expected, fast);
    assertEquals(expected, fallback);
    Row r = fast.get(8);
    assertEquals(List.of(8f, -16f, 2f / 9, 6f), r.getList(6));
    assertEquals("n8!", r.getString(10));
    assertTrue(fast.get(0).isNullAt(10) && fast.get(0).isNullAt(1));
  }

  @Test
  void readsTheRowsOfJavaRddForEveryColumnType() {
    SparkSession spark = SparkTestSession.get();
    String mode = org.apache.spark.sql.internal.SQLConf.CODEGEN_FACTORY_MODE().key();
    Dataset<Row> in = table(spark);
    assertEquals(
        List.of(false),
        InternalRows.javaRDD(in).map(r -> r instanceof InternalRows.View).distinct().collect());
    spark.conf().set(mode, "NO_CODEGEN"); // a small run's plans: rows read as views
    try {
      assertEquals(
          List.of(true),
          InternalRows.javaRDD(in).map(r -> r instanceof InternalRows.View).distinct().collect());
      sameRowsAsJavaRdd(in);
    } finally {
      spark.conf().unset(mode);
    }
  }

  private static void sameRowsAsJavaRdd(Dataset<Row> in) {
    List<Row> expected = in.javaRDD().collect();
    // Each value read on the executor, where the view was made, into a plain row.
    List<Row> converted =
        InternalRows.javaRDD(in).map(r -> Appender.plain(r, new Object[0])).collect();
    assertEquals(40, expected.size());
    assertEquals(expected.size(), converted.size());
    // Same rows in the same order, each value as the row deserializer gives it.
    assertEquals(expected, converted);
    assertEquals(expected.get(5).toString(), converted.get(5).toString());
    // Converted on the driver from a job's internal rows, from a column on.
    List<org.apache.spark.sql.catalyst.InternalRow> internal =
        in.queryExecution().toRdd().toJavaRDD().map(r -> r.copy()).collect();
    List<Row> tail = InternalRows.external(internal, IN, 2);
    for (int i = 0; i < expected.size(); i++) {
      for (int c = 2; c < IN.size(); c++) {
        assertEquals(expected.get(i).get(c), tail.get(i).get(c - 2), "row " + i + " column " + c);
      }
      assertEquals(IN.size() - 2, tail.get(i).length());
    }
  }

  @Test
  void readsArrayFeaturesAsBlocksWithTheRowPathsErrors() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> in = table(spark).where("id in (3, 11)");
    FeatureSpace space = FeatureSpace.ofImageArray(IN, "image", new ImageShape(1, 2, 2));
    StructType out = IN.add("sum", DataTypes.DoubleType, false);
    MapPartitionsFunction<Row, Row> sum =
        rows -> {
          FeatureSpace.Reader reader = space.reader(IN);
          List<Row> result = new ArrayList<>();
          while (rows.hasNext()) {
            Row row = rows.next();
            assertInstanceOf(InternalRows.View.class, row);
            double[] x = new double[4];
            String error = "";
            try {
              reader.read(row, x, 0);
            } catch (InvalidFeatureException e) {
              error = e.getMessage();
            }
            double total = Arrays.stream(x).sum();
            result.add(Columns.appended(row, error.isEmpty() ? total : error.length()));
          }
          return result.iterator();
        };
    List<Row> rows = InternalRows.mapPartitions(in, out, sum).orderBy("id").collectAsList();
    assertEquals(1.5f + -3f + 0.25f + 3f, rows.get(0).getDouble(6), 1e-6);
    String nullMessage = "null in feature column 'image'";
    assertEquals(nullMessage.length(), rows.get(1).getDouble(6));

    FeatureSpace big = FeatureSpace.ofImageArray(IN, "image", new ImageShape(1, 3, 3));
    Row view =
        InternalRows.mapPartitions(
                in.where("id = 3"),
                IN,
                part -> {
                  Row row = part.next();
                  InvalidFeatureException e =
                      assertThrows(
                          InvalidFeatureException.class,
                          () -> big.reader(IN).read(row, new double[9], 0));
                  assertTrue(
                      e.getMessage().contains("holds 4 values in this row; shape"), e.getMessage());
                  return List.of(row).iterator();
                })
            .first();
    assertEquals(3L, view.getLong(0));
  }
}
