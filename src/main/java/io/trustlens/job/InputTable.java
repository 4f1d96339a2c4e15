package io.trustlens.job;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.PipelineFeatures;
import io.trustlens.model.LoadedModel;
import io.trustlens.uncertainty.TrainingSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The input table of a run, read and checked before any work: the path exists, the table has rows,
 * the id and label columns exist; then the features a model reads.
 */
public final class InputTable {
  private final AuditSpec.Input spec;
  private final Dataset<Row> table;
  private final long rows;
  private volatile boolean idsUnique;

  /** The input options a task has read: "features" (with vector and image) and "on_invalid". */
  private final java.util.Set<String> used = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** The tables and class lists whose names {@link #withClassIndices} found the label to hold. */
  private final java.util.Set<List<String>> checkedClasses =
      java.util.Collections.synchronizedSet(new java.util.HashSet<>());

  private final java.util.Set<List<String>> checkedPipelineInputs =
      java.util.Collections.synchronizedSet(new java.util.HashSet<>());

  /**
   * Per thread (tasks of a run may run at once, each on its own thread): what it should be told.
   */
  private final ThreadLocal<java.util.Set<String>> notes =
      ThreadLocal.withInitial(java.util.LinkedHashSet::new);

  /**
   * Per column counted with the rows (see {@link #read(SparkSession, AuditSpec.Input, boolean)}): a
   * numeric column's null, NaN and infinite cells, a text column's null and empty cells; empty when
   * not counted.
   */
  private final Map<String, Long> badCells;

  /** The table's rows when it was read on the driver ({@link SmallCsv}), else null. */
  private final List<Row> localRows;

  /**
   * The table's internal rows when it was read on the driver and is that one partition (not
   * repartitioned), else null.
   */
  private final List<org.apache.spark.sql.catalyst.InternalRow> driverRows;

  /** Whether the run is small ({@link #small()}). */
  private final boolean small;

  /** Whether the table is the one parsed while Spark started ({@link EarlyReads}). */
  private boolean parsedEarly;

  /** The tables {@link #prepare} made, by model (the same object). */
  private final Map<LoadedModel, Dataset<Row>> prepared = new java.util.IdentityHashMap<>();

  private InputTable(
      AuditSpec.Input spec,
      Dataset<Row> table,
      long rows,
      Map<String, Long> badCells,
      SmallCsv.Table local,
      boolean small) {
    this.small = small;
    this.spec = spec;
    this.table = table;
    this.rows = rows;
    this.badCells = badCells;
    this.localRows = local == null ? null : local.rows();
    this.driverRows = local == null || spec.partitions != null ? null : local.internalRows();
  }

  /** Whether the table is the one parsed while Spark started ({@link EarlyReads}). */
  boolean parsedEarly() {
    return parsedEarly;
  }

  /**
   * How many partitions the table has: one for a table read on the driver and not repartitioned
   * ({@link SmallCsv} makes it so), else as Spark plans the table's query (in a young JVM, planning
   * the input's query here took 0.15 s of the demo audit's serial start).
   */
  int partitions() {
    return driverRows != null ? 1 : table.queryExecution().toRdd().getNumPartitions();
  }

  /** Whether {@code path} is a pattern of Hadoop's glob syntax ({@code * ? [ ] { }}). */
  static boolean isPattern(String path) {
    return path.chars().anyMatch(c -> "*?[]{}".indexOf(c) >= 0);
  }

  /** The first path (in name order) matching the pattern {@code path}; refused when none does. */
  private static Path firstMatch(FileSystem fs, Path path, String given) throws IOException {
    org.apache.hadoop.fs.FileStatus[] matched = fs.globStatus(path);
    if (matched == null || matched.length == 0) {
      throw new InvalidFeatureException("input not found: no path matches " + given);
    }
    java.util.Arrays.sort(matched);
    return matched[0].getPath();
  }

  /** Reads the table {@code spec} names. */
  public static InputTable read(SparkSession spark, AuditSpec.Input spec) {
    return read(spark, spec, false);
  }

  /**
   * Reads the table {@code spec} names. A {@code small} run's CSV file of at most {@link
   * SmallCsv#MAX_BYTES} is read on the driver ({@link SmallCsv}: the same types and rows as Spark's
   * reader, without its jobs). With {@code small} (or a table read on the driver) each column's bad
   * cells are counted in the pass that counts the rows, so the checks of a pipeline's inputs and of
   * missing categories need no pass of their own: a Spark job of about 0.3 s saved each in a young
   * JVM. A large table's pass would cost more with every column parsed than the passes it saves
   * (counting a Parquet table's rows reads no column at all).
   */
  public static InputTable read(SparkSession spark, AuditSpec.Input spec, boolean small) {
    return read(spark, spec, small, null);
  }

  /**
   * As {@link #read(SparkSession, AuditSpec.Input, boolean)}, the table read on the driver taken
   * from {@code early} when it is not null: the same file parsed before, with the session's SQL
   * settings ({@link EarlyReads}).
   */
  static InputTable read(
      SparkSession spark, AuditSpec.Input spec, boolean small, SmallCsv.Parsed early) {
    Path path = new Path(spec.path);
    String format = format(spec);
    SmallCsv.Table local = null;
    boolean parsedEarly = false;
    boolean multiLine = false;
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      // A pattern ("data/2024-*.csv", as Spark reads them) is checked by its first match.
      boolean pattern = isPattern(spec.path);
      Path first = pattern ? firstMatch(fs, path, spec.path) : path;
      if (!pattern && !fs.exists(path)) {
        throw new InvalidFeatureException("input not found: " + spec.path);
      }
      InputFormatCheck.require(fs, first, format, spec.format != null);
      multiLine = format.equals("csv") && CsvQuotes.spanLines(fs, first);
      if (small && format.equals("csv") && !multiLine && !pattern) {
        local = SmallCsv.read(spark, fs, path, early);
        parsedEarly = early != null && local != null;
      }
    } catch (IOException e) {
      throw new InvalidFeatureException("cannot read input " + spec.path + ": " + e.getMessage());
    }
    Dataset<Row> df =
        local != null
            ? local.table()
            : switch (format) {
              case "csv" ->
                  spark
                      .read()
                      .option("header", "true")
                      .option("inferSchema", "true")
                      .option("escape", SmallCsv.ESCAPE)
                      .option("multiLine", multiLine)
                      .csv(spec.path);
              case "json" -> spark.read().json(spec.path);
              case "parquet" -> spark.read().parquet(spec.path);
              case "image" ->
                  spark.read().format("image").option("dropInvalid", "true").load(spec.path);
              default ->
                  throw new SpecException(
                      "input format '"
                          + format
                          + "' is not supported; use parquet, csv, json or image");
            };
    if (format.equals("json")) {
      InputFormatCheck.requireJsonRecords(df, spec.path);
    }
    if (format.equals("csv")) {
      InputFormatCheck.requireCommaSeparated(df, spec.path);
    }
    for (String role : new String[] {spec.id, spec.label}) {
      if (role != null && df.schema().getFieldIndex(role).isEmpty()) {
        throw new InvalidFeatureException(
            "unknown column '"
                + role
                + "' in "
                + spec.path
                + "; the table has: "
                + String.join(", ", df.schema().fieldNames())
                + ColumnNames.didYouMean(role, df.schema().fieldNames()));
      }
    }
    if (spec.features != null) {
      for (String c : spec.features) {
        if (df.schema().getFieldIndex(c).isEmpty()) {
          throw new InvalidFeatureException(
              "unknown column '"
                  + c
                  + "' (a feature named) in "
                  + spec.path
                  + "; the table has: "
                  + String.join(", ", df.schema().fieldNames())
                  + ColumnNames.didYouMean(c, df.schema().fieldNames()));
        }
      }
    }
    // Counted once, here (every run reports it), with the id's nulls and a CSV's numeric-looking
    // text columns in the same pass.
    List<String> text = format.equals("csv") ? textColumns(df, spec) : List.of();
    List<StructField> checked = checkedColumns(df, small || local != null);
    long[] counts =
        local != null
            ? CellCounts.of(local.rows(), df.schema(), spec.id, text, checked)
            : nonNull(df, counted(spec, text, checked));
    List<String> notes = new ArrayList<>();
    Dataset<Row> marked = missingMarkersAsNulls(df, text, counts, 2, notes);
    if (marked != df) { // counted again over the columns as they now are, by Spark
      df = marked;
      local = null;
      text = textColumns(df, spec);
      checked = checkedColumns(df, small);
      counts = nonNull(df, counted(spec, text, checked));
    }
    requireNumericLooking(df, spec, text, counts, 2);
    Map<String, Long> badCells = new java.util.HashMap<>();
    for (int i = 0; i < checked.size(); i++) {
      badCells.put(checked.get(i).name(), counts[2 + PER_TEXT * text.size() + i]);
    }
    long rows = counts[0];
    if (rows == 0) {
      throw new InvalidFeatureException("the input table " + spec.path + " has no rows");
    }
    if (counts[1] < rows) {
      throw new InvalidFeatureException(
          "the id column '"
              + spec.id
              + "' is null in "
              + (rows - counts[1])
              + " of "
              + rows
              + " rows of "
              + spec.path
              + "; every row needs an id (its key for random draws, waterfalls and neighbours)");
    }
    if (spec.partitions != null) {
      if (spec.partitions < 1) {
        throw new SpecException("partitions must be at least 1, not " + spec.partitions);
      }
      df = df.repartition(spec.partitions);
    }
    InputTable read = new InputTable(spec, df, rows, badCells, local, small);
    read.parsedEarly = parsedEarly;
    read.readNotes.addAll(notes);
    return read;
  }

