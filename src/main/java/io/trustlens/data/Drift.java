package io.trustlens.data;

import io.trustlens.feature.ColumnNames;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;

/**
 * How far a current table's columns have moved from a reference table's (training against scoring,
 * or two dates), as Evidently measures drift: for numeric columns the population stability index
 * over the reference's deciles, the two-sample Kolmogorov-Smirnov statistic with its p-value, and
 * the Wasserstein distance (also over the reference's standard deviation); for text and boolean
 * columns PSI, the chi-square test of homogeneity and the Jensen-Shannon distance. Every column
 * also gets its missing share in both tables.
 *
 * <p>Three passes over each table, whatever its width: one read sketching every compared column
 * ({@link ColumnSketch}: counts, moments and {@value #GRID} quantiles per numeric column), one
 * shuffle of the categories ({@link GroupedSums}, {@value #MAX_CATEGORIES} largest per column, the
 * rest pooled), and one pass counting numeric values over a grid of both tables' quantiles ({@link
 * DriftMeasures} states the error this leaves: the KS statistic is within the largest interval
 * share, about 1/{@value #GRID}).
 *
 * @param referenceRows the reference table's rows
 * @param currentRows the current table's rows
 * @param columns per compared column, in the order asked
 */
public record Drift(long referenceRows, long currentRows, List<ColumnDrift> columns) {

  /** Quantiles per numeric column and table that make the counting grid. */
  public static final int GRID = 1000;

  /** Categories kept per column; the rest of each table is pooled into one. */
  public static final int MAX_CATEGORIES = 1000;

  /**
   * One column's drift: PSI over its bins for every kind, and the figures of its kind.
   *
   * @param kind numeric or categorical
   * @param bins PSI's bins: the reference's decile cuts as text, or the categories
   * @param reference the reference's counts per bin
   * @param current the current table's counts per bin
   * @param numeric the numeric figures (null for a categorical column, or a column without values)
   * @param categorical the categorical figures (null for a numeric column)
   * @param referenceMissing the reference's share of null or NaN cells
   * @param currentMissing the current table's share
   * @param capped whether categories were pooled
   */
  public record ColumnDrift(
      String column,
      String kind,
      List<String> bins,
      long[] reference,
      long[] current,
      double psi,
      Numeric numeric,
      Categorical categorical,
      double referenceMissing,
      double currentMissing,
      boolean capped) {}

  /**
   * A numeric column's distances.
   *
   * @param ks the Kolmogorov-Smirnov statistic at the grid's edges
   * @param ksPValue its asymptotic p-value
   * @param ksError the statistic's error bound (the largest share in one grid interval)
   * @param wasserstein the first Wasserstein distance, in the column's unit
   * @param wassersteinOverSd over the reference's standard deviation (null if it is 0)
   * @param referenceMean the reference's mean
   * @param currentMean the current table's mean
   */
  public record Numeric(
      double ks,
      double ksPValue,
      double ksError,
      double wasserstein,
      Double wassersteinOverSd,
      double referenceMean,
      double currentMean) {}

  /**
   * A categorical column's distances.
   *
   * @param chiSquare the chi-square test of homogeneity of the two tables' counts
   * @param jensenShannon the Jensen-Shannon distance in bits
   */
  public record Categorical(ChiSquare chiSquare, double jensenShannon) {}

