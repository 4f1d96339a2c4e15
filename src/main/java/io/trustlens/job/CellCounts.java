package io.trustlens.job;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Cast;
import org.apache.spark.sql.catalyst.expressions.EvalMode;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The counts {@link InputTable} takes with a table's rows, counted in Java over the rows of a table
 * read on the driver, in the layout of its Spark pass: the rows; the rows with an id (all without
 * an id column); per text column its cells that are not null, those {@code try_cast(c AS double)}
 * reads as a number (by Spark's own {@link Cast}, evaluated once per distinct text that may be a
 * number, {@link InputTable#MAYBE_NUMBER}, as the Spark pass asks it), its missing-value markers
 * ({@link InputTable#MISSING_MARKERS}) and those {@code try_cast(c AS int)} reads; per checked
 * column its bad cells (a number null, NaN or infinite; text null or empty).
 *
 * <p>Spark counted them in a projection of the local table that its optimizer evaluates on the
 * driver: no job, but its analysis and optimisation took ~0.6 s of a small command in a young JVM,
 * for 569 rows.
 *
 * <p>Invariant: the counts equal those of the Spark pass on the same rows (pinned by {@code
 * InputTableTest} on cells of every kind, read by Spark and on the driver).
 */
final class CellCounts {
  private CellCounts() {}

  /** The most distinct texts whose casts are remembered. */
  static final int REMEMBERED = 10_000;

  /**
   * The counts over {@code rows} of {@code schema}: see the class comment; {@code id} may be null.
   */
  static long[] of(
      List<Row> rows, StructType schema, String id, List<String> text, List<StructField> checked) {
    int per = InputTable.PER_TEXT;
    long[] counts = new long[2 + per * text.size() + checked.size()];
    java.util.Set<String> markers = new java.util.HashSet<>(InputTable.MISSING_MARKERS);
    int idAt = id == null ? -1 : schema.fieldIndex(id);
    int[] textAt = text.stream().mapToInt(schema::fieldIndex).toArray();
    int[] checkedAt = checked.stream().mapToInt(f -> schema.fieldIndex(f.name())).toArray();
    boolean[] numeric = new boolean[checked.size()];
    for (int i = 0; i < numeric.length; i++) {
      numeric[i] = checked.get(i).dataType() instanceof NumericType;
    }
    Cast toDouble =
        new Cast(
            new BoundReference(0, DataTypes.StringType, true),
            DataTypes.DoubleType,
            scala.Option.apply("UTC"),
            EvalMode.TRY());
    Cast toInt =
        new Cast(
            new BoundReference(0, DataTypes.StringType, true),
            DataTypes.IntegerType,
            scala.Option.apply("UTC"),
            EvalMode.TRY());
    // What each text the casts read as (bit 0: a double, bit 1: an int), as text columns repeat
    // their values: a cell Spark's try_cast does not read costs it two exceptions, one with a
    // message formatted from Spark's error classes.
    java.util.Map<String, Integer> casts = new java.util.HashMap<>();
    java.util.regex.Pattern maybeNumber = java.util.regex.Pattern.compile(InputTable.MAYBE_NUMBER);
    Object[] cell = new Object[1];
    GenericInternalRow holder = new GenericInternalRow(cell);
    for (Row r : rows) {
      counts[0]++;
      counts[1] += idAt < 0 || !r.isNullAt(idAt) ? 1 : 0;
      for (int i = 0; i < textAt.length; i++) {
        Object v = r.get(textAt[i]);
        if (v != null) {
          int at = 2 + per * i;
          counts[at]++;
          String s = v.toString();
          Integer read = casts.get(s);
          if (read == null && !maybeNumber.matcher(s).find()) {
            read = 0; // no cast reads it (InputTable.MAYBE_NUMBER)
          } else if (read == null) {
            cell[0] = UTF8String.fromString(s);
            read = (toDouble.eval(holder) != null ? 1 : 0) | (toInt.eval(holder) != null ? 2 : 0);
            if (casts.size() < REMEMBERED) {
              casts.put(s, read);
            }
          }
          counts[at + 1] += read & 1;
          counts[at + 2] += markers.contains(s) ? 1 : 0;
          counts[at + 3] += read >> 1;
        }
      }
      int at = 2 + per * text.size();
      for (int i = 0; i < checkedAt.length; i++) {
        Object v = r.get(checkedAt[i]);
        counts[at + i] += v == null || (numeric[i] ? !finite(v) : v.toString().isEmpty()) ? 1 : 0;
      }
    }
    return counts;
  }

  /** Whether a number is finite as a double (Spark's checks cast it to double first). */
  private static boolean finite(Object number) {
    return Double.isFinite(((Number) number).doubleValue());
  }
}