  /**
   * The columns whose bad cells are counted with the rows ({@link #badCell}): numbers and text,
   * when {@code counted} and the table is not wider than {@link #COLUMNS_COUNTED}; else none.
   */
  private static List<StructField> checkedColumns(Dataset<Row> df, boolean counted) {
    List<StructField> checked = new ArrayList<>();
    if (counted && df.schema().size() <= COLUMNS_COUNTED) {
      for (StructField f : df.schema().fields()) {
        if (f.dataType() instanceof NumericType
            || f.dataType() instanceof org.apache.spark.sql.types.StringType) {
          checked.add(f);
        }
      }
    }
    return checked;
  }

  /**
   * The text of a missing value as R ({@code write.csv}), pandas and spreadsheets write it, which
   * pandas' {@code read_csv} reads as missing (its default {@code na_values} but the numeric ones,
   * {@code NaN} and the like, which Spark reads as NaN already).
   */
  static final List<String> MISSING_MARKERS =
      List.of("NA", "N/A", "n/a", "#N/A", "#N/A N/A", "#NA", "<NA>", "NULL", "null", "None");

  /**
   * {@code df} with each CSV text column whose cells are all numbers or {@link #MISSING_MARKERS}
   * (at least one of each) read as numbers, its markers as missing (null), as pandas reads it: an R
   * export's {@code NA} made a numeric column text, which the features then left out, or which was
   * refused as numbers with stray cells. The column becomes {@code int} when all its numbers are
   * whole and in int's range, else {@code double}. Returns {@code df} itself when no column is
   * such; each column changed is described in {@code notes}.
   */
  private static Dataset<Row> missingMarkersAsNulls(
      Dataset<Row> df, List<String> text, long[] counts, int first, List<String> notes) {
    Dataset<Row> out = df;
    for (int i = 0; i < text.size(); i++) {
      int at = first + PER_TEXT * i;
      long cells = counts[at];
      long numbers = counts[at + 1];
      long markers = counts[at + 2];
      long ints = counts[at + 3];
      if (markers == 0 || numbers == 0 || numbers + markers != cells) {
        continue;
      }
      String c = text.get(i);
      org.apache.spark.sql.types.DataType type =
          ints == numbers ? DataTypes.IntegerType : DataTypes.DoubleType;
      out =
          out.withColumn(
              c,
              org.apache
                  .spark
                  .sql
                  .functions
                  .when(ColumnNames.col(c).isin(MISSING_MARKERS.toArray()), lit(null))
                  .otherwise(ColumnNames.col(c))
                  .cast(type));
      notes.add(
          "column '"
              + c
              + "' holds numbers and, in "
              + markers
              + " cells, a missing-value marker ("
              + String.join(", ", MISSING_MARKERS)
              + ") as R and pandas write them: read as "
              + type.simpleString()
              + ", those cells missing (null)");
    }
    return out;
  }

