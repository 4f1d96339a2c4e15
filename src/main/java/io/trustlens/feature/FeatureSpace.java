package io.trustlens.feature;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Where a table's features come from and what they are called: named numeric columns, one vector
 * column (names from its ML attribute metadata), a flat numeric array column holding images of a
 * known shape, or a column of Spark's image data source.
 *
 * <p>Invariants: {@code names().size() == size()}; every slot belongs to exactly one group, and
 * groups are in slot order.
 */
public final class FeatureSpace implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How the features are held in a row. */
  public enum Source {
    COLUMNS,
    VECTOR,
    ARRAY,
    IMAGE
  }

  private final Source source;
  private final List<String> columns;
  private final List<String> names;
  private final List<FeatureGroup> groups;
  private final ImageShape image;

  private FeatureSpace(
      Source source,
      List<String> columns,
      List<String> names,
      List<FeatureGroup> groups,
      ImageShape image) {
    this.source = source;
    this.columns = List.copyOf(columns);
    this.names = List.copyOf(names);
    this.groups = List.copyOf(groups);
    this.image = image;
  }

  /**
   * A space from its parts as {@link FeatureSpaceParam} saved them (checked as the constructor of
   * each source would not be: the parts come from a file).
   */
  static FeatureSpace restore(
      Source source,
      List<String> columns,
      List<String> names,
      List<FeatureGroup> groups,
      ImageShape image) {
    if (names.isEmpty() || columns.isEmpty()) {
      throw new IllegalArgumentException("a saved feature space names no features");
    }
    return new FeatureSpace(source, columns, names, groups, image);
  }

  /** Features from named numeric columns, each its own group. */
  public static FeatureSpace ofColumns(StructType schema, List<String> columns) {
    if (columns.isEmpty()) {
      throw new InvalidFeatureException("no feature columns given");
    }
    for (String c : columns) {
      DataType type = field(schema, c).dataType();
      if (!(type instanceof NumericType)) {
        throw new InvalidFeatureException(
            "feature column '"
                + c
                + "' is "
                + type.simpleString()
                + ", not numeric; give numeric columns, or a vector column with --vector");
      }
    }
    return new FeatureSpace(Source.COLUMNS, columns, columns, singletons(columns), null);
  }

  /**
   * Features from a vector column. Names come from the column's ML attributes when present;
   * otherwise {@code f0, f1, ...}.
   *
   * @param expectedSize the size the model reads, or -1 when unknown
   */
  public static FeatureSpace ofVector(StructType schema, String column, int expectedSize) {
    StructField f = field(schema, column);
    if (!f.dataType().equals(SQLDataTypes.VectorType())) {
      throw new InvalidFeatureException(
          "column '" + column + "' is " + f.dataType().simpleString() + ", not an ML vector");
    }
    AttributeGroup attrs = AttributeGroup.fromStructField(f);
    int size = attrs.size() >= 0 ? attrs.size() : expectedSize;
    if (size < 0) {
      throw new InvalidFeatureException(
          "the size of vector column '" + column + "' is unknown: it carries no ML metadata");
    }
    if (expectedSize >= 0 && size != expectedSize) {
      throw new InvalidFeatureException(
          "vector column '"
              + column
              + "' holds "
              + size
              + " features, but the model reads "
              + expectedSize);
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      String name = null;
      if (attrs.attributes().isDefined()) {
        Attribute a = attrs.attributes().get()[i];
        name = a.name().isDefined() ? a.name().get() : null;
      }
      names.add(name == null ? "f" + i : name);
    }
    return new FeatureSpace(Source.VECTOR, List.of(column), names, singletons(names), null);
  }

  /** Images held as a flat numeric array column, channel-major, of the given shape. */
  public static FeatureSpace ofImageArray(StructType schema, String column, ImageShape shape) {
    DataType type = field(schema, column).dataType();
    if (!(type instanceof ArrayType a) || !(a.elementType() instanceof NumericType)) {
      throw new InvalidFeatureException(
          "image column '" + column + "' is " + type.simpleString() + ", not a numeric array");
    }
    return new FeatureSpace(Source.ARRAY, List.of(column), pixelNames(shape), List.of(), shape);
  }

  /** Images from Spark's image data source, all of one shape. */
  public static FeatureSpace ofSparkImage(StructType schema, String column, ImageShape shape) {
    DataType type = field(schema, column).dataType();
    if (!(type instanceof StructType s) || s.getFieldIndex("data").isEmpty()) {
      throw new InvalidFeatureException(
          "column '" + column + "' is not an image struct of Spark's image data source");
    }
    return new FeatureSpace(Source.IMAGE, List.of(column), pixelNames(shape), List.of(), shape);
  }

  private static List<String> pixelNames(ImageShape s) {
    List<String> names = new ArrayList<>(s.size());
    for (int c = 0; c < s.channels(); c++) {
      for (int y = 0; y < s.height(); y++) {
        for (int x = 0; x < s.width(); x++) {
          names.add("c" + c + "_y" + y + "_x" + x);
        }
      }
    }
    return names;
  }

  private static StructField field(StructType schema, String column) {
    if (schema.getFieldIndex(column).isEmpty()) {
      throw new InvalidFeatureException(ColumnNames.unknown(column, schema));
    }
    return schema.apply(column);
  }

  private static List<FeatureGroup> singletons(List<String> names) {
    List<FeatureGroup> groups = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      groups.add(new FeatureGroup(names.get(i), new int[] {i}));
    }
    return groups;
  }

  /** The same features with other names and groups (for example one-hot blocks). */
  public FeatureSpace withNamesAndGroups(List<String> newNames, List<FeatureGroup> newGroups) {
    if (newNames.size() != names.size()) {
      throw new IllegalArgumentException(
          newNames.size() + " names given for " + names.size() + " features");
    }
    return new FeatureSpace(source, columns, newNames, newGroups, image);
  }

  public Source source() {
    return source;
  }

  /** The columns read: the feature columns, or the one vector, array or image column. */
  public List<String> columns() {
    return columns;
  }

  /** One name per feature slot. */
  public List<String> names() {
    return names;
  }

  /** The players of group-wise methods; one per column unless a one-hot block joins slots. */
  public List<FeatureGroup> groups() {
    return groups;
  }

  /** The image shape, or null when the features are not an image. */
  public ImageShape image() {
    return image;
  }

  /** The number of feature slots. */
  public int size() {
    return names.size();
  }

  /** A reader of this space's features from rows of {@code schema}, resolved once. */
  public Reader reader(StructType schema) {
    int[] index = new int[columns.size()];
    for (int i = 0; i < index.length; i++) {
      index[i] = schema.fieldIndex(columns.get(i));
    }
    return new Reader(index);
  }

  @Override
  public String toString() {
    String shown = columns.stream().limit(8).collect(Collectors.joining(", "));
    return source.name().toLowerCase(java.util.Locale.ROOT)
        + " "
        + shown
        + (columns.size() > 8 ? ", ... (" + columns.size() + " columns)" : "");
  }

  /** Reads one row's features into a flat array, failing on null, NaN and wrong sizes. */
  public final class Reader {
    private final int[] index;

    private Reader(int[] index) {
      this.index = index;
    }

    /** Values read per row. */
    public int size() {
      return FeatureSpace.this.size();
    }

    /**
     * Writes the row's {@link #size()} features to {@code dest} from {@code offset}.
     *
     * @throws InvalidFeatureException naming the column and the problem
     */
    public void read(Row row, double[] dest, int offset) {
      switch (source) {
        case COLUMNS -> {
          for (int i = 0; i < index.length; i++) {
            if (row.isNullAt(index[i])) {
              throw new InvalidFeatureException("null in feature column '" + columns.get(i) + "'");
            }
            dest[offset + i] = check(((Number) row.get(index[i])).doubleValue(), columns.get(i));
          }
        }
        case VECTOR -> {
          Vector v = notNull(row).getAs(index[0]);
          if (v.size() != size()) {
            throw new InvalidFeatureException(
                "vector column '"
                    + columns.get(0)
                    + "' holds "
                    + v.size()
                    + " values in this row; "
                    + size()
                    + " expected");
          }
          for (int i = 0; i < v.size(); i++) {
            dest[offset + i] = check(v.apply(i), columns.get(0));
          }
        }
        case ARRAY -> {
          if (notNull(row) instanceof InternalRows.View view) {
            double[] values = view.doubles(index[0], columns.get(0));
            requireImageValues(values.length);
            for (int i = 0; i < values.length; i++) {
              dest[offset + i] = check(values[i], columns.get(0));
            }
            return;
          }
          List<Object> values = row.getList(index[0]);
          requireImageValues(values.size());
          for (int i = 0; i < values.size(); i++) {
            Object v = values.get(i);
            if (v == null) {
              throw new InvalidFeatureException("null in image column '" + columns.get(0) + "'");
            }
            dest[offset + i] = check(((Number) v).doubleValue(), columns.get(0));
          }
        }
        case IMAGE -> {
          Row img = notNull(row).getStruct(index[0]);
          if (!SparkImages.shapeOf(img).equals(image)) {
            throw new InvalidFeatureException(
                "image in column '"
                    + columns.get(0)
                    + "' has shape "
                    + SparkImages.shapeOf(img)
                    + "; "
                    + image
                    + " expected");
          }
          SparkImages.read(img, dest, offset);
        }
      }
    }

    private void requireImageValues(int n) {
      if (n != size()) {
        throw new InvalidFeatureException(
            "image column '"
                + columns.get(0)
                + "' holds "
                + n
                + " values in this row; shape "
                + image
                + " needs "
                + size());
      }
    }

    private Row notNull(Row row) {
      if (row.isNullAt(index[0])) {
        throw new InvalidFeatureException("null in feature column '" + columns.get(0) + "'");
      }
      return row;
    }

    /** A feature value must be a number: NaN and ±Infinity are refused like nulls. */
    private double check(double value, String column) {
      if (!Double.isFinite(value)) {
        throw new InvalidFeatureException(value + " in feature column '" + column + "'");
      }
      return value;
    }
  }
}
