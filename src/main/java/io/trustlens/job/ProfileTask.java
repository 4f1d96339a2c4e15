package io.trustlens.job;

import io.trustlens.data.TableProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code profile} task: row count and per-column nulls, NaN, minimum, maximum and mean, with an
 * optional threshold on the share of missing values.
 */
final class ProfileTask implements AuditTask {

  @Override
  public Map<String, Object> run(AuditRun run, AuditSpec.Task task) {
    TableProfile profile = TableProfile.of(run.input().table());
    List<Map<String, Object>> columns = new ArrayList<>();
    List<List<Object>> rows = new ArrayList<>();
    double worst = 0;
    String worstColumn = null;
    for (TableProfile.ColumnProfile c : profile.columns()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("name", c.name());
      e.put("type", c.type());
      e.put("nulls", c.nulls());
      e.put("nans", c.nans());
      e.put("min", c.min());
      e.put("max", c.max());
      e.put("mean", c.mean());
      columns.add(e);
      List<Object> row = new ArrayList<>();
      row.add(c.name());
      row.add(c.type());
      row.add(c.nulls());
      row.add(c.nans());
      row.add(c.min());
      row.add(c.max());
      row.add(c.mean());
      rows.add(row);
      double missing = c.missingFraction(profile.rows());
      if (worstColumn == null || missing > worst) {
        worst = missing;
        worstColumn = c.name();
      }
    }
    run.report()
        .section("Profile")
        .paragraph(profile.rows() + " rows, " + profile.columns().size() + " columns.", null)
        .table(List.of("column", "type", "nulls", "NaN", "min", "max", "mean"), rows);
    if (task.maxMissingFraction != null) {
      run.threshold(
          "profile",
          "largest share of null or NaN values (column " + worstColumn + ")",
          task.maxMissingFraction,
          worst,
          worst <= task.maxMissingFraction);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("rows", profile.rows());
    result.put("columns", columns);
    return result;
  }
}