  /** What the notes of reading say (a CSV column's missing-value markers read as nulls). */
  public List<String> readNotes() {
    return List.copyOf(readNotes);
  }

  private final List<String> readNotes = new ArrayList<>();

  /** Counts per text column in the rows' pass: cells, numbers, missing markers, whole numbers. */
  static final int PER_TEXT = 4;

  /**
   * Schema inference reads a CSV column with one non-numeric cell ("abc" among incomes) as text,
   * which would then be one-hot encoded or dropped without a word. A text column whose non-empty
   * cells are nearly all numbers ({@link #NUMERIC_LOOKING} of them, at most {@link #STRAY_CELLS}
   * others) is refused, naming the column, a row and its cell. The counts of each of the {@code
   * text} columns' cells and numbers come from {@code counts}, from index {@code first} on, counted
   * with the rows.
   */
  private static void requireNumericLooking(
      Dataset<Row> df, AuditSpec.Input spec, List<String> text, long[] counts, int first) {
    for (int i = 0; i < text.size(); i++) {
      long cells = counts[first + PER_TEXT * i];
      long numbers = counts[first + PER_TEXT * i + 1];
      long stray = cells - numbers;
      if (stray > 0 && stray <= STRAY_CELLS && numbers >= NUMERIC_LOOKING * cells) {
        String c = text.get(i);
        Row bad =
            df.filter(ColumnNames.col(c).isNotNull().and(number(c).isNull()))
                .select(spec.id == null ? lit(null) : ColumnNames.col(spec.id), ColumnNames.col(c))
                .first();
        throw new InvalidFeatureException(
            "column '"
                + c
                + "' of "
                + spec.path
                + " holds numbers in "
                + numbers
                + " of "
                + cells
                + " cells but not in "
                + stray
                + ", for example '"
                + bad.get(1)
                + "'"
                + (spec.id == null ? "" : " (row " + spec.id + "=" + bad.get(0) + ")")
                + "; fix those cells, or give the table as Parquet with the column's type");
      }
    }
  }

