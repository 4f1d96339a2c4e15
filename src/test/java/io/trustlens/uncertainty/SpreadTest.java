package io.trustlens.uncertainty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SpreadTest {

  @Test
  void entropiesAndInformationEqualTheirDefinitions() {
    double[] draws = {
      0.7, 0.2, 0.1, //
      0.1, 0.8, 0.1, //
      0.6, 0.3, 0.1
    };
    Spread.Classification s = Spread.ofProbabilities(draws, 3, 3);
    double[] mean = {1.4 / 3, 1.3 / 3, 0.1};
    assertArrayEquals(mean, s.mean(), 1e-15);
    assertEquals(0, s.prediction());
    double h = 0;
    for (double p : mean) {
      h -= p * Math.log(p);
    }
    double h1 = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1));
    double h2 = -(0.1 * Math.log(0.1) + 0.8 * Math.log(0.8) + 0.1 * Math.log(0.1));
    double h3 = -(0.6 * Math.log(0.6) + 0.3 * Math.log(0.3) + 0.1 * Math.log(0.1));
    assertEquals(h, s.entropy(), 1e-15);
    assertEquals((h1 + h2 + h3) / 3, s.expectedEntropy(), 1e-15);
    assertEquals(h - (h1 + h2 + h3) / 3, s.mutualInformation(), 1e-15);
    // votes 0, 1, 0: one of three members leaves the majority
    assertEquals(1.0 / 3, s.disagreement(), 1e-15);
    double m = 1.4 / 3;
    double var = ((0.7 - m) * (0.7 - m) + (0.1 - m) * (0.1 - m) + (0.6 - m) * (0.6 - m)) / 3;
    assertEquals(Math.sqrt(var), s.std(), 1e-15);
  }

  @Test
  void agreeingDrawsCarryNoEpistemicUncertainty() {
    double[] one = {0.25, 0.5, 0.25};
    double[] draws = new double[12];
    for (int k = 0; k < 4; k++) {
      System.arraycopy(one, 0, draws, 3 * k, 3);
    }
    Spread.Classification s = Spread.ofProbabilities(draws, 4, 3);
    assertEquals(0, s.mutualInformation(), 0);
    assertEquals(0, s.std(), 0);
    assertEquals(0, s.disagreement(), 0);
    assertEquals(s.entropy(), s.expectedEntropy(), 1e-15);
    assertEquals(1.5 * Math.log(2), s.entropy(), 1e-15);
  }

  @Test
  void certainDrawsHaveZeroEntropy() {
    Spread.Classification s = Spread.ofProbabilities(new double[] {1, 0, 0, 1}, 2, 2);
    assertEquals(Math.log(2), s.entropy(), 1e-15);
    assertEquals(0, s.expectedEntropy(), 0);
    assertEquals(Math.log(2), s.mutualInformation(), 1e-15);
    assertEquals(0.5, s.disagreement(), 0);
  }

  @Test
  void regressionSpreadIsThePopulationStandardDeviation() {
    Spread.Regression r = Spread.ofValues(new double[] {1, 2, 3, 6}, 4);
    assertEquals(3, r.mean(), 0);
    assertEquals(Math.sqrt((4 + 1 + 0 + 9) / 4.0), r.std(), 1e-15);
  }
}
