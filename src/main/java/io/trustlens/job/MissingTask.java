package io.trustlens.job;

import io.trustlens.data.Missingness;
import io.trustlens.report.Charts;
import io.trustlens.report.DataCharts;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * {@code data} with method {@code missing}: {@link Missingness}'s rates, patterns and dependence
 * tests as three tables ({@code NAME}, {@code NAME_patterns}, {@code NAME_dependence}), with
 * thresholds on the largest missing share and the largest gap between levels.
 */
final class MissingTask implements AuditTask<DataSpec> {
  /** A dependence is reported as found below this p-value. */
  static final double ALPHA = 0.001;

  @Override
  public Map<String, Object> run(AuditRun run, DataSpec task) {
    AuditSpec.Input in = run.spec().input;
    List<String> groupBy = new ArrayList<>();
    if (in.label != null) {
      groupBy.add(in.label);
    }
    if (task.sensitive != null) {
      DataTask.requireColumns(run, task.sensitive, "sensitive column");
      task.sensitive.stream().filter(s -> !groupBy.contains(s)).forEach(groupBy::add);
    }
    int maxGroups = task.maxGroups != null ? task.maxGroups : 50;
    Missingness m =
        Missingness.of(run.input().table(), groupBy, task.top != null ? task.top : 10, maxGroups);
    String name = task.name != null ? task.name : "missing";

    List<Row> rates =
        new DataTables<Missingness.ColumnRate>()
            .text("column", Missingness.ColumnRate::column)
            .count("missing", Missingness.ColumnRate::missing)
            .number("rate", Missingness.ColumnRate::rate)
            .write(run, name, m.columns());
    DataTables<Missingness.Pattern> patternTable =
        new DataTables<Missingness.Pattern>()
            .text(
                "missing_columns",
                p -> p.columns().isEmpty() ? "(none)" : String.join(", ", p.columns()))
            .count("rows", Missingness.Pattern::rows)
            .number("share", Missingness.Pattern::share);
    List<Row> patterns = patternTable.write(run, name + "_patterns", m.patterns());
    DataTables<Missingness.Dependence> dependenceTable =
        new DataTables<Missingness.Dependence>()
            .text("column", Missingness.Dependence::column)
            .text("by", Missingness.Dependence::by)
            .count("levels", d -> d.levels().size())
            .number("chi_square", d -> d.test().statistic())
            .count("degrees_of_freedom", d -> d.test().degreesOfFreedom())
            .number("p_value", d -> d.test().pValue())
            .number("gap", Missingness.Dependence::gap)
            .flag("depends", d -> d.test().pValue() < ALPHA)
            .flag("capped", Missingness.Dependence::capped);
    List<Row> dependence = dependenceTable.write(run, name + "_dependence", m.dependence());

    HtmlReport.Section section = run.report().section("Missing values: " + name);
    List<Missingness.ColumnRate> some = m.columns().stream().filter(c -> c.missing() > 0).toList();
    section.paragraph(
        m.rows()
            + " rows; "
            + some.size()
            + " of "
            + m.columns().size()
            + " columns have null or NaN cells; about "
            + m.distinctPatterns()
            + " distinct patterns of missing columns.",
        null);
    if (!some.isEmpty()) {
      section.figure(
          "Share of rows missing each column (null or NaN)",
          DataCharts.bars(
              some.stream().map(Missingness.ColumnRate::column).toList(),
              some.stream().mapToDouble(Missingness.ColumnRate::rate).toArray(),
              "missing rate",
              "share of the table's rows"));
    }
    section
        .table(patternTable.header(), DataTables.cells(patterns))
        .table(List.of("column", "missing", "rate"), DataTables.cells(rates));
    if (!groupBy.isEmpty()) {
      section
          .paragraph(
              "Does a column's missingness depend on the label or a group? Chi-square test of"
                  + " independence of missing against the level; 'depends' where p < "
                  + ALPHA
                  + "; the gap is the largest minus the smallest missing rate over levels of at"
                  + " least "
                  + Missingness.MIN_LEVEL_ROWS
                  + " rows.",
              "note")
          .table(dependenceTable.header(), DataTables.cells(dependence));
      for (Missingness.Dependence d : m.dependence()) {
        if (d.test().pValue() < ALPHA) {
          section.figure(
              "Missing rate of "
                  + d.column()
                  + " by "
                  + d.by()
                  + " (p = "
                  + Charts.number(d.test().pValue())
                  + ")",
              DataCharts.bars(
                  d.levels().stream().map(l -> l.level() + " (" + l.rows() + " rows)").toList(),
                  d.levels().stream().mapToDouble(Missingness.LevelRate::rate).toArray(),
                  "missing rate of " + d.column(),
                  "share of the level's rows"));
        }
      }
    }
    m.dependence().stream()
        .filter(Missingness.Dependence::capped)
        .map(Missingness.Dependence::by)
        .distinct()
        .forEach(
            by ->
                run.warn(
                    by
                        + " has more than "
                        + maxGroups
                        + " levels: the largest are kept and the rest pooled (max_groups)"));

    Missingness.ColumnRate worst =
        m.columns().stream()
            .max(java.util.Comparator.comparingDouble(Missingness.ColumnRate::rate))
            .orElseThrow();
    if (task.maxMissingFraction != null) {
      run.threshold(
          "missing",
          "largest share of null or NaN values (column " + worst.column() + ")",
          task.maxMissingFraction,
          worst.rate(),
          worst.rate() <= task.maxMissingFraction);
    }
    Missingness.Dependence widest =
        m.dependence().stream()
            .max(java.util.Comparator.comparingDouble(Missingness.Dependence::gap))
            .orElse(null);
    if (task.maxMissingGap != null) {
      double gap = widest == null ? 0 : widest.gap();
      run.threshold(
          "missing",
          widest == null
              ? "largest gap of missing rates between levels (no column has missing cells)"
              : "largest gap of missing rates between levels ("
                  + widest.column()
                  + " by "
                  + widest.by()
                  + ")",
          task.maxMissingGap,
          gap,
          gap <= task.maxMissingGap);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("rows", m.rows());
    Map<String, Double> byColumn = new LinkedHashMap<>();
    m.columns().forEach(c -> byColumn.put(c.column(), c.rate()));
    result.put("missing_rate", byColumn);
    result.put("distinct_patterns_approx", m.distinctPatterns());
    List<Map<String, Object>> found = new ArrayList<>();
    for (Missingness.Dependence d : m.dependence()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("column", d.column());
      e.put("by", d.by());
      e.put("p_value", d.test().pValue());
      e.put("gap", d.gap());
      e.put("depends", d.test().pValue() < ALPHA);
      found.add(e);
    }
    result.put("dependence", found);
    result.put(
        "outputs",
        Ordered.map(
            name,
            run.outputPath(name),
            name + "_patterns",
            run.outputPath(name + "_patterns"),
            name + "_dependence",
            run.outputPath(name + "_dependence")));
    return result;
  }
}