  /** The text columns of a CSV table but its id. */
  private static List<String> textColumns(Dataset<Row> df, AuditSpec.Input spec) {
    List<String> text = new ArrayList<>();
    for (StructField f : df.schema().fields()) {
      if (f.dataType() instanceof org.apache.spark.sql.types.StringType
          && !f.name().equals(spec.id)) {
        text.add(f.name());
      }
    }
    return text;
  }

  /**
   * What a table's pass counts (as {@link CellCounts} lays them out): the rows, the rows with an
   * id, each text column's cells, numbers, missing-value markers and whole numbers in int's range
   * ({@link #PER_TEXT}), each {@code checked} column's bad cells.
   */
  static List<org.apache.spark.sql.Column> counted(
      AuditSpec.Input spec, List<String> text, List<StructField> checked) {
    List<org.apache.spark.sql.Column> counted =
        new ArrayList<>(List.of(lit(1), spec.id == null ? lit(1) : ColumnNames.col(spec.id)));
    for (String c : text) {
      counted.add(ColumnNames.col(c));
      counted.add(number(c));
      counted.add(
          org.apache.spark.sql.functions.when(
              ColumnNames.col(c).isin(MISSING_MARKERS.toArray()), 1));
      counted.add(castWherePossible(c, DataTypes.IntegerType));
    }
    for (StructField f : checked) {
      counted.add(org.apache.spark.sql.functions.when(badCell(f), 1));
    }
    return counted;
  }

  /** How many cells of each of {@code values} over {@code df} are not null, in one Spark pass. */
  static long[] nonNull(Dataset<Row> df, List<org.apache.spark.sql.Column> values) {
    long[] counts = new long[values.size()];
    List<org.apache.spark.sql.Column> aggregates = new ArrayList<>();
    for (org.apache.spark.sql.Column v : values) {
      aggregates.add(count(v));
    }
    Row r = aggregate(df, aggregates);
    for (int i = 0; i < counts.length; i++) {
      counts[i] = r.getLong(i);
    }
    return counts;
  }

  /** One row of {@code aggregates} over {@code df}, in one pass. */
  private static Row aggregate(Dataset<Row> df, List<org.apache.spark.sql.Column> aggregates) {
    return df.select(aggregates.toArray(new org.apache.spark.sql.Column[0])).first();
  }

  /** The most columns a table may have for its bad cells to be counted with its rows. */
  static final int COLUMNS_COUNTED = 2_000;

  /**
   * Whether a cell of {@code f} is bad: null, NaN or infinite for a number, null or empty for text;
   * null for columns of other types.
   */
  private static org.apache.spark.sql.Column badCell(StructField f) {
    org.apache.spark.sql.Column v = ColumnNames.col(f.name());
    if (f.dataType() instanceof NumericType) {
      org.apache.spark.sql.Column d = v.cast(DataTypes.DoubleType);
      return v.isNull()
          .or(org.apache.spark.sql.functions.isnan(d))
          .or(org.apache.spark.sql.functions.abs(d).equalTo(Double.POSITIVE_INFINITY));
    }
    if (f.dataType() instanceof org.apache.spark.sql.types.StringType) {
      return v.isNull().or(v.equalTo(""));
    }
    return null;
  }

  /** Whether every one of {@code columns} was counted with the rows and has no bad cell. */
  private boolean countedClean(List<String> columns) {
    for (String c : columns) {
      Long bad = badCells.get(c);
      if (bad == null || bad > 0) {
        return false;
      }
    }
    return true;
  }

  /** The share of a text column's cells that makes it look numeric. */
  static final double NUMERIC_LOOKING = 0.95;

  /** The most non-numeric cells a numeric-looking column may have to be refused. */
  static final long STRAY_CELLS = 100;

