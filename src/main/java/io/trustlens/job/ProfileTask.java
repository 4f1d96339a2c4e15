package io.trustlens.job;

import io.trustlens.data.FrequentValues;
import io.trustlens.data.TableProfile;
import io.trustlens.data.TableProfile.ColumnProfile;
import io.trustlens.report.Charts;
import io.trustlens.report.DataCharts;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * The {@code profile} task ({@code data} with method {@code profile}): {@link TableProfile}'s
 * figures per column as a table, histograms and top values in the report, and thresholds on the
 * share of missing values and of duplicate rows.
 */
final class ProfileTask implements AuditTask<DataSpec> {
  /** Columns drawn in the report; a wider table's others are in the written table only. */
  private static final int DRAWN = 24;

  @Override
  public Map<String, Object> run(AuditRun run, DataSpec task) {
    AuditSpec.Input in = run.spec().input;
    TableProfile.Options options =
        new TableProfile.Options(
            in.id, in.label, task.bins != null ? task.bins : 20, task.top != null ? task.top : 10);
    TableProfile profile = TableProfile.of(run.input().table(), options, run.input().driverRows());
    long rows = profile.rows();
    String name = task.name != null ? task.name : "profile";
    DataTables<ColumnProfile> table =
        new DataTables<ColumnProfile>()
            .text("column", ColumnProfile::name)
            .text("type", ColumnProfile::type)
            .count("values", ColumnProfile::values)
            .count("nulls", ColumnProfile::nulls)
            .count("nans", ColumnProfile::nans)
            .count("infinities", ColumnProfile::infinities)
            .count("empty", ColumnProfile::empty)
            .number("missing_fraction", c -> c.missingFraction(rows))
            .count("distinct_approx", ColumnProfile::distinct)
            .number("min", ColumnProfile::min)
            .number("max", ColumnProfile::max)
            .text("earliest", ColumnProfile::earliest)
            .text("latest", ColumnProfile::latest)
            .number("mean", ColumnProfile::mean)
            .number("stddev", ColumnProfile::stddev);
    for (double q : TableProfile.QUANTILES) {
      table.number(
          String.format(java.util.Locale.ROOT, "q%02d", Math.round(q * 100)),
          c -> c.quantiles() == null ? null : c.quantile(q));
    }
    table
        .count("outliers", ColumnProfile::outliers)
        .text("top_values", c -> c.top() == null ? null : topText(c.top()))
        .flag("constant", ColumnProfile::constant)
        .flag("near_constant", ColumnProfile::nearConstant);
    List<Row> written = table.write(run, name, profile.columns());

    List<String> constant = new ArrayList<>();
    List<String> nearConstant = new ArrayList<>();
    double worst = 0;
    String worstColumn = null;
    List<Map<String, Object>> columns = new ArrayList<>();
    for (ColumnProfile c : profile.columns()) {
      if (c.constant()) {
        constant.add(c.name());
      } else if (c.nearConstant()) {
        nearConstant.add(c.name());
      }
      double missing = c.missingFraction(rows);
      if (worstColumn == null || missing > worst) {
        worst = missing;
        worstColumn = c.name();
      }
      columns.add(summary(c, rows));
    }
    if (!constant.isEmpty()) {
      run.warn("constant columns (one value in every non-missing cell): " + constant);
    }
    TableProfile.Duplicates d = profile.duplicates();
    double duplicateShare = rows == 0 ? 0 : (double) d.rows() / rows;
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("rows", rows);
    facts.put("columns", profile.columns().size());
    facts.put("passes over the table", TableProfile.passes(rows));
    facts.put(
        "duplicate rows (equal but for the id)", d.rows() + " (" + percent(duplicateShare) + ")");
    if (d.ids() != null) {
      facts.put("ids held by more than one row", d.ids() + " (" + d.idRows() + " extra rows)");
    }
    facts.put("constant columns", constant.isEmpty() ? "none" : String.join(", ", constant));
    facts.put(
        "near-constant columns (one value in >= 99%)",
        nearConstant.isEmpty() ? "none" : String.join(", ", nearConstant));
    if (profile.label() != null) {
      facts.put(
          "label " + profile.label().column(),
          profile.label().classes().size()
              + " classes, largest over smallest "
              + Charts.number(profile.label().imbalance()));
    }
    HtmlReport.Section section = run.report().section("Profile: " + name);
    section
        .keyValues(facts)
        .paragraph(
            "Per column: values (not null, not NaN, numeric: finite), missing cells, approximate"
                + " distinct count (HyperLogLog++, 2% error), moments and quantiles of the finite"
                + " values (quantile ranks within 1/10,000), outliers outside Tukey's fences"
                + " (Q1 - 1.5 IQR, Q3 + 1.5 IQR).",
            "note")
        .table(table.header(), DataTables.cells(written));
    draw(section, profile, in.id);
    if (task.maxMissingFraction != null) {
      run.threshold(
          "profile",
          "largest share of null or NaN values (column " + worstColumn + ")",
          task.maxMissingFraction,
          worst,
          worst <= task.maxMissingFraction);
    }
    if (task.maxDuplicateRows != null) {
      run.threshold(
          "profile",
          "share of rows that repeat an earlier row (every column but the id)",
          task.maxDuplicateRows,
          duplicateShare,
          duplicateShare <= task.maxDuplicateRows);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("rows", rows);
    result.put("passes", TableProfile.passes(rows));
    result.put("duplicate_rows", d.rows());
    result.put("duplicate_ids", d.ids());
    result.put("duplicate_id_rows", d.idRows());
    result.put("constant_columns", constant);
    result.put("near_constant_columns", nearConstant);
    if (profile.label() != null) {
      Map<String, Object> balance = new LinkedHashMap<>();
      profile.label().classes().forEach(c -> balance.put(c.value(), c.count()));
      result.put("label_balance", balance);
      result.put("label_imbalance", profile.label().imbalance());
    }
    result.put("columns", columns);
    result.put("outputs", Map.of(name, run.outputPath(name)));
    return result;
  }

  private static void draw(HtmlReport.Section section, TableProfile profile, String id) {
    int drawn = 0;
    for (ColumnProfile c : profile.columns()) {
      if (c.name().equals(id)) {
        continue;
      }
      if (drawn == DRAWN) {
        section.paragraph(
            "The other columns' figures are in the table above; the first " + DRAWN + " are drawn.",
            "note");
        break;
      }
      if (c.histogram() != null) {
        section.figure(
            c.name() + ": rows per bin of its finite values",
            DataCharts.histogram(c.name(), c.histogram().edges(), c.histogram().counts()));
        drawn++;
      } else if (c.top() != null && !c.top().isEmpty()) {
        List<String> labels = c.top().stream().map(FrequentValues.Count::value).toList();
        double[] counts = c.top().stream().mapToDouble(FrequentValues.Count::count).toArray();
        section.figure(
            c.name()
                + ": rows of its most frequent values"
                + (c.topExact() ? "" : " (approximate)"),
            DataCharts.bars(labels, counts, "rows", "rows holding the value"));
        drawn++;
      }
    }
  }

  private static Map<String, Object> summary(ColumnProfile c, long rows) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("name", c.name());
    e.put("type", c.type());
    e.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
    e.put("values", c.values());
    e.put("nulls", c.nulls());
    e.put("nans", c.nans());
    e.put("infinities", c.infinities());
    e.put("empty", c.empty());
    e.put("missing_fraction", c.missingFraction(rows));
    e.put("distinct_approx", c.distinct());
    e.put("min", c.min());
    e.put("max", c.max());
    e.put("earliest", c.earliest());
    e.put("latest", c.latest());
    e.put("mean", c.mean());
    e.put("stddev", c.stddev());
    if (c.quantiles() != null) {
      Map<String, Double> q = new LinkedHashMap<>();
      for (double level : TableProfile.QUANTILES) {
        q.put(String.valueOf(level), c.quantile(level));
      }
      e.put("quantiles", q);
    }
    if (c.histogram() != null) {
      e.put(
          "histogram",
          Ordered.map("edges", c.histogram().edges(), "counts", c.histogram().counts()));
    }
    e.put("outliers", c.outliers());
    if (c.top() != null) {
      Map<String, Long> top = new LinkedHashMap<>();
      c.top().forEach(t -> top.put(t.value(), t.count()));
      e.put("top_values", top);
      e.put("top_values_exact", c.topExact());
    }
    e.put("constant", c.constant());
    e.put("near_constant", c.nearConstant());
    return e;
  }

  private static String topText(List<FrequentValues.Count> top) {
    List<String> parts = new ArrayList<>();
    top.forEach(t -> parts.add(t.value() + ": " + t.count()));
    return String.join("; ", parts);
  }

  static String percent(double share) {
    return String.format(java.util.Locale.ROOT, "%.2f%%", 100 * share);
  }
}
