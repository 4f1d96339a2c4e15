package io.trustlens.job;

import com.univocity.parsers.csv.CsvParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.csv.CSVHeaderChecker;
import org.apache.spark.sql.catalyst.csv.CSVInferSchema;
import org.apache.spark.sql.catalyst.csv.CSVOptions;
import org.apache.spark.sql.catalyst.csv.UnivocityParser;
import org.apache.spark.sql.execution.datasources.csv.CSVUtils;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Reads a small CSV file on the driver into a local table, with Spark's own CSV classes, so its
 * types and rows are those of {@code spark.read().option("header", "true").option("inferSchema",
 * "true").option("escape", "\"").csv(path)}: the header made safe as Spark makes it, the schema
 * inferred by {@code CSVInferSchema} over the same lines (blank lines and copies of the header line
 * left out, as Spark's inference leaves them out), the rows parsed by {@code UnivocityParser} in
 * its default mode with the header line dropped by {@code CSVHeaderChecker}.
 *
 * <p>Why: Spark's reader runs a job for the file's first line, one for the inference pass, and the
 * run one more to count the rows; in a young JVM each costs from a third of a second to two seconds
 * (Spark's scheduling, tasks and file-scan code run for the first time), more than parsing a few
 * hundred KB on the driver. Measured on a 2-core machine, session start to the end of a first write
 * of 569 rows: 3.8-4.4 s through Spark's reader with a count, 3.2-3.6 s from a local table with a
 * count; at a busier moment 6.0-6.8 s through Spark's reader and 3.5-3.7 s from a local table
 * without a count.
 *
 * <p>Only a single plain file of at most {@link #MAX_BYTES} is read here; a folder, a compressed
 * file, a file that starts with a byte-order mark or has no line but spaces is left to Spark
 * ({@link #read} returns null), as is every file when {@link #ENABLED} is {@code false}. The
 * table's rows are in the file's order, in one partition, as Spark scans a file this small: a local
 * table is split into the session's default parallelism, which differs between machines and
 * clusters, and a summary's sums, merged in partition order, would then differ in their last bits.
 */
final class SmallCsv {
  /**
   * The character that escapes a quote inside a quoted cell: the quote itself, as RFC 4180 and the
   * CSV files of pandas, R and spreadsheets have it ({@code "Smith ""Jr"""} is {@code Smith "Jr"}).
   * Spark's reader defaults to a backslash, and kept such a cell's quotes and doubled quotes in its
   * value, and such a header's in the column's name.
   */
  static final String ESCAPE = "\"";

  /** The largest file read on the driver. */
  static final long MAX_BYTES = 512L << 10;

  /** A Spark setting: {@code false} leaves every CSV file to Spark's reader. */
  static final String ENABLED = "spark.trustlens.readSmallCsvOnDriver";

  /**
   * A table read on the driver: as a Spark table of one partition (as Spark scans a file this
   * small), and as its rows, external and internal (that partition's rows, in order).
   */
  record Table(Dataset<Row> table, List<Row> rows, List<InternalRow> internalRows) {}

  private SmallCsv() {}

  /**
   * A file's rows parsed, not yet a Spark table ({@link #parse}): what needs no session, so that a
   * run can parse its input while Spark starts ({@link EarlyReads}).
   */
  record Parsed(StructType schema, List<Row> rows, List<InternalRow> internalRows) {
    /**
     * The rows as a table of {@code spark}, in one partition. Spark's optimizer drops a local
     * table's coalesce(1) under a later repartition (CollapseRepartition), which would then deal
     * the local table's slices, as many as the machine or cluster has cores, and a profile's sums
     * would follow them. The parsed internal rows themselves, not the rows through a row encoder:
     * building the encoder for the schema was 0.1-0.2 s of a young JVM's read.
     */
    Table table(SparkSession spark) {
      Dataset<Row> table = io.trustlens.feature.DriverRows.table(spark, internalRows, schema);
      return new Table(table, rows, internalRows);
    }
  }

  /**
   * The CSV file at {@code path} with a header line and inferred types, or null when it is not a
   * file this reads (then Spark's reader should).
   */
  static Table read(SparkSession spark, FileSystem fs, Path path) throws IOException {
    return read(spark, fs, path, null);
  }

  /**
   * As {@link #read(SparkSession, FileSystem, Path)}, from {@code early} when it is not null: the
   * same file parsed before, with the session's SQL settings.
   */
  static Table read(SparkSession spark, FileSystem fs, Path path, Parsed early) throws IOException {
    if (!Boolean.parseBoolean(spark.conf().get(ENABLED, "true"))) {
      return null;
    }
    Parsed parsed = early != null ? early : parse(spark.sessionState().conf(), fs, path);
    return parsed == null ? null : parsed.table(spark);
  }

  /**
   * The rows of the CSV file at {@code path} parsed with the SQL settings {@code conf} (those of
   * the session the table will belong to; Spark's CSV classes also read them as {@code
   * SQLConf.get}, here {@code conf}), or null when it is not a file this reads. Needs no session.
   */
  static Parsed parse(SQLConf conf, FileSystem fs, Path path) throws IOException {
    FileStatus status = fs.getFileStatus(path);
    if (!status.isFile()
        || status.getLen() > MAX_BYTES
        || new CompressionCodecFactory(fs.getConf()).getCodec(path) != null) {
      return null;
    }
    byte[] bytes;
    try (InputStream in = fs.open(path)) {
      bytes = in.readAllBytes();
    }
    List<String> lines = lines(bytes);
    if (lines.isEmpty()) {
      return null;
    }
    return SQLConf.withExistingConf(conf, () -> parse(conf, lines, path));
  }

  private static Parsed parse(SQLConf conf, List<String> lines, Path path) {
    java.util.Map<String, String> given = new java.util.LinkedHashMap<>();
    given.put("header", "true");
    given.put("inferSchema", "true");
    given.put("escape", ESCAPE);
    given.put("path", path.toString());
    scala.collection.immutable.Map<String, String> parameters =
        scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(given));
    CSVOptions inferOptions =
        new CSVOptions(parameters, conf.csvColumnPruning(), conf.sessionLocalTimeZone());
    StructType schema = infer(lines, inferOptions, conf.caseSensitiveAnalysis());
    if (schema == null) {
      return null;
    }
    CSVOptions readOptions =
        new CSVOptions(
            parameters,
            conf.csvColumnPruning(),
            conf.sessionLocalTimeZone(),
            conf.columnNameOfCorruptRecord());
    UnivocityParser parser = new UnivocityParser(schema, schema, readOptions);
    CSVHeaderChecker header =
        new CSVHeaderChecker(schema, readOptions, "CSV file: " + path.toUri(), true);
    scala.collection.Iterator<InternalRow> parsed =
        UnivocityParser.parseIterator(
            CollectionConverters.asScala(lines.iterator()), parser, header, schema);
    scala.Function1<Object, Object> toRow = CatalystTypeConverters.createToScalaConverter(schema);
    List<Row> rows = new ArrayList<>();
    List<InternalRow> internal = new ArrayList<>();
    while (parsed.hasNext()) {
      InternalRow row = parsed.next().copy();
      internal.add(row);
      rows.add((Row) toRow.apply(row));
    }
    return new Parsed(schema, rows, internal);
  }

  /**
   * The schema Spark's {@code TextInputCSVDataSource} infers from {@code lines}: the header from
   * the first line with a character other than a space (Spark's SQL {@code trim} filters the lines
   * it takes it from), the types from the lines Spark's {@code CSVUtils} keeps (not blank, not the
   * first line again), folded from {@code NullType} by {@code inferRowType} and merged into a start
   * of {@code NullType}s as Spark's aggregation merges a partition's types. Null when no line has a
   * character other than a space, or the first gives no tokens.
   */
  static StructType infer(List<String> lines, CSVOptions options, boolean caseSensitive) {
    CsvParser tokens = new CsvParser(options.asParserSettings());
    String first = null;
    for (String line : lines) {
      if (line.chars().anyMatch(c -> c != ' ')) {
        first = line;
        break;
      }
    }
    String[] firstRow = first == null ? null : tokens.parseLine(first);
    if (firstRow == null) {
      return null;
    }
    String[] header = CSVUtils.makeSafeHeader(firstRow, caseSensitive, options);
    scala.collection.Iterator<String> body =
        CSVUtils.filterHeaderLine(
            CSVUtils.filterCommentAndEmpty(CollectionConverters.asScala(lines.iterator()), options),
            first,
            options);
    CSVInferSchema inference = new CSVInferSchema(options);
    DataType[] types = nulls(header.length);
    while (body.hasNext()) {
      types = inference.inferRowType(types, tokens.parseLine(body.next()));
    }
    DataType[] merged = inference.mergeRowTypes(nulls(header.length), types);
    return new StructType(inference.toStructFields(merged, header));
  }

  private static DataType[] nulls(int n) {
    DataType[] types = new DataType[n];
    Arrays.fill(types, DataTypes.NullType);
    return types;
  }

  /**
   * The lines of {@code bytes} as Hadoop's line reader splits a text file (at {@code \n}, {@code
   * \r} or {@code \r\n}; no empty line after a last line end), each decoded as UTF-8 as Spark's CSV
   * reader decodes them; none when the file starts with a byte-order mark (left to Spark).
   */
  static List<String> lines(byte[] bytes) {
    if (bytes.length >= 3
        && (bytes[0] & 0xff) == 0xef
        && (bytes[1] & 0xff) == 0xbb
        && (bytes[2] & 0xff) == 0xbf) {
      return List.of();
    }
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n' || bytes[i] == '\r') {
        lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        if (bytes[i] == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < bytes.length) {
      lines.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
    }
    return lines;
  }
}