  private static org.apache.spark.sql.Column number(String c) {
    return castWherePossible(c, DataTypes.DoubleType);
  }

  /**
   * Text that a cast to a number may read: it holds an ASCII digit, or {@code inf} or {@code nan}
   * in any case ({@code Infinity}, {@code -inf}, {@code NaN}); Spark's casts of text to double or
   * int read no other text.
   */
  static final String MAYBE_NUMBER = "(?i)[0-9]|inf|nan";

  /**
   * {@code try_cast(c AS type)}, asked only of text that may be a number ({@link #MAYBE_NUMBER}),
   * null for the rest as {@code try_cast} gives it: each cell the cast does not read costs Spark
   * two exceptions, one with a message formatted from its error classes.
   */
  private static org.apache.spark.sql.Column castWherePossible(
      String c, org.apache.spark.sql.types.DataType type) {
    org.apache.spark.sql.Column text = ColumnNames.col(c);
    return org.apache.spark.sql.functions.when(text.rlike(MAYBE_NUMBER), text.try_cast(type));
  }

  /** The format named in the spec, else the one the path's extension implies. */
  static String format(AuditSpec.Input spec) {
    if (spec.format != null) {
      return spec.format.toLowerCase(java.util.Locale.ROOT);
    }
    String p = spec.path.toLowerCase(java.util.Locale.ROOT);
    if (p.endsWith(".csv") || p.endsWith(".csv.gz")) {
      return "csv";
    }
    if (p.endsWith(".json") || p.endsWith(".jsonl")) {
      return "json";
    }
    return "parquet";
  }

  public Dataset<Row> table() {
    return table;
  }

  /**
   * Whether it was read for a small run (its tables at most {@code InterpretedPlans}' 512 KB on
   * disk), where a Spark job's fixed cost outweighs reading a table whole: a task's figures then
   * take what else they need from one pass (such as a written table's first rows for the report)
   * rather than a job each.
   */
  public boolean small() {
    return small;
  }

  /**
   * The table's one partition as internal rows held on the driver (a small CSV read there and not
   * repartitioned), for passes that then need no Spark job; null for any other table.
   */
  public List<org.apache.spark.sql.catalyst.InternalRow> driverRows() {
    return driverRows;
  }

  /** The number of rows, counted when the table was read. */
  public long rows() {
    return rows;
  }

  public AuditSpec.Input spec() {
    return spec;
  }

  /**
   * A seeded sample of at most about {@code maxRows} rows of the table's {@code features}, the same
   * for any partitioning ({@link TrainingSample}), invalid rows skipped or refused as the spec's
   * {@code on_invalid} says.
   */
  public TrainingSample sample(FeatureSpace features, int maxRows, long seed) {
    return TrainingSample.of(
        table,
        features,
        spec.id == null ? "" : spec.id,
        "",
        "skip".equals(onInvalid()),
        maxRows,
        seed);
  }

  /**
   * Fails when two rows share an id: tasks that key rows by id (Shapley and other per-row
   * explanations, neighbours) call it before any work. Checked once per run (one shuffle of the
   * ids).
   */
  void requireUniqueIds() {
    if (spec.id == null || idsUnique) {
      return;
    }
    if (localRows != null && distinct(localRows, localRows.get(0).fieldIndex(spec.id))) {
      idsUnique = true; // read on the driver: checked there, no shuffle
      return;
    }
    List<Row> repeated =
        table
            .groupBy(ColumnNames.col(spec.id).as("id"))
            .count()
            .filter(col("count").gt(1))
            .orderBy(col("count").desc(), col("id"))
            .limit(3)
            .collectAsList();
    if (!repeated.isEmpty()) {
      List<String> examples = new ArrayList<>();
      for (Row r : repeated) {
        examples.add(r.get(0) + " (" + r.getLong(1) + " rows)");
      }
      throw new InvalidFeatureException(
          "the id column '"
              + spec.id
              + "' repeats values, for example "
              + String.join(", ", examples)
              + "; ids must be unique: each keys one row's random draws, waterfall and neighbours");
    }
    idsUnique = true;
  }

  /**
   * {@code rows} for a method that works hard on each row: dealt round-robin over the session's
   * default parallelism (its cores) when they sit in fewer partitions and the spec names none.
   * Spark scans a CSV file of up to 4 MB, or a Parquet file of one row group, as one partition,
   * which one core would then explain alone while the others idle; a method's results do not depend
   * on the partitioning (DeterminismTest), and the shuffle costs a small part of such work.
   */
  Dataset<Row> spread(Dataset<Row> rows) {
    int cores = rows.sparkSession().sparkContext().defaultParallelism();
    if (spec.partitions != null
        || this.rows < 2
        || rows.queryExecution().toRdd().getNumPartitions() >= cores) {
      return rows;
    }
    return rows.repartition(cores);
  }

