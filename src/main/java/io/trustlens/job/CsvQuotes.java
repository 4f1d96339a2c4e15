package io.trustlens.job;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Whether a CSV file has a quoted value that runs over a line end (a review's text with its
 * paragraphs): Spark's reader, splitting the file by lines, would cut such a row in two and shift
 * the second half's values into the wrong columns, unless told to read whole files ({@code
 * multiLine}). Read as RFC 4180 has it: a value is quoted when its first character is a quote, and
 * ends at the next quote not doubled; a quote anywhere else (5'10") is a character of the value.
 */
final class CsvQuotes {
  /** Bytes read from the head of a file: all of a file the driver reads itself, and more. */
  static final int HEAD = 1 << 20;

  private CsvQuotes() {}

  /**
   * Whether the first data file of {@code path} (a file, or the first of a folder's) has a quoted
   * value over a line end in its first {@link #HEAD} bytes; false for compressed files.
   */
  static boolean spanLines(FileSystem fs, Path path) throws IOException {
    FileStatus file = InputFormatCheck.firstDataFile(fs, path);
    if (file == null || InputFormatCheck.compressed(file.getPath().getName())) {
      return false;
    }
    byte[] head;
    try (InputStream in = fs.open(file.getPath())) {
      head = in.readNBytes((int) Math.min(HEAD, file.getLen()));
    }
    return firstSpanningLine(head) > 0;
  }

  /**
   * The line (from 1) on which the first quoted value of {@code text} starts that runs over a line
   * end, or 0 when none does (a quoted value cut off by the end of {@code text} does not count).
   */
  static int firstSpanningLine(byte[] text) {
    int line = 1;
    boolean fieldStart = true;
    boolean quoted = false;
    int quotedFrom = 0;
    for (int i = 0; i < text.length; i++) {
      byte b = text[i];
      if (quoted) {
        if (b == '"') {
          if (i + 1 < text.length && text[i + 1] == '"') {
            i++;
          } else {
            quoted = false;
          }
        } else if (b == '\n' || b == '\r') {
          return quotedFrom;
        }
      } else if (b == ',') {
        fieldStart = true;
      } else if (b == '\n' || b == '\r') {
        line += b == '\r' && i + 1 < text.length && text[i + 1] == '\n' ? 0 : 1;
        fieldStart = true;
      } else if (b == '"' && fieldStart) {
        quoted = true;
        quotedFrom = line;
        fieldStart = false;
      } else {
        fieldStart = false;
      }
    }
    return 0;
  }
}
