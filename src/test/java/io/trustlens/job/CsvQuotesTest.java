package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.trustlens.testing.SparkTestSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A quoted CSV value over a line end is found, and such a file is read whole rows at a time. */
class CsvQuotesTest {
  @TempDir Path dir;

  @Test
  void aQuotedValueOverALineEndIsFoundOnItsLine() {
    assertEquals(0, line("a,b\n1,\"x, y\"\n2,\"say \"\"hi\"\"\"\n"), "quoted on one line");
    assertEquals(0, line("h,w\n5'10\",1\n6\"2,\"\"\n"), "quotes inside unquoted values");
    assertEquals(2, line("a,b\n1,\"two\nlines\"\n"));
    assertEquals(3, line("a,b\r\n1,x\r\n2,\"two\r\nlines\"\r\n"), "CRLF is one line end");
    assertEquals(3, line("a,b\r1,x\r2,\"two\rlines\"\r"), "so is a bare CR");
    assertEquals(2, line("a,b\n1,\"\"\"quoted\"\" then\na line end\"\n"), "after doubled quotes");
    assertEquals(0, line("a,b\n1,\"cut off by the end of the head"), "a head's last value");
  }

  @Test
  void aFileWithValuesOverLinesIsReadWithWholeRows() throws Exception {
    Path file = dir.resolve("reviews.csv");
    Files.writeString(
        file,
        "id,review,stars\n1,\"Good.\nWould buy again.\",5\n2,short,3\n3,\"a \"\"so-so\"\"\r\nday\",2\n",
        StandardCharsets.UTF_8);
    AuditSpec.Input in = new AuditSpec.Input();
    in.path = file.toString();
    List<Row> rows = InputTable.read(SparkTestSession.get(), in, true).table().collectAsList();
    assertEquals(
        "[[1,Good.\nWould buy again.,5], [2,short,3], [3,a \"so-so\"\r\nday,2]]", rows.toString());
    assertEquals(
        "int",
        InputTable.read(SparkTestSession.get(), in, true)
            .table()
            .schema()
            .apply("id")
            .dataType()
            .simpleString());
  }

  private static int line(String text) {
    return CsvQuotes.firstSpanningLine(text.getBytes(StandardCharsets.UTF_8));
  }
}
