package io.trustlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OutputKindTest {

  @Test
  void logitsBecomeSoftmaxProbabilitiesEvenWhenLarge() {
    double[] out = {0, 1000, 1000 + Math.log(3)};
    double[] p = new double[3];
    OutputKind.LOGIT.probabilities(out, 0, 3, p);
    assertArrayEquals(new double[] {0, 0.25, 0.75}, p, 1e-12);
  }

  @Test
  void predictionIsTheFirstMaximumOfTheRowAtItsOffset() {
    double[] out = {9, 9, 0.2, 0.5, 0.5};
    assertEquals(1.0, OutputKind.PROBABILITY.predict(out, 2, 3));
    assertEquals(0.0, OutputKind.LOGIT.predict(out, 0, 2));
    assertEquals(0.5, OutputKind.REGRESSION.predict(out, 3, 1));
  }

  @Test
  void regressionHasNoProbabilities() {
    assertThrows(
        IllegalStateException.class,
        () -> OutputKind.REGRESSION.probabilities(new double[1], 0, 1, new double[1]));
  }
}
