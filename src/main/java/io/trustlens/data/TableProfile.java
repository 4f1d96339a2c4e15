package io.trustlens.data;

import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A profile of a table in {@value #PASSES} passes over it (two for a small table), however many
 * columns it has, as Deequ's and ydata-profiling's profiles:
 *
 * <ol>
 *   <li>one read sketching every column ({@link ColumnSketch}, of fixed size whatever the rows):
 *       nulls, NaN, infinities, empty strings, the approximate distinct count (Spark's
 *       HyperLogLog++ as {@code approx_count_distinct}, relative standard error {@value
 *       #DISTINCT_RSD}), and for numeric columns over their finite values count, minimum, maximum,
 *       mean, standard deviation and quantiles (Spark's Greenwald-Khanna summary as {@code
 *       percentile_approx}: a quantile's rank is off by at most 1/{@value #QUANTILE_ACCURACY} of
 *       the values up to 100 numeric columns, and by that times columns/100 beyond, so that the
 *       sketches' size stays bounded);
 *   <li>one pass over the partitions: equal-width histograms over each numeric column's range,
 *       outliers outside Tukey's fences {@code [Q1 - 1.5 IQR, Q3 + 1.5 IQR]}, and the most frequent
 *       values of each text or boolean column and of the label ({@link FrequentValues}: exact while
 *       a column has at most twice {@code topValues}·{@value #SUMMARY_FACTOR} distinct values);
 *   <li>one shuffle: duplicate rows (equal in every column but the id) and repeated ids, keyed by
 *       two independent hashes of the row (xxHash64 and Murmur3, 96 bits: a false duplicate among
 *       10 million rows has a chance below 1e-15). A table of at most 262,144 rows has its keys
 *       gathered in the second pass and counted on the driver: two passes in all.
 * </ol>
 *
 * <p>Counts are exact. The partition summaries are merged in partition order, so a profile is the
 * same bits for the same partitioning; means, deviations and quantiles can differ in the last bits
 * (quantiles: within their rank error) for another partitioning.
 *
 * @param rows the number of rows
 * @param columns one profile per column, in table order
 * @param duplicates duplicate rows and ids
 * @param label the label's classes, or null without a label column
 */
public record TableProfile(
    long rows, List<ColumnProfile> columns, Duplicates duplicates, LabelBalance label) {

  /** Passes over a table, whatever its width: at most three (see {@link #passes(long)}). */
  public static final int PASSES = 3;

  /**
   * Passes over a table of {@code rows} rows: two when its duplicate keys ride on the second pass,
   * three otherwise.
   */
  public static int passes(long rows) {
    return DuplicateRows.countedOnTheDriver(rows) ? 2 : PASSES;
  }

  /** The quantile levels of numeric columns. */
  public static final double[] QUANTILES = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

  /** The quantiles' accuracy up to 100 numeric columns: the rank error is its inverse. */
  public static final int QUANTILE_ACCURACY = 10_000;

  /** The approximate distinct count's relative standard error. */
  public static final double DISTINCT_RSD = 0.02;

  /** Counters kept per top value asked for, so that counts stay exact on more distinct values. */
  public static final int SUMMARY_FACTOR = 50;

  /** The share of the non-missing values one value must hold for a near-constant column. */
  public static final double NEAR_CONSTANT = 0.99;

  /** What a column holds, which decides its statistics. */
  public enum Kind {
    NUMERIC,
    CATEGORICAL,
    OTHER
  }

  /**
   * One column's profile. Statistics that do not apply to the column's kind are null.
   *
   * @param values non-missing values (not null, not NaN; numeric: finite)
   * @param distinct the approximate number of distinct non-null values
   * @param earliest a date or timestamp column's first value, ISO-8601 (timestamps in UTC)
   * @param latest its last value
   * @param quantiles at {@link #QUANTILES}
   * @param outliers finite values outside Tukey's fences
   * @param top the most frequent values (text and boolean columns and the label)
   * @param topExact whether {@code top}'s counts are exact
   * @param constant one value (or none) in every non-missing cell
   * @param nearConstant one value in at least {@link #NEAR_CONSTANT} of the non-missing cells
   *     (numeric: the 1% and 99% quantiles are equal)
   */
  public record ColumnProfile(
      String name,
      String type,
      Kind kind,
      long values,
      long nulls,
      long nans,
      long infinities,
      long empty,
      Long distinct,
      Double min,
      Double max,
      String earliest,
      String latest,
      Double mean,
      Double stddev,
      double[] quantiles,
      Histogram histogram,
      Long outliers,
      List<FrequentValues.Count> top,
      Boolean topExact,
      boolean constant,
      boolean nearConstant) {

    /** The share of rows that are null or NaN. */
    public double missingFraction(long rows) {
      return rows == 0 ? 0 : (double) (nulls + nans) / rows;
    }

    /** The quantile at {@code level}, one of {@link #QUANTILES}. */
    public double quantile(double level) {
      for (int i = 0; i < QUANTILES.length; i++) {
        if (QUANTILES[i] == level) {
          return quantiles[i];
        }
      }
      throw new IllegalArgumentException("no quantile at " + level);
    }
  }

  /**
   * Duplicates.
   *
   * @param rows rows equal in every column but the id to an earlier row
   * @param ids id values held by more than one row (null without an id column)
   * @param idRows rows whose id an earlier row holds (null without an id column)
   */
  public record Duplicates(long rows, Long ids, Long idRows) {}

  /**
   * The label's classes with their row counts, most frequent first.
   *
   * @param imbalance the largest class's rows over the smallest's
   */
  public record LabelBalance(String column, List<FrequentValues.Count> classes, double imbalance) {}

  /** What a profile looks at besides every column. */
  public record Options(String id, String label, int bins, int topValues) {
    public Options {
      if (bins < 1 || topValues < 1) {
        throw new IllegalArgumentException("bins and top values must be >= 1");
      }
    }

    /** No id or label, 20 bins, 10 top values. */
    public static Options defaults() {
      return new Options(null, null, 20, 10);
    }
  }

  /** Profiles {@code table} with the default options. */
  public static TableProfile of(Dataset<Row> table) {
    return of(table, Options.defaults());
  }

  /** Profiles {@code table} in {@link #passes(long)} passes. */
  public static TableProfile of(Dataset<Row> table, Options options) {
    return of(table, options, null);
  }

  /**
   * As above; with {@code driverRows} (the table's one partition, its internal rows held on the
   * driver, as a small CSV read there) both passes run on the driver, without a Spark job, and give
   * the same figures.
   */
  public static TableProfile of(Dataset<Row> table, Options options, List<InternalRow> driverRows) {
    StructField[] fields = table.schema().fields();
    FirstPass.Sketches first =
        FirstPass.of(
            table,
            java.util.stream.IntStream.range(0, fields.length).toArray(),
            1.0 / QUANTILE_ACCURACY,
            DISTINCT_RSD,
            driverRows);
    long rows = first.rows();
    int summary = options.topValues() * SUMMARY_FACTOR;
    SecondPass plan = SecondPass.plan(fields, first.columns(), options, summary);
    // A small table's duplicate keys are gathered in the second pass too (one job, not two).
    String id = options.id();
    boolean keys = DuplicateRows.countedOnTheDriver(rows);
    boolean rowKeys = fields.length > (id == null ? 0 : 1);
    StructType schema = table.schema();
    // Merged on the driver in partition order, whatever order the tasks finish in.
    SecondPass.Result second = plan.empty();
    List<long[][]> keyParts = new ArrayList<>();
    List<Second> parts =
        driverRows != null
            ? List.of(secondPass(driverRows.iterator(), plan, keys, schema, id, rowKeys))
            : table
                .queryExecution()
                .toRdd()
                .toJavaRDD()
                .mapPartitions(
                    rowsOfPart ->
                        List.of(secondPass(rowsOfPart, plan, keys, schema, id, rowKeys)).iterator())
                .collect();
    for (Second part : parts) {
      second.merge(part.result());
      keyParts.add(part.keys());
    }
    List<ColumnProfile> columns = new ArrayList<>();
    for (int i = 0; i < fields.length; i++) {
      columns.add(column(fields[i], first.columns()[i], i, plan, second, options));
    }
    Duplicates duplicates =
        keys ? DuplicateRows.fromKeys(keyParts, id) : DuplicateRows.of(table, fields, id, false);
    LabelBalance label = null;
    if (options.label() != null) {
      ColumnProfile c = columns.get(table.schema().fieldIndex(options.label()));
      long most = c.top().isEmpty() ? 0 : c.top().get(0).count();
      long least = c.top().isEmpty() ? 0 : c.top().get(c.top().size() - 1).count();
      label = new LabelBalance(c.name(), c.top(), least == 0 ? Double.NaN : (double) most / least);
    }
    return new TableProfile(rows, List.copyOf(columns), duplicates, label);
  }

  /** One partition's second pass, its rows keyed for duplicates too when {@code keys}. */
  private static Second secondPass(
      Iterator<InternalRow> rows,
      SecondPass plan,
      boolean keys,
      StructType schema,
      String id,
      boolean rowKeys) {
    DuplicateRows.Keys k = keys ? new DuplicateRows.Keys(schema, id, rowKeys) : null;
    Iterator<InternalRow> counted = k == null ? rows : new Tee(rows, k::add);
    SecondPass.Result r = plan.run(counted).next();
    while (counted.hasNext()) {
      counted.next(); // every row keyed, whatever the pass read
    }
    return new Second(r, k == null ? null : k.part());
  }

  /** A partition's second-pass counts and its duplicate keys (null when not gathered). */
  private record Second(SecondPass.Result result, long[][] keys) implements java.io.Serializable {}

  /** The rows of a partition as they pass, each handed to {@code each} too. */
  private record Tee(Iterator<InternalRow> rows, java.util.function.Consumer<InternalRow> each)
      implements Iterator<InternalRow> {
    @Override
    public boolean hasNext() {
      return rows.hasNext();
    }

    @Override
    public InternalRow next() {
      InternalRow r = rows.next();
      each.accept(r);
      return r;
    }
  }

  /** The kind of a column of {@code type}: numeric, categorical (text, boolean) or other. */
  public static Kind kind(DataType type) {
    if (type instanceof NumericType) {
      return Kind.NUMERIC;
    }
    if (type instanceof StringType || type instanceof BooleanType) {
      return Kind.CATEGORICAL;
    }
    return Kind.OTHER;
  }

  static boolean floating(DataType type) {
    return type instanceof DoubleType || type instanceof FloatType;
  }

  private static ColumnProfile column(
      StructField f,
      ColumnSketch sketch,
      int i,
      SecondPass plan,
      SecondPass.Result second,
      Options options) {
    Kind kind = kind(f.dataType());
    Double min = sketch.min();
    Double max = sketch.max();
    double[] quantiles = sketch.quantiles(QUANTILES);
    Histogram histogram = plan.histogram(i, second);
    Long outliers = plan.outliers(i, second);
    FrequentValues frequent = plan.frequent(i, second);
    List<FrequentValues.Count> top = frequent == null ? null : frequent.top(options.topValues());
    boolean constant;
    boolean nearConstant;
    if (kind == Kind.NUMERIC) {
      constant = min == null || min.equals(max);
      nearConstant =
          constant || (quantiles != null && quantiles[0] == quantiles[quantiles.length - 1]);
    } else if (frequent != null) {
      long most = top.isEmpty() ? 0 : top.get(0).count();
      constant = frequent.exact() && frequent.kept() <= 1;
      nearConstant = constant || most >= NEAR_CONSTANT * frequent.total();
    } else {
      Long distinct = sketch.distinct();
      constant = distinct != null && distinct <= 1;
      nearConstant = constant;
    }
    return new ColumnProfile(
        f.name(),
        f.dataType().simpleString(),
        kind,
        sketch.values(),
        sketch.nulls(),
        sketch.nans(),
        sketch.infinities(),
        sketch.empty(),
        sketch.distinct(),
        min,
        max,
        sketch.earliest(),
        sketch.latest(),
        sketch.mean(),
        sketch.stddev(),
        quantiles,
        histogram,
        outliers,
        top,
        frequent == null ? null : frequent.exact(),
        constant,
        nearConstant);
  }
}
