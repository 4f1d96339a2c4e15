package io.trustlens.data;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.util.HyperLogLogPlusPlusHelper;
import org.apache.spark.sql.catalyst.util.QuantileSummaries;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * One column's summary in a single pass, mergeable across partitions, of fixed size whatever the
 * rows: exact counts (nulls, NaN, infinities, empty strings, values), the minimum and maximum, the
 * mean and the sample standard deviation (from exact sums: {@link ExactMoments}), quantiles
 * (Spark's Greenwald-Khanna {@link QuantileSummaries}, as {@code percentile_approx}: a quantile's
 * rank is off by at most {@code relativeError} of the values) and the approximate distinct count
 * (Spark's HyperLogLog++ {@link HyperLogLogPlusPlusHelper}, as {@code approx_count_distinct}, fed
 * the same values with the same hash, so the same estimate).
 *
 * <p>Invariants: counts, extremes, the mean and the standard deviation are independent of the merge
 * order (the same bits for any partitioning); quantile summaries depend on it in which values the
 * summary keeps, so a fixed merge order gives the same bits. Numeric statistics see finite values
 * only.
 */
public final class ColumnSketch implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Values inserted between compressions of the quantile summary (bounds its buffer). */
  static final int COMPRESS_EVERY = 4096;

  private enum Read {
    BYTE,
    SHORT,
    INT,
    LONG,
    FLOAT,
    DOUBLE,
    DECIMAL,
    STRING,
    DATE,
    TIMESTAMP,
    TIMESTAMP_NTZ,
    OTHER
  }

  private final DataType type;
  private final Read read;
  private final boolean numeric;
  private final double relativeError;
  private final double hllError;

  private long nulls;
  private long nans;
  private long infinities;
  private long empty;
  private long values;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  /** A date or timestamp column's first and last value (Spark's days or microseconds). */
  private long earliest = Long.MAX_VALUE;

  private long latest = Long.MIN_VALUE;

  private final ExactMoments moments;

  private transient QuantileSummaries quantiles;
  private transient int pending;

  /** Whether the quantile summary was compressed since the last value was added ({@link #seal}). */
  private transient boolean sealed;

  private byte[] registers;
  private transient HyperLogLogPlusPlusHelper hll;
  private transient UnsafeRow buffer;

  /**
   * An empty sketch of a column of {@code type}.
   *
   * @param relativeError the quantiles' rank error (numeric columns); 0 keeps no quantiles
   * @param distinctError the distinct count's relative standard error (atomic types); 0 counts none
   */
  public ColumnSketch(DataType type, double relativeError, double distinctError) {
    this.type = type;
    this.read = read(type);
    this.numeric = type instanceof NumericType;
    this.moments = numeric ? new ExactMoments() : null;
    this.relativeError = numeric ? relativeError : 0;
    this.hllError = type instanceof AtomicType ? distinctError : 0;
    if (this.relativeError > 0) {
      quantiles = emptySummary();
    }
    if (hllError > 0) {
      registers = new byte[bytes(helper().numWords())];
    }
  }

  private static Read read(DataType t) {
    if (t instanceof ByteType) {
      return Read.BYTE;
    } else if (t instanceof ShortType) {
      return Read.SHORT;
    } else if (t instanceof IntegerType) {
      return Read.INT;
    } else if (t instanceof LongType) {
      return Read.LONG;
    } else if (t instanceof FloatType) {
      return Read.FLOAT;
    } else if (t instanceof DoubleType) {
      return Read.DOUBLE;
    } else if (t instanceof DecimalType) {
      return Read.DECIMAL;
    } else if (t instanceof StringType) {
      return Read.STRING;
    } else if (t instanceof org.apache.spark.sql.types.DateType) {
      return Read.DATE;
    } else if (t instanceof org.apache.spark.sql.types.TimestampType) {
      return Read.TIMESTAMP;
    } else if (t instanceof org.apache.spark.sql.types.TimestampNTZType) {
      return Read.TIMESTAMP_NTZ;
    }
    return Read.OTHER;
  }

  private QuantileSummaries emptySummary() {
    return new QuantileSummaries(
        QuantileSummaries.defaultCompressThreshold(),
        relativeError,
        new QuantileSummaries.Stats[0],
        0L,
        false);
  }

  private static int bytes(int words) {
    return UnsafeRow.calculateBitSetWidthInBytes(words) + 8 * words;
  }

  private HyperLogLogPlusPlusHelper helper() {
    if (hll == null) {
      hll = new HyperLogLogPlusPlusHelper(hllError);
    }
    return hll;
  }

  private UnsafeRow buffer() {
    if (buffer == null) {
      buffer = new UnsafeRow(helper().numWords());
      buffer.pointTo(registers, registers.length);
    }
    return buffer;
  }

  /** Counts the cell at {@code ordinal} of {@code row} (Spark's internal row of this column). */
  public void add(InternalRow row, int ordinal) {
    if (row.isNullAt(ordinal)) {
      nulls++;
      return;
    }
    if (registers != null) {
      helper().update(buffer(), 0, row.get(ordinal, type), type);
    }
    switch (read) {
      case STRING -> {
        values++;
        UTF8String s = row.getUTF8String(ordinal);
        if (s.trim().numBytes() == 0) {
          empty++;
        }
      }
      case DATE -> addTime(row.getInt(ordinal));
      case TIMESTAMP, TIMESTAMP_NTZ -> addTime(row.getLong(ordinal));
      case OTHER -> values++;
      default -> addNumber(number(row, ordinal));
    }
  }

  private double number(InternalRow row, int ordinal) {
    return switch (read) {
      case BYTE -> row.getByte(ordinal);
      case SHORT -> row.getShort(ordinal);
      case INT -> row.getInt(ordinal);
      case LONG -> row.getLong(ordinal);
      case FLOAT -> row.getFloat(ordinal);
      case DOUBLE -> row.getDouble(ordinal);
      case DECIMAL -> {
        DecimalType d = (DecimalType) type;
        yield row.getDecimal(ordinal, d.precision(), d.scale()).toDouble();
      }
      default -> throw new IllegalStateException(type + " is not numeric");
    };
  }

  private void addTime(long t) {
    values++;
    earliest = Math.min(earliest, t);
    latest = Math.max(latest, t);
  }

  private void addNumber(double v) {
    if (Double.isNaN(v)) {
      nans++;
      return;
    }
    if (Double.isInfinite(v)) {
      infinities++;
      return;
    }
    values++;
    min = Math.min(min, v);
    max = Math.max(max, v);
    moments.add(v);
    if (quantiles != null) {
      quantiles = quantiles.insert(v);
      sealed = false;
      if (++pending == COMPRESS_EVERY) {
        compress();
      }
    }
  }

  private void compress() {
    quantiles = quantiles.compress();
    pending = 0;
  }

  /**
   * Compresses the quantile summary once after the last value of a partition, as a partition's
   * sketch leaves its task: whether it is then shipped to the driver (serialized) or merged where
   * it is, the merge that follows sees the same summary, so the same bits.
   */
  void seal() {
    if (quantiles != null && !sealed) {
      compress();
      sealed = true;
    }
  }

  /**
   * Adds {@code other}'s cells into this sketch; both must be of one column type and errors.
   * Merging in a fixed order gives the same bits.
   */
  public ColumnSketch merge(ColumnSketch other) {
    if (!type.equals(other.type)
        || relativeError != other.relativeError
        || hllError != other.hllError) {
      throw new IllegalArgumentException("cannot merge sketches of different columns");
    }
    long n = values + other.values;
    if (numeric) {
      moments.merge(other.moments);
    }
    nulls += other.nulls;
    nans += other.nans;
    infinities += other.infinities;
    empty += other.empty;
    values = n;
    min = Math.min(min, other.min);
    max = Math.max(max, other.max);
    earliest = Math.min(earliest, other.earliest);
    latest = Math.max(latest, other.latest);
    if (quantiles != null) {
      compress();
      other.compress();
      quantiles = quantiles.merge(other.quantiles);
    }
    if (registers != null) {
      UnsafeRow mine = buffer();
      helper().merge(mine, other.buffer(), 0, 0);
    }
    return this;
  }

  /** Null cells. */
  public long nulls() {
    return nulls;
  }

  /** NaN cells (floating columns). */
  public long nans() {
    return nans;
  }

  /** Infinite cells (floating columns). */
  public long infinities() {
    return infinities;
  }

  /** Empty or blank strings (text columns). */
  public long empty() {
    return empty;
  }

  /** Non-missing cells: finite values of a numeric column, non-null cells of any other. */
  public long values() {
    return values;
  }

  /**
   * A date or timestamp column's first value in ISO-8601 ({@code 2024-01-05}, {@code
   * 2024-01-05T08:30:00Z} for a timestamp, in UTC; without the zone for one without a time zone),
   * or null: another type, or no value.
   */
  public String earliest() {
    return iso(earliest);
  }

  /** A date or timestamp column's last value, as {@link #earliest()}. */
  public String latest() {
    return iso(latest);
  }

  private String iso(long t) {
    if (earliest > latest) {
      return null;
    }
    long seconds = Math.floorDiv(t, 1_000_000L);
    int nanos = (int) Math.floorMod(t, 1_000_000L) * 1000;
    return switch (read) {
      case DATE -> java.time.LocalDate.ofEpochDay(t).toString();
      case TIMESTAMP -> java.time.Instant.ofEpochSecond(seconds, nanos).toString();
      case TIMESTAMP_NTZ ->
          java.time.LocalDateTime.ofEpochSecond(seconds, nanos, java.time.ZoneOffset.UTC)
              .toString();
      default -> null;
    };
  }

  /** The smallest finite value, or null without one. */
  public Double min() {
    return numeric && values > 0 ? min : null;
  }

  /** The largest finite value, or null without one. */
  public Double max() {
    return numeric && values > 0 ? max : null;
  }

  /** The mean of the finite values, or null without one. */
  public Double mean() {
    return numeric && values > 0 ? moments.mean() : null;
  }

  /** The sample standard deviation of the finite values, or null with fewer than two. */
  public Double stddev() {
    return numeric && values > 1 ? Math.sqrt(moments.variance()) : null;
  }

  /** The approximate number of distinct non-null values, or null for a type it does not count. */
  public Long distinct() {
    return registers == null ? null : helper().query(buffer(), 0);
  }

  /** The quantiles at {@code levels}, or null without finite values or a quantile summary. */
  public double[] quantiles(double[] levels) {
    if (quantiles == null || values == 0) {
      return null;
    }
    compress();
    double[] q = new double[levels.length];
    for (int i = 0; i < levels.length; i++) {
      q[i] = (Double) quantiles.query(levels[i]).get();
    }
    return q;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    if (relativeError > 0) {
      seal();
      QuantileSummaries.Stats[] s = quantiles.sampled();
      out.writeLong(quantiles.count());
      out.writeInt(s.length);
      for (QuantileSummaries.Stats e : s) {
        out.writeDouble(e.value());
        out.writeLong(e.g());
        out.writeLong(e.delta());
      }
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    if (relativeError > 0) {
      long count = in.readLong();
      QuantileSummaries.Stats[] s = new QuantileSummaries.Stats[in.readInt()];
      for (int i = 0; i < s.length; i++) {
        s[i] = new QuantileSummaries.Stats(in.readDouble(), in.readLong(), in.readLong());
      }
      quantiles =
          new QuantileSummaries(
              QuantileSummaries.defaultCompressThreshold(), relativeError, s, count, true);
    }
  }
}
