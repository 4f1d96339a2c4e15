package io.trustlens.feature;

import java.util.Iterator;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.CatalystTypeConverters;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Function1;

/**
 * A row-at-a-time {@code mapPartitions} over Spark's internal rows, for stages whose rows carry
 * large arrays (images, maps). Spark's {@code Row} encoder boxes every element of an array column,
 * both reading and writing: about 0.2 ms per 4,096-value image each way on this project's machines,
 * as long as a 64x64 CNN's gradient. Here the stage's function sees each input as a {@link View}, a
 * {@code Row} that converts a column only when asked (and lets {@link FeatureSpace.Reader} copy an
 * array column as a block); a row it returns from {@link Columns#appended} on a view is written as
 * the input's internal row joined to the appended values, primitive arrays copied as blocks. Any
 * other row it returns goes through the row encoder as before.
 *
 * <p>Invariant: the result equals {@code dataset.toDF().mapPartitions(f, Encoders.row(out))} row
 * for row; only the work per row differs.
 */
public final class InternalRows {
  private InternalRows() {}

  /**
   * The rows of {@code dataset}, counted in one job that reads no column and shuffles nothing:
   * {@code Dataset.count()} plans an aggregate and a shuffle, and a small table's first shuffle in
   * a young JVM took ~0.5 s (its planning and code generation).
   */
  public static long count(Dataset<?> dataset) {
    return dataset
        .toDF()
        .select(new org.apache.spark.sql.Column[0])
        .queryExecution()
        .toRdd()
        .count();
  }

  /**
   * The rows of {@code dataset}: in a session that runs its plans interpreted ({@link
   * #interpreted}: a small run's), {@link View}s of its internal rows, copied, without the row
   * deserializer Spark generates and compiles code for whatever the plan mode (in a young JVM a
   * small table's first such compile took 0.3 s); else {@code dataset.toDF().javaRDD()}, whose
   * generated deserializer is the faster per row (a PCA of 1M rows of 20 columns: fit 1.0 s against
   * 5.1 s through views).
   */
  public static org.apache.spark.api.java.JavaRDD<Row> javaRDD(Dataset<?> dataset) {
    Dataset<Row> table = dataset.toDF();
    if (!interpreted(table.sparkSession())) {
      return table.javaRDD();
    }
    StructType in = table.schema();
    return table.queryExecution().toRdd().toJavaRDD().mapPartitions(part -> new Reader(in, part));
  }

  /**
   * Whether {@code spark} runs its plans interpreted: its code generation factory mode is {@code
   * NO_CODEGEN}, as a small run sets it (then the code Spark would still generate for a row
   * deserializer is the cost to avoid, not the rows' conversion).
   */
  public static boolean interpreted(org.apache.spark.sql.SparkSession spark) {
    return "NO_CODEGEN"
        .equalsIgnoreCase(
            spark.conf().get(SQLConf.CODEGEN_FACTORY_MODE().key(), "FALLBACK").trim());
  }

  /**
   * Rows of {@code schema}'s columns from {@code first} on, converted from {@code internal} rows
   * (copies, such as a job's result) to external values as {@code collectAsList} gives them, with
   * those columns' schema.
   */
  public static java.util.List<Row> external(
      java.util.List<InternalRow> internal, StructType schema, int first) {
    Reader reader = new Reader(schema, internal.iterator());
    StructType kept =
        new StructType(java.util.Arrays.copyOfRange(schema.fields(), first, schema.size()));
    java.util.List<Row> rows = new java.util.ArrayList<>(internal.size());
    while (reader.hasNext()) {
      Row view = reader.next();
      Object[] values = new Object[schema.size() - first];
      for (int i = 0; i < values.length; i++) {
        values[i] = view.get(first + i);
      }
      rows.add(new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(values, kept));
    }
    return rows;
  }

  /** {@code f} applied to every partition of {@code dataset}; rows of schema {@code out}. */
  public static Dataset<Row> mapPartitions(
      Dataset<?> dataset, StructType out, MapPartitionsFunction<Row, Row> f) {
    Dataset<Row> table = dataset.toDF();
    StructType in = table.schema();
    org.apache.spark.api.java.JavaRDD<InternalRow> rows =
        table
            .queryExecution()
            .toRdd()
            .toJavaRDD()
            .mapPartitions(part -> new Writer(in, out, f.call(new Reader(in, part))));
    return ((org.apache.spark.sql.classic.SparkSession) table.sparkSession())
        .internalCreateDataFrame(rows.rdd(), out, false);
  }

  /** {@code rows} of {@code schema} as {@link View}s of copies. */
  static Iterator<Row> views(StructType schema, Iterator<InternalRow> rows) {
    return new Reader(schema, rows);
  }

  /** A copied internal row seen as a {@code Row}, each column converted when read. */
  public static final class View implements Row {
    private static final long serialVersionUID = 1L;
    private final InternalRow internal;
    private final StructType schema;
    private final transient Function1<Object, Object>[] converters;

