package io.trustlens.uncertainty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExactSumsTest {

  @Test
  void sumsAreExactAndIndependentOfOrderAndMerging() {
    Random random = new Random(7);
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      double v = random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
      values.add(v);
      values.add(-v * (1 + 1e-12)); // heavy cancellation
    }
    values.add(1e300);
    values.add(Double.MIN_VALUE);
    values.add(-1e300);
    values.add(3.0);
    BigDecimal exact = BigDecimal.ZERO;
    for (double v : values) {
      exact = exact.add(new BigDecimal(v));
    }
    double expected = exact.round(MathContext.DECIMAL128).doubleValue();
    for (int trial = 0; trial < 5; trial++) {
      Collections.shuffle(values, random);
      ExactSums a = new ExactSums(1);
      ExactSums b = new ExactSums(1);
      for (int i = 0; i < values.size(); i++) {
        (i % 3 == 0 ? a : b).add(0, values.get(i));
      }
      assertEquals(expected, a.merge(b).value(0), 0);
    }
  }

  @Test
  void roundsToNearest() {
    ExactSums s = new ExactSums(2);
    s.add(0, 1);
    s.add(0, 0x1p-53); // exactly half an ulp of 1: ties to even stays at 1
    s.add(0, 0x1p-80); // a little more: rounds up
    assertEquals(1 + 0x1p-52, s.value(0), 0);
    s.add(1, -2.5);
    assertEquals(-2.5, s.value(1), 0);
    assertThrows(IllegalArgumentException.class, () -> s.add(0, Double.NaN));
  }
}
