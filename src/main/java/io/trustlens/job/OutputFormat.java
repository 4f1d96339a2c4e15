package io.trustlens.job;

import io.trustlens.feature.ColumnNames;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;

/**
 * How an output table is stored: Parquet, JSON lines, or CSV (with a header; only for tables whose
 * columns are all single values). A table is read back with the schema it was written with, so
 * types that JSON and CSV do not record (an {@code int} read back as a {@code long}, a vector, a
 * column's metadata) come back as they were.
 */
enum OutputFormat {
  PARQUET,
  JSON,
  CSV;

  /** The format named {@code name} ({@code parquet}, {@code json} or {@code csv}). */
  static OutputFormat named(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new SpecException("output_format is '" + name + "'; expected parquet, json or csv");
    }
  }

  /**
   * Checks that this format can hold every column of {@code schema}.
   *
   * @throws SpecException naming the first column it cannot hold
   */
  void check(String table, StructType schema) {
    if (this != CSV) {
      return;
    }
    for (StructField f : schema.fields()) {
      if (!isSingleValue(f)) {
        throw new SpecException(
            "output_format csv cannot hold column '"
                + f.name()
                + "' ("
                + f.dataType().simpleString()
                + ") of the table "
                + table
                + "; use parquet or json");
      }
    }
  }

  /** Writes {@code table} at {@code path}. */
  void write(String name, Dataset<Row> table, String path) {
    check(name, table.schema());
    DataFrameWriter<Row> writer = table.write().format(sparkName());
    if (this == CSV) {
      writer = writer.option("header", "true").option("escape", SmallCsv.ESCAPE);
    }
    writer.save(path);
  }

  /**
   * Reads back a table written by {@link #write} with {@code schema}. Parquet gets the schema too:
   * Spark would infer it from the files' footers with a job of its own, and gives the written
   * schema either way (as Spark writes it: every field nullable, the columns' metadata kept).
   */
  Dataset<Row> read(SparkSession spark, StructType schema, String path) {
    DataFrameReader reader = spark.read().format(sparkName()).schema(schema);
    if (this == CSV) {
      reader = reader.option("header", "true").option("escape", SmallCsv.ESCAPE);
    }
    Dataset<Row> table = reader.load(path);
    if (this == PARQUET) {
      return table;
    }
    // Field metadata (the names of an attribution array's entries) is not stored in JSON or CSV.
    Column[] withMetadata = new Column[schema.size()];
    for (int i = 0; i < withMetadata.length; i++) {
      StructField f = schema.fields()[i];
      withMetadata[i] = ColumnNames.col(table, f.name()).as(f.name(), f.metadata());
    }
    return table.select(withMetadata);
  }

  /** The name of the Spark data source. */
  String sparkName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The names of every format, for messages and help. */
  static String names() {
    return String.join(
        ", ", Arrays.stream(values()).map(OutputFormat::sparkName).toArray(String[]::new));
  }

  private static boolean isSingleValue(StructField f) {
    return !(f.dataType() instanceof ArrayType
        || f.dataType() instanceof MapType
        || f.dataType() instanceof StructType
        || f.dataType() instanceof BinaryType
        || f.dataType() instanceof UserDefinedType<?>);
  }
}
