package io.trustlens.uncertainty.calibration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.trustlens.testing.KnownProbabilities;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationMetricsTest {
  // Six rows of two classes: p(class 1) and the label, by hand.
  static final double[] P1 = {0.9, 0.8, 0.3, 0.6, 0.2, 0.55};
  static final int[] Y = {1, 1, 0, 0, 1, 1};

  static CalibrationMetrics measure(int bins, double[][] edges) {
    CalibrationSums sums = new CalibrationSums(2, edges);
    for (int i = 0; i < P1.length; i++) {
      sums.add(new double[] {1 - P1[i], P1[i]}, Y[i]);
    }
    return sums.metrics(List.of("no", "yes"), Binning.EQUAL_WIDTH);
  }

  @Test
  void brierLogLossAndEceEqualHandComputedValues() {
    double[] w = Binning.equalWidthEdges(2); // bins [0, .5) and [.5, 1]
    CalibrationMetrics m = measure(2, new double[][] {w, w, w});
    double brier = 0;
    double logLoss = 0;
    for (int i = 0; i < 6; i++) {
      brier += 2 * Math.pow(P1[i] - Y[i], 2);
      logLoss -= Math.log(Y[i] == 1 ? P1[i] : 1 - P1[i]);
    }
    assertEquals(brier / 6, m.brier(), 1e-15);
    assertEquals(logLoss / 6, m.logLoss(), 1e-15);
    // Top label: confidences .9 .8 .7 .6 .8 .55, right: yes yes yes no no yes; all in bin 1.
    assertEquals(4.0 / 6, m.accuracy(), 1e-15);
    double meanConfidence = (0.9 + 0.8 + 0.7 + 0.6 + 0.8 + 0.55) / 6;
    assertEquals(Math.abs(4.0 / 6 - meanConfidence), m.ece(), 1e-15);
    // Class 1 one-vs-rest: bin 0 holds .3 (y0) and .2 (y1); bin 1 .9 .8 .6 .55 (1 1 0 1).
    ReliabilityDiagram yes = m.perClass().get(1);
    assertArrayEquals(new long[] {2, 4}, yes.counts());
    assertArrayEquals(new double[] {0.25, 2.85 / 4}, yes.confidence(), 1e-15);
    assertArrayEquals(new double[] {0.5, 0.75}, yes.frequency(), 1e-15);
    double ece = 2.0 / 6 * 0.25 + 4.0 / 6 * Math.abs(0.75 - 2.85 / 4);
    assertEquals(ece, yes.ece(), 1e-15);
    assertEquals(0.25, yes.mce(), 1e-15);
    assertEquals("yes", yes.curve());
  }

  @Test
  void equalMassBinsHoldEqualCountsAndTiesStayTogether() {
    double[] sorted = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    double[] edges = Binning.equalMassEdges(sorted, 3);
    assertArrayEquals(new double[] {0.4, 0.7}, edges, 0);
    int[] counts = new int[3];
    for (double v : sorted) {
      counts[Binning.bin(edges, v)]++;
    }
    assertArrayEquals(new int[] {3, 3, 3}, counts);
    double[] ties = {0.2, 0.2, 0.2, 0.2, 0.9, 0.9};
    double[] e = Binning.equalMassEdges(ties, 2);
    assertEquals(Binning.bin(e, 0.2), Binning.bin(e, ties[0]));
    assertEquals(0, Binning.bin(Binning.equalWidthEdges(15), 0.0));
    assertEquals(14, Binning.bin(Binning.equalWidthEdges(15), 1.0));
  }

  @Test
  void badProbabilitiesAndLabelsAreNamed() {
    assertNotNull(CalibrationSums.check(new double[] {0.5, 0.6}, 0, 2));
    assertNotNull(CalibrationSums.check(new double[] {-0.1, 1.1}, 0, 2));
    assertNotNull(CalibrationSums.check(new double[] {0.5, 0.5}, 2, 2));
    assertNotNull(CalibrationSums.check(new double[] {0.5, 0.5}, 0.5, 2));
    assertNotNull(CalibrationSums.check(new double[] {Double.NaN, 0.5}, 0, 2));
    assertNull(CalibrationSums.check(new double[] {0.5f, 0.5f}, 1, 2));
  }

  @Test
  void temperatureScalingUndoesAKnownDistortion() {
    KnownProbabilities data = KnownProbabilities.draw(40_000, 4, 11);
    double t0 = 2.5;
    double[][] z = data.distorted(t0);
    double fitted = TemperatureFit.temperature(LabelledScores.of(z, data.labels));
    assertEquals(t0, fitted, 0.05 * t0, "fitted temperature");
    double[] w = Binning.equalWidthEdges(15);
    double[][] edges = {w, w, w, w, w};
    CalibrationSums before = new CalibrationSums(4, edges);
    CalibrationSums after = new CalibrationSums(4, edges);
    for (int i = 0; i < z.length; i++) {
      before.add(KnownProbabilities.softmax(z[i], 1), data.labels[i]);
      after.add(KnownProbabilities.softmax(z[i], 1 / fitted), data.labels[i]);
    }
    List<String> names = List.of("a", "b", "c", "d");
    double eceBefore = before.metrics(names, Binning.EQUAL_WIDTH).ece();
    double eceAfter = after.metrics(names, Binning.EQUAL_WIDTH).ece();
    assertEquals(0, eceAfter, 0.02, "ECE after temperature scaling");
    org.junit.jupiter.api.Assertions.assertTrue(
        eceBefore > 0.05, "distortion visible: " + eceBefore);
    // The fitted T is the loss's minimum: its derivative in beta vanishes.
    double[] at = TemperatureFit.evaluate(LabelledScores.of(z, data.labels), 1 / fitted);
    assertEquals(0, at[1], 1e-9);
  }

  @Test
  void plattScalingFitsTheSigmoidThatGeneratedTheLabels() {
    // Two classes whose true P(y = 1) = sigmoid(2 s - 0.5) for the model's score s.
    KnownProbabilities base = KnownProbabilities.draw(40_000, 2, 5);
    double[][] z = new double[base.logits.length][];
    int[] y = new int[z.length];
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    for (int i = 0; i < z.length; i++) {
      double s = base.logits[i][1] - base.logits[i][0];
      z[i] = new double[] {0, s};
      y[i] = random.nextDouble() < 1 / (1 + Math.exp(-(2 * s - 0.5))) ? 1 : 0;
    }
    double[][] fit = PlattFit.fit(LabelledScores.of(z, y));
    assertEquals(2, fit[0][0], 0.1, "slope");
    assertEquals(-0.5, fit[1][0], 0.1, "intercept");
    double[] p = PlattFit.calibrate(new double[] {0, 1}, fit[0], fit[1]);
    assertEquals(1, p[0] + p[1], 1e-15);
  }
}
