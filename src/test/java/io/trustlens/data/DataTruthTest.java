package io.trustlens.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Tables with injected missingness, group bias and shift of known size: each found and measured,
 * and no alarm on clean controls.
 */
class DataTruthTest {
  private static final SparkSession SPARK = SparkTestSession.get();

  @Test
  void missingnessAtRandomAndByLabelAreToldApart() {
    StructType schema =
        new StructType()
            .add("label", DataTypes.IntegerType)
            .add("group", DataTypes.StringType)
            .add("code", DataTypes.StringType)
            .add("at_random", DataTypes.DoubleType)
            .add("by_label", DataTypes.DoubleType)
            .add("clean", DataTypes.DoubleType);
    Random random = new Random(5);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      int label = random.nextDouble() < 0.3 ? 1 : 0;
      Double atRandom = random.nextDouble() < 0.10 ? null : random.nextGaussian();
      // Missing 5% of the time for label 0, 25% for label 1: a gap of 0.20.
      Double byLabel =
          random.nextDouble() < (label == 1 ? 0.25 : 0.05) ? Double.NaN : random.nextGaussian();
      rows.add(
          RowFactory.create(
              label,
              "g" + random.nextInt(3),
              "c" + random.nextInt(500),
              atRandom,
              byLabel,
              random.nextGaussian()));
    }
    Dataset<Row> table = SPARK.createDataFrame(rows, schema).repartition(3);
    Missingness m = Missingness.of(table, List.of("label", "group", "code"), 5, 20);
    assertEquals(0.10, m.columns().get(3).rate(), 0.01);
    assertEquals(rows.stream().filter(r -> r.isNullAt(3)).count(), m.columns().get(3).missing());
    assertEquals(0, m.columns().get(5).missing());

    Missingness.Dependence byLabel = find(m, "by_label", "label");
    assertTrue(byLabel.test().pValue() < 1e-12, "found: " + byLabel.test());
    assertEquals(0.20, byLabel.gap(), 0.03);
    for (String column : List.of("at_random", "by_label")) {
      Missingness.Dependence d = find(m, column, "group");
      assertTrue(d.test().pValue() > 0.001, "no false alarm: " + column + " " + d.test());
      assertTrue(d.gap() < 0.04, column + " by group: " + d.gap());
    }
    Missingness.Dependence atRandom = find(m, "at_random", "label");
    assertTrue(atRandom.test().pValue() > 0.001, "MCAR: " + atRandom.test());
    assertTrue(atRandom.gap() < 0.02);

    Missingness.Dependence code = find(m, "at_random", "code");
    assertTrue(code.capped());
    assertEquals(21, code.levels().size(), "20 kept and the pooled rest");
    assertEquals(20_000, code.levels().stream().mapToLong(Missingness.LevelRate::rows).sum());
    assertEquals(
        m.columns().get(3).missing(),
        code.levels().stream().mapToLong(Missingness.LevelRate::missing).sum());

