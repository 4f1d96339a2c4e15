package io.trustlens.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.util.GenericArrayData;

/**
 * The files of a saved MLlib model, read on the driver for {@link SavedMllibReader}: a folder's
 * {@code metadata/} line, the rows of its Parquet files (Parquet's own reader, the example {@code
 * Group} API), and the values Spark writes in them: arrays as three-level LIST groups, vectors and
 * matrices as their UDT's struct. Anything laid out otherwise throws {@link UnexpectedLayout}.
 */
final class SavedFiles {
  /** A saved model's file not laid out as this reader expects: MLlib's loader reads it instead. */
  static final class UnexpectedLayout extends Exception {
    private static final long serialVersionUID = 1L;

    UnexpectedLayout(String what) {
      super(what, null, false, false);
    }
  }

  private final FileSystem fs;
  private final Configuration conf;

  /** The files on {@code fs}, with {@code conf} for Parquet. */
  SavedFiles(FileSystem fs, Configuration conf) {
    this.fs = fs;
    this.conf = conf;
  }

  /**
   * A vector's or matrix's struct as Spark's row: bytes (8-bit integers), integers, booleans and
   * arrays of integers or doubles, a missing optional field as null.
   */
  static InternalRow udt(Group row, String field) throws UnexpectedLayout {
    if (row.getFieldRepetitionCount(field) != 1) {
      throw new UnexpectedLayout(field + " is null");
    }
    Group g = row.getGroup(field, 0);
    GroupType type = g.getType();
    Object[] values = new Object[type.getFieldCount()];
    for (int i = 0; i < values.length; i++) {
      if (g.getFieldRepetitionCount(i) == 0) {
        continue;
      }
      org.apache.parquet.schema.Type t = type.getType(i);
      if (!t.isPrimitive()) {
        List<Group> elements = elements(g, i);
        if (isDoubles(t)) {
          double[] d = new double[elements.size()];
          for (int k = 0; k < d.length; k++) {
            d[k] = elements.get(k).getDouble(0, 0);
          }
          values[i] = new GenericArrayData(d);
        } else {
          int[] n = new int[elements.size()];
          for (int k = 0; k < n.length; k++) {
            n[k] = elements.get(k).getInteger(0, 0);
          }
          values[i] = new GenericArrayData(n);
        }
        continue;
      }
      values[i] =
          switch (t.asPrimitiveType().getPrimitiveTypeName()) {
            case BOOLEAN -> g.getBoolean(i, 0);
            case INT32 ->
                t.getLogicalTypeAnnotation()
                            instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation a
                        && a.getBitWidth() == 8
                    ? (Object) (byte) g.getInteger(i, 0)
                    : (Object) g.getInteger(i, 0);
            default ->
                throw new UnexpectedLayout(field + "." + type.getFieldName(i) + " is unexpected");
          };
    }
    return new GenericInternalRow(values);
  }

  /** Whether a LIST group's elements are doubles. */
  static boolean isDoubles(org.apache.parquet.schema.Type list) {
    org.apache.parquet.schema.Type element = list.asGroupType().getType(0);
    return !element.isPrimitive()
        && element.asGroupType().getType(0).isPrimitive()
        && element.asGroupType().getType(0).asPrimitiveType().getPrimitiveTypeName()
            == PrimitiveTypeName.DOUBLE;
  }

  /** An array column of doubles (no nulls). */
  static double[] doubles(Group g, String field) throws UnexpectedLayout {
    List<Group> elements = elements(g, field);
    double[] values = new double[elements.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = elements.get(i).getDouble(0, 0);
    }
    return values;
  }

  /** An array column of integers (no nulls). */
  static int[] integers(Group g, String field) throws UnexpectedLayout {
    List<Group> elements = elements(g, field);
    int[] values = new int[elements.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = elements.get(i).getInteger(0, 0);
    }
    return values;
  }

