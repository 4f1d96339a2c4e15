package io.trustlens.uncertainty;

/**
 * How much K ensemble members agree on why they predict a row: per player the mean and population
 * standard deviation over members of its Shapley value for the same output, and whether the members
 * disagree on the sign of one of the row's top players. Spark-free; one call per row.
 *
 * <p>Invariants: members that give the same values give exactly zero spread and no disagreement
 * (means are taken as {@link Spread#ofValues} takes them); a sign counts only when a value is not
 * exactly zero (TreeSHAP gives exact zeros to players a tree never splits on).
 *
 * @param mean per player the members' mean value
 * @param std per player the members' population standard deviation
 * @param signDisagreement whether, among the {@code top} players by |mean|, one has a strictly
 *     positive value from a member and a strictly negative one from another
 * @param unstable the first top player with such a disagreement, or -1
 */
public record ShapSpread(double[] mean, double[] std, boolean signDisagreement, int unstable) {

  /**
   * The spread of {@code values}, {@code members × players}, row-major.
   *
   * @param top how many of the largest |mean| players are checked for a sign disagreement
   */
  public static ShapSpread of(double[] values, int members, int players, int top) {
    double[] mean = new double[players];
    double[] std = new double[players];
    double[] column = new double[members];
    for (int j = 0; j < players; j++) {
      for (int k = 0; k < members; k++) {
        column[k] = values[k * players + j];
      }
      Spread.Regression r = Spread.ofValues(column, members);
      mean[j] = r.mean();
      std[j] = r.std();
    }
    Integer[] order = new Integer[players];
    for (int j = 0; j < players; j++) {
      order[j] = j;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(Math.abs(mean[b]), Math.abs(mean[a])));
    for (int t = 0; t < Math.min(top, players); t++) {
      int j = order[t];
      boolean positive = false;
      boolean negative = false;
      for (int k = 0; k < members; k++) {
        double v = values[k * players + j];
        positive |= v > 0;
        negative |= v < 0;
      }
      if (positive && negative) {
        return new ShapSpread(mean, std, true, j);
      }
    }
    return new ShapSpread(mean, std, false, -1);
  }
}