    long none = rows.stream().filter(r -> !r.isNullAt(3) && !Double.isNaN(r.getDouble(4))).count();
    assertEquals(List.of(), m.patterns().get(0).columns());
    assertEquals(none, m.patterns().get(0).rows());
    long both = rows.stream().filter(r -> r.isNullAt(3) && Double.isNaN(r.getDouble(4))).count();
    assertEquals(
        both,
        m.patterns().stream()
            .filter(p -> p.columns().equals(List.of("at_random", "by_label")))
            .findFirst()
            .orElseThrow()
            .rows());
  }

  private static Missingness.Dependence find(Missingness m, String column, String by) {
    return m.dependence().stream()
        .filter(d -> d.column().equals(column) && d.by().equals(by))
        .findFirst()
        .orElseThrow();
  }

  private static final StructType DECISIONS =
      new StructType()
          .add("group", DataTypes.StringType)
          .add("sex", DataTypes.StringType)
          .add("label", DataTypes.DoubleType)
          .add("prediction", DataTypes.DoubleType)
          .add("p1", DataTypes.DoubleType)
          .add("code", DataTypes.StringType);

  /** Decisions with P(select | y=1) = 0.8 and P(select | y=0) = 0.1, but {@code tprB} for b. */
  private static List<Row> decisions(double tprB, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    String[] groups = {"a", "a", "b", "c"};
    for (int i = 0; i < 40_000; i++) {
      String g = groups[random.nextInt(4)];
      double y = random.nextDouble() < 0.3 ? 1 : 0;
      double tpr = g.equals("b") ? tprB : 0.8;
      double p = y == 1 ? tpr : 0.1;
      double selected = random.nextDouble() < p ? 1 : 0;
      rows.add(
          RowFactory.create(
              g,
              random.nextBoolean() ? "f" : "m",
              y,
              selected,
              0.2 + 0.6 * selected,
              "c" + random.nextInt(300)));
    }
    return rows;
  }

  @Test
  void anInjectedGroupBiasIsMeasuredAndACleanTableRaisesNone() {
    List<Row> rows = decisions(0.5, 6);
    Dataset<Row> table = SPARK.createDataFrame(rows, DECISIONS).repartition(3);
    List<GroupFairness> f =
        GroupFairness.of(table, "label", "prediction", "p1", List.of("group", "sex"), 1.0, 50);
    assertEquals(
        List.of("group", "sex", "group & sex"), f.stream().map(GroupFairness::grouping).toList());
    GroupFairness byGroup = f.get(0);
    // TPR 0.8 against 0.5; FPR 0.1 everywhere; selection 0.3*0.8 + 0.7*0.1 = 0.31 against 0.22.
    assertEquals(0.30, byGroup.disparity().truePositiveRateDifference(), 0.04);
    assertEquals(0.30, byGroup.disparity().equalizedOddsDifference(), 0.04);
    assertEquals(0.09, byGroup.disparity().parityDifference(), 0.025);
    assertEquals(0.22 / 0.31, byGroup.disparity().parityRatio(), 0.06);
    assertTrue(byGroup.disparity().baseRateDifference() < 0.03);
    for (GroupRates g : byGroup.groups()) {
      List<Row> in = rows.stream().filter(r -> r.getString(0).equals(g.group())).toList();
      assertEquals(in.size(), g.rows());
      assertEquals(in.stream().filter(r -> r.getDouble(2) == 1).count(), g.positives());
      assertEquals(in.stream().filter(r -> r.getDouble(3) == 1).count(), g.selected());
      assertEquals(
          in.stream().filter(r -> r.getDouble(2) == 1 && r.getDouble(3) == 1).count(),
          g.truePositives());
      assertEquals(in.stream().mapToDouble(r -> r.getDouble(4)).sum(), g.scoreSum(), 1e-6);
    }
    assertEquals("a", byGroup.groups().get(0).group(), "largest first");
    GroupFairness bySex = f.get(1);
    assertTrue(bySex.disparity().equalizedOddsDifference() < 0.04, "sex: no injected bias");
    assertEquals(6, f.get(2).groups().size());
    assertTrue(f.get(2).groups().stream().anyMatch(g -> g.group().equals("b & f")));

    List<GroupFairness> clean =
        GroupFairness.of(
            SPARK.createDataFrame(decisions(0.8, 7), DECISIONS),
            "label",
            "prediction",
            null,
            List.of("group"),
            1.0,
            50);
    Disparity d = clean.get(0).disparity();
    assertTrue(d.parityDifference() < 0.025, "clean parity " + d);
    assertTrue(d.equalizedOddsDifference() < 0.04, "clean odds " + d);
    assertTrue(Double.isNaN(clean.get(0).groups().get(0).meanScore()), "no score column");
  }

  @Test
  void manyLevelsAreCappedAndThePoolIsLeftOutOfTheDisparities() {
    Dataset<Row> table = SPARK.createDataFrame(decisions(0.8, 8), DECISIONS);
    GroupFairness f =
        GroupFairness.of(table, "label", "prediction", null, List.of("code"), 1.0, 10).get(0);
    assertTrue(f.capped());
    assertEquals(300, f.levels());
    assertEquals(11, f.groups().size());
    assertTrue(f.groups().get(10).group().startsWith("(other: 290 levels)"));
    assertEquals(40_000, f.groups().stream().mapToLong(GroupRates::rows).sum());
    assertEquals(Disparity.of(f.groups().subList(0, 10)), f.disparity());
  }

  private static final StructType MIXED =
      new StructType()
          .add("x", DataTypes.DoubleType)
          .add("y", DataTypes.DoubleType)
          .add("n", DataTypes.IntegerType)
          .add("cat", DataTypes.StringType);

  private static Dataset<Row> mixed(double shift, double[] catShares, long seed) {
    Random random = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      double u = random.nextDouble();
      String cat = u < catShares[0] ? "a" : u < catShares[0] + catShares[1] ? "b" : "c";
      rows.add(
          RowFactory.create(
              random.nextGaussian() + shift, random.nextDouble(), random.nextInt(5), cat));
    }
    return SPARK.createDataFrame(rows, MIXED).repartition(2);
  }

  @Test
  void anInjectedShiftIsMeasuredAndACleanTableRaisesNone() {
    double[] before = {0.5, 0.3, 0.2};
    double[] after = {0.3, 0.3, 0.4};
    Dataset<Row> reference = mixed(0, before, 9);
    Drift d = Drift.of(reference, mixed(0.5, after, 10), List.of("x", "y", "n", "cat"));
    Drift.ColumnDrift x = d.columns().get(0);
    NormalDistribution normal = new NormalDistribution(null, 0, 1);
    assertEquals(0.5, x.numeric().wasserstein(), 0.03, "W1 of a shift of 0.5");
    assertEquals(2 * normal.cumulativeProbability(0.25) - 1, x.numeric().ks(), 0.02);
    assertTrue(x.numeric().ksPValue() < 1e-12);
    assertTrue(x.numeric().ksError() < 0.005, "grid of 1000 quantiles: " + x.numeric().ksError());
    double psi = 0;
    double previous = 0;
    for (int k = 1; k <= 10; k++) {
      double cut =
          k == 10 ? Double.POSITIVE_INFINITY : normal.inverseCumulativeProbability(k / 10.0);
      double a = new NormalDistribution(null, 0.5, 1).cumulativeProbability(cut) - previous;
      previous += a;
      psi += (a - 0.1) * Math.log(a / 0.1);
    }
    assertEquals(psi, x.psi(), 0.03, "PSI of N(0.5, 1) over N(0, 1)'s deciles");
    assertEquals(10, x.bins().size());

    Drift.ColumnDrift cat = d.columns().get(3);
    double catPsi = (0.3 - 0.5) * Math.log(0.3 / 0.5) + (0.4 - 0.2) * Math.log(0.4 / 0.2);
    assertEquals(catPsi, cat.psi(), 0.03);
    assertTrue(cat.categorical().chiSquare().pValue() < 1e-12);
    double js = 0;
    for (int i = 0; i < 3; i++) {
      double m = (before[i] + after[i]) / 2;
      js += before[i] / 2 * Math.log(before[i] / m) + after[i] / 2 * Math.log(after[i] / m);
    }
    assertEquals(Math.sqrt(js / Math.log(2)), cat.categorical().jensenShannon(), 0.02);

    for (Drift.ColumnDrift c : List.of(d.columns().get(1), d.columns().get(2))) {
      assertTrue(c.psi() < 0.01, c.column() + " did not move: " + c.psi());
      assertTrue(c.numeric().ksPValue() > 0.001, c.column() + ": " + c.numeric());
    }
    Drift clean = Drift.of(reference, mixed(0, before, 11), List.of("x", "y", "n", "cat"));
    for (Drift.ColumnDrift c : clean.columns()) {
      assertTrue(c.psi() < 0.01, "clean " + c.column() + ": " + c.psi());
      assertFalse(c.capped());
    }
    assertTrue(clean.columns().get(0).numeric().wasserstein() < 0.05);
  }

  @Test
  void tablesWithOtherSchemasAreRefusedWithTheColumnsNamed() {
    Dataset<Row> reference = mixed(0, new double[] {0.5, 0.3, 0.2}, 12);
    Dataset<Row> current = reference.withColumn("x", reference.col("x").cast("string")).drop("n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Drift.of(reference, current, List.of("x", "n", "cat")));
    assertTrue(e.getMessage().contains("x is double in the reference but string"), e.getMessage());
    assertTrue(e.getMessage().contains("n is missing from the current table"), e.getMessage());
  }
}