  /** An array column of strings (no nulls), as a count vectorizer's vocabulary. */
  static String[] strings(Group g, String field) throws UnexpectedLayout {
    List<Group> elements = elements(g, field);
    String[] values = new String[elements.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = elements.get(i).getString(0, 0);
    }
    return values;
  }

  /** An array column of arrays of strings (no nulls), as a string indexer's labels. */
  static String[][] stringArrays(Group g, String field) throws UnexpectedLayout {
    List<Group> outer = elements(g, field);
    String[][] values = new String[outer.size()][];
    for (int i = 0; i < values.length; i++) {
      List<Group> inner = elements(outer.get(i), 0);
      values[i] = new String[inner.size()];
      for (int k = 0; k < inner.size(); k++) {
        values[i][k] = inner.get(k).getString(0, 0);
      }
    }
    return values;
  }

  static List<Group> elements(Group g, String field) throws UnexpectedLayout {
    return elements(g, g.getType().getFieldIndex(field));
  }

  /**
   * The elements of array column {@code field} of {@code g}, as Spark writes arrays: a LIST group
   * whose repeated group holds one value each (its field 0). Throws for a null array or value.
   */
  static List<Group> elements(Group g, int field) throws UnexpectedLayout {
    String name = g.getType().getFieldName(field);
    if (g.getFieldRepetitionCount(field) != 1) {
      throw new UnexpectedLayout(name + " is null");
    }
    Group list = g.getGroup(field, 0);
    GroupType type = list.getType();
    if (type.getFieldCount() != 1 || type.getType(0).isPrimitive()) {
      throw new UnexpectedLayout(name + " is not a three-level list");
    }
    int n = list.getFieldRepetitionCount(0);
    List<Group> elements = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Group element = list.getGroup(0, i);
      if (element.getType().getFieldCount() != 1 || element.getFieldRepetitionCount(0) != 1) {
        throw new UnexpectedLayout(name + " holds a null");
      }
      elements.add(element);
    }
    return elements;
  }

  static int integer(JsonNode extra, String key) throws UnexpectedLayout {
    JsonNode value = extra.get(key);
    if (value == null || !value.isInt()) {
      throw new UnexpectedLayout(key + " is not an integer");
    }
    return value.intValue();
  }

  static DefaultParamsReader.Metadata parse(String line, String className) {
    return DefaultParamsReader.parseMetadata(line, className);
  }

  /** The first line of the one {@code part-} file of {@code dir/metadata}. */
  String metadataLine(Path dir) throws IOException, UnexpectedLayout {
    List<Path> parts = parts(new Path(dir, "metadata"), "part-");
    if (parts.size() != 1) {
      throw new UnexpectedLayout("not one metadata part");
    }
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(fs.open(parts.get(0)), StandardCharsets.UTF_8))) {
      String line = in.readLine();
      if (line == null) {
        throw new UnexpectedLayout("empty metadata");
      }
      return line;
    }
  }

  /** Every row of the Parquet files of {@code dir}, file by file in name order. */
  List<Group> parquet(Path dir) throws IOException, UnexpectedLayout {
    List<Path> parts = parts(dir, "part-");
    if (parts.isEmpty()) {
      throw new UnexpectedLayout("no Parquet part in " + dir);
    }
    List<Group> rows = new ArrayList<>();
    for (Path part : parts) {
      try (ParquetReader<Group> reader =
          ParquetReader.builder(new GroupReadSupport(), part).withConf(conf).build()) {
        for (Group row = reader.read(); row != null; row = reader.read()) {
          rows.add(row);
        }
      }
    }
    return rows;
  }

  /** The files of {@code dir} whose names start with {@code prefix}, in name order. */
  private List<Path> parts(Path dir, String prefix) throws IOException {
    List<Path> parts = new ArrayList<>();
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      if (status.isFile() && name.startsWith(prefix) && !name.endsWith(".crc")) {
        parts.add(status.getPath());
      }
    }
    parts.sort(Comparator.comparing(Path::getName));
    return parts;
  }
}
