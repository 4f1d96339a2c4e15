package io.trustlens.data;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * How far groups are apart, as fairlearn measures it (its {@code demographic_parity_difference},
 * {@code demographic_parity_ratio} and {@code equalized_odds_difference}, all "between groups"):
 * the largest minus the smallest rate over the groups, or the smallest over the largest. A group
 * whose rate is NaN (no positive, or no negative, rows) is left out of that rate's comparison.
 *
 * @param parityDifference max - min selection rate (0: demographic parity)
 * @param parityRatio min / max selection rate (1: parity; the four-fifths rule asks >= 0.8)
 * @param truePositiveRateDifference max - min true positive rate
 * @param falsePositiveRateDifference max - min false positive rate
 * @param equalizedOddsDifference the larger of the two differences above (0: equalized odds)
 * @param baseRateDifference max - min base rate: the bias already in the labels
 */
public record Disparity(
    double parityDifference,
    double parityRatio,
    double truePositiveRateDifference,
    double falsePositiveRateDifference,
    double equalizedOddsDifference,
    double baseRateDifference) {

  /** Compares {@code groups}. */
  public static Disparity of(List<GroupRates> groups) {
    double[] selection = range(groups, GroupRates::selectionRate);
    double[] tpr = range(groups, GroupRates::truePositiveRate);
    double[] fpr = range(groups, GroupRates::falsePositiveRate);
    double[] base = range(groups, GroupRates::baseRate);
    double tprDiff = tpr[1] - tpr[0];
    double fprDiff = fpr[1] - fpr[0];
    return new Disparity(
        selection[1] - selection[0],
        selection[1] == 0 ? 1 : selection[0] / selection[1],
        tprDiff,
        fprDiff,
        Double.isNaN(tprDiff)
            ? fprDiff
            : Double.isNaN(fprDiff) ? tprDiff : Math.max(tprDiff, fprDiff),
        base[1] - base[0]);
  }

  /** {min, max} of the rate over groups where it is defined; {NaN, NaN} if none. */
  private static double[] range(List<GroupRates> groups, ToDoubleFunction<GroupRates> rate) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (GroupRates g : groups) {
      double r = rate.applyAsDouble(g);
      if (!Double.isNaN(r)) {
        min = Math.min(min, r);
        max = Math.max(max, r);
      }
    }
    return min > max ? new double[] {Double.NaN, Double.NaN} : new double[] {min, max};
  }
}