  /**
   * Compares {@code columns} of {@code current} with {@code reference}.
   *
   * @throws IllegalArgumentException naming the columns either table lacks or whose kinds differ
   */
  public static Drift of(Dataset<Row> reference, Dataset<Row> current, List<String> columns) {
    List<String> problems = new ArrayList<>();
    List<String> numeric = new ArrayList<>();
    List<String> categorical = new ArrayList<>();
    for (String c : columns) {
      StructField r = field(reference, c);
      StructField k = field(current, c);
      if (r == null || k == null) {
        problems.add(
            c + " is missing from the " + (r == null ? "reference" : "current") + " table");
        continue;
      }
      TableProfile.Kind kr = TableProfile.kind(r.dataType());
      TableProfile.Kind kc = TableProfile.kind(k.dataType());
      if (kr != kc) {
        problems.add(
            c
                + " is "
                + r.dataType().simpleString()
                + " in the reference but "
                + k.dataType().simpleString()
                + " in the current table");
      } else if (kr == TableProfile.Kind.NUMERIC) {
        numeric.add(c);
      } else if (kr == TableProfile.Kind.CATEGORICAL) {
        categorical.add(c);
      } else {
        problems.add(c + " is " + r.dataType().simpleString() + ", neither numeric nor text");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "the tables cannot be compared: " + String.join("; ", problems));
    }
    Moments ref = Moments.of(reference, numeric, columns);
    Moments cur = Moments.of(current, numeric, columns);
    Map<String, ColumnDrift> out = new LinkedHashMap<>();
    if (!numeric.isEmpty()) {
      double[][] grids = new double[numeric.size()][];
      for (int i = 0; i < numeric.size(); i++) {
        TreeSet<Double> edges = new TreeSet<>();
        for (Moments m : List.of(ref, cur)) {
          if (m.values[i] > 0) {
            edges.add(m.lo[i]);
            edges.add(m.hi[i]);
            for (double q : m.quantiles[i]) {
              edges.add(q + 0.0); // -0.0 and 0.0 are one edge
            }
          }
        }
        grids[i] = edges.stream().mapToDouble(Double::doubleValue).toArray();
      }
      long[][] a = GridCounts.of(reference, numeric, grids);
      long[][] b = GridCounts.of(current, numeric, grids);
      for (int i = 0; i < numeric.size(); i++) {
        out.put(
            numeric.get(i), numeric(numeric.get(i), i, grids[i], a[i], b[i], ref, cur, columns));
      }
    }
    if (!categorical.isEmpty()) {
      List<GroupedSums.Grouping> a = categories(reference, categorical);
      List<GroupedSums.Grouping> b = categories(current, categorical);
      for (int i = 0; i < categorical.size(); i++) {
        String c = categorical.get(i);
        out.put(c, categorical(c, a.get(i), b.get(i), ref, cur, columns.indexOf(c)));
      }
    }
    List<ColumnDrift> ordered = new ArrayList<>();
    for (String c : columns) {
      ordered.add(out.get(c));
    }
    return new Drift(ref.rows, cur.rows, List.copyOf(ordered));
  }

  private static StructField field(Dataset<Row> t, String c) {
    var i = t.schema().getFieldIndex(c);
    return i.isEmpty() ? null : t.schema().fields()[(Integer) i.get()];
  }

  private static ColumnDrift numeric(
      String name,
      int i,
      double[] grid,
      long[] a,
      long[] b,
      Moments ref,
      Moments cur,
      List<String> columns) {
    int c = columns.indexOf(name);
    if (ref.values[i] == 0 || cur.values[i] == 0) {
      return new ColumnDrift(
          name,
          "numeric",
          List.of(),
          new long[0],
          new long[0],
          Double.NaN,
          null,
          null,
          ref.missing(c),
          cur.missing(c),
          false);
    }
    TreeSet<Double> deciles = new TreeSet<>();
    for (int d = 1; d < 10; d++) {
      deciles.add(ref.quantiles[i][d * GRID / 10 - 1] + 0.0);
    }
    double[] cuts = deciles.stream().mapToDouble(Double::doubleValue).toArray();
    long[] e = DriftMeasures.coarsen(grid, a, cuts);
    long[] o = DriftMeasures.coarsen(grid, b, cuts);
    List<String> bins = new ArrayList<>();
    for (int k = 0; k <= cuts.length; k++) {
      bins.add(
          k == 0
              ? "<= " + cuts[0]
              : k == cuts.length ? "> " + cuts[k - 1] : "(" + cuts[k - 1] + ", " + cuts[k] + "]");
    }
    double ks = DriftMeasures.kolmogorovSmirnov(a, b);
    double w = DriftMeasures.wasserstein(grid, a, b);
    double sd = ref.sd[i];
    Numeric figures =
        new Numeric(
            ks,
            DriftMeasures.kolmogorovSmirnovPValue(ks, ref.values[i], cur.values[i]),
            DriftMeasures.intervalMass(a, b),
            w,
            sd > 0 ? w / sd : null,
            ref.mean[i],
            cur.mean[i]);
    return new ColumnDrift(
        name,
        "numeric",
        List.copyOf(bins),
        e,
        o,
        DriftMeasures.psi(e, o),
        figures,
        null,
        ref.missing(c),
        cur.missing(c),
        false);
  }