  /**
   * Whether the values in field {@code i} of {@code rows} are distinct, counting as equal what
   * Spark's grouping counts as equal (it makes -0.0 and 0.0 one key, and every NaN one key); when
   * not, Spark's grouping finds and names the repeated ones.
   */
  private static boolean distinct(List<Row> rows, int i) {
    java.util.Set<Object> seen = new java.util.HashSet<>();
    for (Row r : rows) {
      Object v = r.get(i);
      if (v instanceof Double d && d == 0.0) {
        v = 0.0;
      } else if (v instanceof Float f && f == 0.0f) {
        v = 0.0f;
      }
      if (!seen.add(v)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Rows whose category is missing, per categorical feature group (a group of several one-hot slots
   * named after a text column of the input): a pipeline's StringIndexer keeps them as an unseen
   * category, which its OneHotEncoder turns into an all-zero block, so they are scored as no
   * category at all. One pass; only groups with missing rows are listed.
   */
  Map<String, Long> missingCategories(FeatureSpace features) {
    List<String> columns = new ArrayList<>();
    for (var g : features.groups()) {
      if (g.slots().length > 1
          && table.schema().getFieldIndex(g.name()).isDefined()
          && table.schema().apply(g.name()).dataType()
              instanceof org.apache.spark.sql.types.StringType
          && !columns.contains(g.name())) {
        columns.add(g.name());
      }
    }
    return missingText(columns);
  }

  /**
   * Rows with a null or empty cell, per text column of {@code columns} that has any (one pass, none
   * when the read's counts found them clean).
   */
  Map<String, Long> missingText(List<String> columns) {
    Map<String, Long> missing = new java.util.LinkedHashMap<>();
    if (columns.isEmpty() || countedClean(columns)) {
      return missing;
    }
    List<org.apache.spark.sql.Column> counts = new ArrayList<>();
    for (String c : columns) {
      counts.add(count(org.apache.spark.sql.functions.when(badCell(table.schema().apply(c)), 1)));
    }
    Row r = aggregate(table, counts);
    for (int i = 0; i < columns.size(); i++) {
      if (r.getLong(i) > 0) {
        missing.put(columns.get(i), r.getLong(i));
      }
    }
    return missing;
  }

  /**
   * The table after {@code model}'s pipeline stages. A null or NaN in a numeric column the pipeline
   * assembles would stop MLlib's VectorAssembler with a message that names no row: here such rows
   * are dropped ({@code on_invalid: skip}; the task's summary counts them) or the first one fails
   * the run, naming its id and column, before any work. Made once per model and run: tasks of one
   * model share it (the demo audit's score and explain: the pipeline's stages planned once, 0.13 s
   * of a young JVM's explain).
   */
  Dataset<Row> prepare(LoadedModel model) {
    synchronized (prepared) {
      Dataset<Row> done = prepared.get(model);
      if (done == null) {
        done = prepareNow(model);
        prepared.put(model, done);
      }
      return done;
    }
  }

  private Dataset<Row> prepareNow(LoadedModel model) {
    List<String> numeric = new ArrayList<>();
    for (String c : model.pipelineInputs()) {
      if (table.schema().getFieldIndex(c).isDefined()
          && table.schema().apply(c).dataType() instanceof NumericType) {
        numeric.add(c);
      }
    }
    return model.prepare(
        withClassIndices(valid(numeric, "the model's pipeline reads"), model, spec.path));
  }

  /**
   * The hidden column that keeps a string label's class names once {@link #withClassIndices} has
   * put their indices in its place; {@link AuditRun#writeAppended} writes the names back.
   */
  static final String LABEL_NAMES = "_trustlens_label_names";

  /**
   * {@code rows} with a string label replaced by the index of its class when {@code model}'s
   * pipeline indexes that label ({@link LoadedModel#classNames}, as {@code train} fits one): so a
   * task compares it with the model's class indices as it does a numeric label. A name that is not
   * one of the model's classes fails the run, naming its row and the table ({@code where}), before
   * any work (checked once per table); a null stays null.
   */
  Dataset<Row> withClassIndices(Dataset<Row> rows, LoadedModel model, String where) {
    String label = spec.label;
    if (label == null
        || rows.schema().getFieldIndex(label).isEmpty()
        || !(rows.schema().apply(label).dataType() instanceof org.apache.spark.sql.types.StringType)
        || model.classNames(label) == null) {
      return rows;
    }
    String[] classes = model.classNames(label);
    org.apache.spark.sql.Column name = ColumnNames.col(label);
    List<String> checked = new ArrayList<>(List.of(classes));
    checked.add(0, where);
    if (checkedClasses.add(checked)) {
      List<Row> unknown =
          rows.filter(
                  name.isNotNull()
                      .and(org.apache.spark.sql.functions.not(name.isin((Object[]) classes))))
              .limit(1)
              .collectAsList();
      if (!unknown.isEmpty()) {
        checkedClasses.remove(checked);
        Row r = unknown.get(0);
        throw new InvalidFeatureException(
            "label '"
                + r.get(r.fieldIndex(label))
                + "' in column '"
                + label
                + "' of "
                + (spec.id == null
                    ? "a row"
                    : "row " + spec.id + "=" + r.get(r.fieldIndex(spec.id)))
                + " of "
                + where
                + " is not one of the model's classes ("
                + String.join(", ", classes)
                + ")");
      }
    }
    return rows.withColumn(LABEL_NAMES, name).withColumn(label, classIndex(name, classes));
  }

  /**
   * The index of class name {@code name} in {@code classes} as a double; -1 for another name, null
   * for null.
   */
  static org.apache.spark.sql.Column classIndex(
      org.apache.spark.sql.Column name, String[] classes) {
    org.apache.spark.sql.Column[] names = new org.apache.spark.sql.Column[classes.length];
    for (int i = 0; i < classes.length; i++) {
      names[i] = lit(classes[i]);
    }
    return array_position(array(names), name).minus(1).cast(DataTypes.DoubleType);
  }

  /**
   * The table's rows whose numeric {@code columns} hold numbers and whose string ones text: with
   * {@code on_invalid: skip} the rows with a null, NaN or infinity (or a null or empty string)
   * there are dropped; else the table itself once no row has one, or the first such row fails the
   * run, naming its id and column and what reads it ({@code readBy}, e.g. "the model's pipeline
   * reads"), before any work. Checked once per run for a set of columns, or not at all when the
   * read's own counts found those columns clean.
   */
  Dataset<Row> valid(List<String> columns, String readBy) {
    List<String> checked =
        columns.stream().filter(c -> badCell(table.schema().apply(c)) != null).toList();
    if (checked.isEmpty() || checkedPipelineInputs.contains(checked)) {
      return table;
    }
    org.apache.spark.sql.Column bad = lit(false);
    for (String c : checked) {
      bad = bad.or(badCell(table.schema().apply(c)));
    }
    if ("skip".equals(onInvalid())) {
      return table.filter(org.apache.spark.sql.functions.not(bad));
    }
    if (countedClean(checked)) { // counted with the rows: no pass needed
      checkedPipelineInputs.add(checked);
      return table;
    }
    List<Row> first = table.filter(bad).limit(1).collectAsList();
    if (!first.isEmpty()) {
      Row r = first.get(0);
      String column = null;
      for (String c : checked) {
        Object v = r.get(r.fieldIndex(c));
        if (v == null
            || "".equals(v)
            || v instanceof Number n && !Double.isFinite(n.doubleValue())) {
          column = c;
          break;
        }
      }
      Object value = r.get(r.fieldIndex(column));
      throw new InvalidFeatureException(
          (value == null
                  ? "null"
                  : value instanceof Number n ? String.valueOf(n.doubleValue()) : "an empty string")
              + " in column '"
              + column
              + "' of "
              + (spec.id == null ? "a row" : "row " + spec.id + "=" + r.get(r.fieldIndex(spec.id)))
              + ", which "
              + readBy
              + "; fix the row or pass --on-invalid skip");
    }
    checkedPipelineInputs.add(checked); // one scan per run, whatever the tasks
    return table;
  }

  /**
   * What the calling thread's task should be told about its use of the input since the thread's
   * last call (options it was given but did not use, columns its default features left out), then
   * forgets them.
   */
  List<String> drainNotes() {
    List<String> drained = new ArrayList<>(notes.get());
    notes.remove();
    return drained;
  }

  /** The features the spec names in the raw table, or -1 when a model decides them. */
  public int featureCountHint() {
    if (spec.vector != null) {
      return -1;
    }
    java.util.Set<String> before = new java.util.LinkedHashSet<>(notes.get());
    try {
      return featuresOf(null, table).size();
    } catch (InvalidFeatureException | SpecException e) {
      return -1; // the model decides, or fails later with its own message
    } finally {
      notes.get().retainAll(before); // a hint's guess at the features is no task's to report
    }
  }

  /**
   * The features {@code model} reads in {@code prepared} (the table after the model's pipeline
   * stages): the pipeline's own vector, else the spec's vector, image or columns, else every
   * numeric column but the id and the label.
   */
  public FeatureSpace features(LoadedModel model, Dataset<Row> prepared) {
    used.add("features");
    return featuresOf(model, prepared);
  }

  /** The features the spec names (when asked to; see {@link #features}); columns or image. */
  public List<String> namedFeatures() {
    used.add("features");
    return spec.features;
  }

  /** The spec's policy for rows with a null or NaN feature: error or skip. */
  public String onInvalid() {
    used.add("on_invalid");
    return spec.onInvalid;
  }

  /**
   * The input options given that no task of the run read, one line each: a profile reads every
   * column, so a vector or feature list given to it does nothing, and says so.
   */
  List<String> unusedOptions() {
    List<String> unused = new ArrayList<>();
    if (!used.contains("features")) {
      String[][] given = {
        {"features", spec.features == null ? null : String.join(",", spec.features)},
        {"vector", spec.vector},
        {"image", spec.image},
        {"image_shape", spec.imageShape}
      };
      for (String[] option : given) {
        if (option[1] != null) {
          unused.add(
              option[0]
                  + " ("
                  + option[1]
                  + ") is not used: no task of this run reads its features from the input");
        }
      }
    }
    if (spec.imageShape != null && spec.image == null && used.contains("features")) {
      unused.add("image_shape (" + spec.imageShape + ") is not used: no image column is named");
    }
    if (!used.contains("on_invalid") && "skip".equals(spec.onInvalid)) {
      unused.add("on_invalid (skip) is not used: no task of this run scores or reads features");
    }
    return unused;
  }

  private FeatureSpace featuresOf(LoadedModel model, Dataset<Row> prepared) {
    int expected = model == null ? -1 : model.info().inputSize();
    if (model != null && model.hasFeatureStages()) {
      if (spec.features != null || spec.vector != null) {
        notes
            .get()
            .add(
                (spec.features != null
                        ? "the features named (" + String.join(", ", spec.features) + ") are"
                        : "the vector column named (" + spec.vector + ") is")
                    + " not used: the model is a pipeline that assembles its own features from the"
                    + " table");
      }
      FeatureSpace vector = FeatureSpace.ofVector(prepared.schema(), model.featuresCol(), expected);
      return PipelineFeatures.describe(vector, model.featureStages(), prepared.schema());
    }
    if (spec.vector != null) {
      return FeatureSpace.ofVector(prepared.schema(), spec.vector, expected);
    }
    if (spec.image != null) {
      if (spec.imageShape == null) {
        throw new SpecException("--image needs --image-shape C,H,W");
      }
      ImageShape shape = ImageShape.parse(spec.imageShape);
      boolean struct =
          prepared.schema().getFieldIndex(spec.image).isDefined()
              && prepared.schema().apply(spec.image).dataType() instanceof StructType;
      return struct
          ? FeatureSpace.ofSparkImage(prepared.schema(), spec.image, shape)
          : FeatureSpace.ofImageArray(prepared.schema(), spec.image, shape);
    }
    if (model != null && spec.features == null && model.featuresCol() != null) {
      StructField f =
          prepared.schema().getFieldIndex(model.featuresCol()).isDefined()
              ? prepared.schema().apply(model.featuresCol())
              : null;
      if (f != null && !(f.dataType() instanceof NumericType)) {
        return FeatureSpace.ofVector(prepared.schema(), model.featuresCol(), expected);
      }
    }
    List<String> columns = spec.features;
    if (columns == null && model != null && !model.featureColumns().isEmpty()) {
      columns = model.featureColumns();
    }
    if (columns == null) {
      columns = new ArrayList<>();
      List<String> left = new ArrayList<>();
      for (StructField f : prepared.schema().fields()) {
        if (f.name().equals(spec.id) || f.name().equals(spec.label)) {
          continue;
        }
        if (f.dataType() instanceof NumericType) {
          columns.add(f.name());
        } else {
          left.add(f.name() + " (" + f.dataType().simpleString() + ")");
        }
      }
      if (!left.isEmpty() && !columns.isEmpty()) {
        notes
            .get()
            .add(
                "columns left out of the features, which default to the numeric ones: "
                    + String.join(", ", left)
                    + "; name the features with --features (in a spec, the input's features), or"
                    + " train a pipeline that encodes them");
      }
      if (columns.isEmpty()) {
        throw new InvalidFeatureException(
            "the table "
                + spec.path
                + " has no numeric feature columns; name them with --features");
      }
    }
    return FeatureSpace.ofColumns(prepared.schema(), columns);
  }
}