    private View(InternalRow internal, StructType schema, Function1<Object, Object>[] converters) {
      this.internal = internal;
      this.schema = schema;
      this.converters = converters;
    }

    /** The internal row (Spark's own values: {@code ArrayData}, {@code UTF8String}, ...). */
    public InternalRow internal() {
      return internal;
    }

    /** The type of column {@code i}. */
    public DataType type(int i) {
      return schema.fields()[i].dataType();
    }

    @Override
    public int length() {
      return schema.size();
    }

    @Override
    public StructType schema() {
      return schema;
    }

    @Override
    public boolean isNullAt(int i) {
      return internal.isNullAt(i);
    }

    @Override
    public Object get(int i) {
      return internal.isNullAt(i) ? null : converters[i].apply(internal.get(i, type(i)));
    }

    @Override
    public Row copy() {
      return this;
    }

    @Override
    public String toString() {
      return org.apache.spark.sql.RowFactory.create(values()).toString();
    }

    private Object[] values() {
      Object[] v = new Object[length()];
      for (int i = 0; i < v.length; i++) {
        v[i] = get(i);
      }
      return v;
    }

    /**
     * Column {@code i}, an array of numbers, as doubles.
     *
     * @throws InvalidFeatureException when an element is null
     */
    public double[] doubles(int i, String name) {
      ArrayData a = internal.getArray(i);
      DataType element = ((ArrayType) type(i)).elementType();
      int n = a.numElements();
      if (((ArrayType) type(i)).containsNull()) {
        for (int k = 0; k < n; k++) {
          if (a.isNullAt(k)) {
            throw new InvalidFeatureException("null in image column '" + name + "'");
          }
        }
      }
      if (element.equals(DataTypes.DoubleType)) {
        return a.toDoubleArray();
      }
      double[] x = new double[n];
      if (element.equals(DataTypes.FloatType)) {
        for (int k = 0; k < n; k++) {
          x[k] = a.getFloat(k);
        }
      } else {
        for (int k = 0; k < n; k++) {
          x[k] = ((Number) a.get(k, element)).doubleValue();
        }
      }
      return x;
    }
  }

  /** Each internal row of a partition, copied, as a {@link View}. */
  private static final class Reader implements Iterator<Row> {
    private final Iterator<InternalRow> rows;
    private final StructType schema;
    private final Function1<Object, Object>[] converters;

    @SuppressWarnings("unchecked")
    Reader(StructType schema, Iterator<InternalRow> rows) {
      this.rows = rows;
      this.schema = schema;
      converters = new Function1[schema.size()];
      for (int i = 0; i < converters.length; i++) {
        converters[i] =
            CatalystTypeConverters.createToScalaConverter(schema.fields()[i].dataType());
      }
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public Row next() {
      return new View(rows.next().copy(), schema, converters);
    }
  }

  /** The function's rows as internal rows of schema {@code out}. */
  private static final class Writer implements Iterator<InternalRow> {
    private final Iterator<Row> rows;
    private final int inputs;
    private final StructType out;
    private final Function1<Object, Object>[] converters;
    private ExpressionEncoder.Serializer<Row> encoder;

    @SuppressWarnings("unchecked")
    Writer(StructType in, StructType out, Iterator<Row> rows) {
      this.rows = rows;
      this.inputs = in.size();
      this.out = out;
      converters = new Function1[out.size()];
      for (int i = inputs; i < out.size(); i++) {
        converters[i] =
            CatalystTypeConverters.createToCatalystConverter(out.fields()[i].dataType());
      }
    }

    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public InternalRow next() {
      Row row = rows.next();
      if (row instanceof AppendedRow a && a.base.length() == inputs) {
        Object[] added = a.added;
        Object[] values = new Object[added.length];
        for (int k = 0; k < added.length; k++) {
          values[k] = toCatalyst(added[k], inputs + k);
        }
        return new JoinedRow(a.base.internal(), new GenericInternalRow(values));
      }
      if (encoder == null) {
        encoder = ExpressionEncoder.apply(out).createSerializer();
      }
      return encoder.apply(row).copy();
    }

    private Object toCatalyst(Object value, int field) {
      if (value instanceof float[] f) {
        return UnsafeArrayData.fromPrimitiveArray(f);
      }
      if (value instanceof double[] d) {
        return UnsafeArrayData.fromPrimitiveArray(d);
      }
      return converters[field].apply(value);
    }
  }

  /**
   * A row returned by {@link Columns#appended} on a {@link View}: the view and the new values, as
   * the stage gave them (what {@code RowFactory.create} would hold).
   */
  static final class AppendedRow implements Row {
    private static final long serialVersionUID = 1L;
    private final View base;
    private final Object[] added;

    AppendedRow(View base, Object[] added) {
      this.base = base;
      this.added = added;
    }

    @Override
    public int length() {
      return base.length() + added.length;
    }

    @Override
    public Object get(int i) {
      return i < base.length() ? base.get(i) : added[i - base.length()];
    }

    @Override
    public Row copy() {
      return this;
    }
  }
}
