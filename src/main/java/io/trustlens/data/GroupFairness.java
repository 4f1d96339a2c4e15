package io.trustlens.data;

import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.trustlens.feature.ColumnNames;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * A model's decisions across groups of a sensitive column, and of the intersection of two, as
 * fairlearn's {@code MetricFrame} gives them: per group its size, base rate, selection rate, true
 * and false positive rates, precision, accuracy and calibration (mean probability against the base
 * rate), and between groups the demographic parity difference and ratio and the equalized odds
 * difference ({@link Disparity}).
 *
 * <p>One pass (one shuffle) for every grouping ({@link GroupedSums}). A grouping with more than
 * {@code maxGroups} levels keeps the largest and pools the rest, which is listed but left out of
 * the disparities (a pool of unrelated groups is not a group).
 *
 * @param grouping the sensitive column, or two joined by " & "
 * @param groups per level, largest first, then the pooled rest if any
 * @param disparity between the kept levels
 * @param levels the grouping's number of levels
 * @param capped whether levels were pooled
 */
public record GroupFairness(
    String grouping, List<GroupRates> groups, Disparity disparity, long levels, boolean capped) {

  /**
   * Measures decisions for each sensitive column and, given two, their intersection.
   *
   * @param label the true class column
   * @param prediction the predicted class column
   * @param score the probability of the positive class, or null
   * @param positive the positive class's value (label and prediction are compared as doubles)
   */
  public static List<GroupFairness> of(
      Dataset<Row> table,
      String label,
      String prediction,
      String score,
      List<String> sensitive,
      double positive,
      int maxGroups) {
    List<String> names = new ArrayList<>(sensitive);
    List<Column> levels = new ArrayList<>();
    for (String s : sensitive) {
      levels.add(GroupedSums.level(ColumnNames.col(s)));
    }
    if (sensitive.size() == 2) {
      names.add(sensitive.get(0) + " & " + sensitive.get(1));
      levels.add(concat_ws(" & ", levels.get(0), levels.get(1)));
    }
    Column y = flag(ColumnNames.col(label), positive);
    Column selected = flag(ColumnNames.col(prediction), positive);
    List<Column> sums =
        List.of(
            y,
            selected,
            y.multiply(selected),
            score == null ? lit(Double.NaN) : ColumnNames.col(score).cast(DataTypes.DoubleType));
    List<GroupFairness> result = new ArrayList<>();
    for (GroupedSums.Grouping g : GroupedSums.of(table, names, levels, sums, maxGroups)) {
      List<GroupRates> kept = new ArrayList<>();
      for (GroupedSums.Level l : g.levels()) {
        kept.add(rates(l));
      }
      List<GroupRates> all = new ArrayList<>(kept);
      if (g.other() != null) {
        all.add(rates(g.other()));
      }
      result.add(
          new GroupFairness(
              g.name(), List.copyOf(all), Disparity.of(kept), g.distinct(), g.other() != null));
    }
    return result;
  }

  private static Column flag(Column c, double positive) {
    return when(c.cast(DataTypes.DoubleType).equalTo(lit(positive)), lit(1)).otherwise(lit(0));
  }

  private static GroupRates rates(GroupedSums.Level l) {
    double[] s = l.sums();
    return new GroupRates(
        l.name(), l.rows(), Math.round(s[0]), Math.round(s[1]), Math.round(s[2]), s[3]);
  }
}
