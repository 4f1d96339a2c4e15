package io.trustlens.job;

import io.trustlens.feature.InvalidFeatureException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Whether an input's files are in the format they are read as, checked on the first bytes of its
 * first data file before Spark reads them: a CSV file read as Parquet (a path without an extension
 * defaults to Parquet) would fail in a task with Spark's footer error, a Parquet folder read as CSV
 * would be profiled as lines of binary, and a CSV file read as JSON would stop in Spark's error
 * about its internal {@code _corrupt_record} column. Each is refused here in one line that names
 * the file and what it holds.
 */
final class InputFormatCheck {
  private InputFormatCheck() {}

  /** Parquet files start with these four bytes ({@code PARE} when their footer is encrypted). */
  private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] ENCRYPTED_PARQUET_MAGIC = "PARE".getBytes(StandardCharsets.US_ASCII);

  /** Bytes read from the head of the first file. */
  private static final int HEAD = 4096;

  /**
   * Refuses {@code path} when its first data file is plainly not {@code format} (parquet, csv or
   * json; other formats are not checked). {@code named} tells whether the format was given or
   * implied by the path, for the advice.
   */
  static void require(FileSystem fs, Path path, String format, boolean named) throws IOException {
    if (!format.equals("parquet") && !format.equals("csv") && !format.equals("json")) {
      return;
    }
    FileStatus file = firstDataFile(fs, path);
    if (file == null || compressed(file.getPath().getName())) {
      return; // an empty folder is reported as a table without rows; compressed text is not sniffed
    }
    byte[] head = new byte[(int) Math.min(HEAD, file.getLen())];
    try (InputStream in = fs.open(file.getPath())) {
      int read = in.readNBytes(head, 0, head.length);
      head = Arrays.copyOf(head, read);
    }
    String how = named ? "read as " + format + " (--format)" : "read as " + format;
    String which = file.getPath().toString();
    boolean parquet = startsWith(head, PARQUET_MAGIC) || startsWith(head, ENCRYPTED_PARQUET_MAGIC);
    if (format.equals("parquet") && !parquet && head.length > 0) {
      throw new InvalidFeatureException(
          which
              + " is not a Parquet file (Parquet files start with PAR1; its first line is '"
              + firstLine(head)
              + "'); "
              + (named ? "" : "a path without a .csv or .json extension is read as Parquet: ")
              + "say --format csv or --format json for a text table");
    }
    if (!format.equals("parquet") && parquet) {
      throw new InvalidFeatureException(
          which + " is a Parquet file, " + how + "; say --format parquet or leave --format out");
    }
    if (!format.equals("parquet") && indexOf(head, (byte) 0) >= 0) {
      throw new InvalidFeatureException(
          which + " is not text (a zero byte in its first " + head.length + " bytes), " + how);
    }
  }

  /**
   * Refuses a JSON table whose lines did not parse: Spark's schema inference then adds a {@code
   * _corrupt_record} column (alone when no line parsed, as for a CSV file read as JSON).
   */
  static void requireJsonRecords(Dataset<Row> df, String path) {
    String corrupt = "_corrupt_record";
    if (df.schema().getFieldIndex(corrupt).isEmpty()) {
      return;
    }
    if (df.schema().size() == 1) {
      throw new InvalidFeatureException(
          "no line of "
              + path
              + " is a JSON record (one object a line); is it CSV? say --format csv, or give the"
              + " file a .csv extension");
    }
    throw new InvalidFeatureException(
        "some lines of "
            + path
            + " are not JSON records (one object a line), so Spark set them aside as"
            + " _corrupt_record; fix or remove them");
  }

  /**
   * Refuses a CSV table read as one column whose name holds another separator ({@code ;}, a tab or
   * {@code |}): a file separated by it, which would be read as one text column of whole lines.
   */
  static void requireCommaSeparated(Dataset<Row> df, String path) {
    if (df.schema().size() != 1) {
      return;
    }
    String header = df.schema().fieldNames()[0];
    for (String separator : new String[] {";", "\t", "|"}) {
      if (header.contains(separator)) {
        throw new InvalidFeatureException(
            path
                + " reads as one column, '"
                + header
                + "': its values are separated by '"
                + (separator.equals("\t") ? "\\t" : separator)
                + "', and a CSV table's by commas; convert the file, or give the table as"
                + " Parquet");
      }
    }
  }

  /** The first file under {@code path} that Spark reads: not hidden ({@code _} or {@code .}). */
  static FileStatus firstDataFile(FileSystem fs, Path path) throws IOException {
    FileStatus status = fs.getFileStatus(path);
    if (!status.isDirectory()) {
      return status;
    }
    FileStatus[] children = fs.listStatus(path);
    Arrays.sort(children);
    for (FileStatus child : children) {
      String name = child.getPath().getName();
      if (name.startsWith("_") || name.startsWith(".")) {
        continue;
      }
      FileStatus found = child.isDirectory() ? firstDataFile(fs, child.getPath()) : child;
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  static boolean compressed(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (String ext : new String[] {".gz", ".bz2", ".deflate", ".lz4", ".snappy", ".zst", ".zip"}) {
      if (n.endsWith(ext)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length
        && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** The head's first line, at most 60 characters of it, non-printable characters as '?'. */
  private static String firstLine(byte[] head) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < head.length && line.length() < 60; i++) {
      int c = head[i] & 0xff;
      if (c == '\n' || c == '\r') {
        break;
      }
      line.append(c >= 32 && c < 127 ? (char) c : '?');
    }
    return line.toString();
  }
}