  private static ColumnDrift categorical(
      String name,
      GroupedSums.Grouping a,
      GroupedSums.Grouping b,
      Moments ref,
      Moments cur,
      int c) {
    Map<String, long[]> counts = new LinkedHashMap<>();
    for (GroupedSums.Level l : a.all()) {
      counts.computeIfAbsent(key(l), k -> new long[2])[0] += l.rows();
    }
    for (GroupedSums.Level l : b.all()) {
      counts.computeIfAbsent(key(l), k -> new long[2])[1] += l.rows();
    }
    long[] e = counts.values().stream().mapToLong(v -> v[0]).toArray();
    long[] o = counts.values().stream().mapToLong(v -> v[1]).toArray();
    long[][] table = new long[][] {e, o};
    return new ColumnDrift(
        name,
        "categorical",
        List.copyOf(counts.keySet()),
        e,
        o,
        DriftMeasures.psi(e, o),
        null,
        new Categorical(ChiSquare.of(table), DriftMeasures.jensenShannon(e, o)),
        ref.missing(c),
        cur.missing(c),
        a.other() != null || b.other() != null);
  }

  /** Pooled rests of both tables are one category. */
  private static String key(GroupedSums.Level l) {
    return l.name().startsWith("(other: ") ? "(other)" : l.name();
  }

  private static List<GroupedSums.Grouping> categories(Dataset<Row> t, List<String> columns) {
    List<Column> levels = new ArrayList<>();
    for (String c : columns) {
      levels.add(GroupedSums.level(ColumnNames.col(c)));
    }
    return GroupedSums.of(t, columns, levels, List.of(), MAX_CATEGORIES);
  }

  /** The first pass over one table. */
  private record Moments(
      long rows,
      long[] missingCells,
      long[] values,
      double[] lo,
      double[] hi,
      Double[] mean,
      double[] sd,
      double[][] quantiles) {

    double missing(int column) {
      return rows == 0 ? 0 : (double) missingCells[column] / rows;
    }

    static Moments of(Dataset<Row> t, List<String> numeric, List<String> columns) {
      int[] ordinals = columns.stream().mapToInt(c -> t.schema().fieldIndex(c)).toArray();
      FirstPass.Sketches r = FirstPass.of(t, ordinals, 1.0 / TableProfile.QUANTILE_ACCURACY, 0);
      double[] levels = new double[GRID - 1];
      for (int q = 1; q < GRID; q++) {
        levels[q - 1] = q / (double) GRID;
      }
      int n = numeric.size();
      long[] missingCells = new long[columns.size()];
      for (int i = 0; i < columns.size(); i++) {
        missingCells[i] = r.columns()[i].nulls() + r.columns()[i].nans();
      }
      long[] cnt = new long[n];
      double[] lo = new double[n];
      double[] hi = new double[n];
      Double[] mean = new Double[n];
      double[] sd = new double[n];
      double[][] q = new double[n][];
      for (int i = 0; i < n; i++) {
        ColumnSketch c = r.columns()[columns.indexOf(numeric.get(i))];
        cnt[i] = c.values();
        if (cnt[i] > 0) {
          lo[i] = c.min();
          hi[i] = c.max();
          mean[i] = c.mean();
          sd[i] = c.stddev() == null ? 0 : c.stddev();
          q[i] = c.quantiles(levels);
        } else {
          q[i] = new double[0];
        }
      }
      return new Moments(r.rows(), missingCells, cnt, lo, hi, mean, sd, q);
    }
  }

  /** The third pass: counts of each numeric column's finite values per grid interval. */
  private static final class GridCounts implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int[] columns;
    private final double[][] grids;

    private GridCounts(int[] columns, double[][] grids) {
      this.columns = columns;
      this.grids = grids;
    }

    static long[][] of(Dataset<Row> t, List<String> numeric, double[][] grids) {
      int[] idx = numeric.stream().mapToInt(c -> t.schema().fieldIndex(c)).toArray();
      GridCounts plan = new GridCounts(idx, grids);
      long[][] total = plan.empty();
      for (long[][] part : t.toJavaRDD().mapPartitions(plan::run).collect()) {
        for (int i = 0; i < total.length; i++) {
          for (int j = 0; j < total[i].length; j++) {
            total[i][j] += part[i][j];
          }
        }
      }
      return total;
    }

    private long[][] empty() {
      long[][] c = new long[grids.length][];
      for (int i = 0; i < grids.length; i++) {
        c[i] = new long[grids[i].length];
      }
      return c;
    }

    Iterator<long[][]> run(Iterator<Row> rows) {
      long[][] c = empty();
      while (rows.hasNext()) {
        Row r = rows.next();
        for (int i = 0; i < columns.length; i++) {
          Object o = r.get(columns[i]);
          if (o == null || grids[i].length == 0) {
            continue;
          }
          double v = ((Number) o).doubleValue();
          if (!Double.isNaN(v) && !Double.isInfinite(v)) {
            c[i][DriftMeasures.interval(grids[i], v)]++;
          }
        }
      }
      return java.util.Collections.singletonList(c).iterator();
    }
  }
}
