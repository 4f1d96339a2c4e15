package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExactSumTest {
  @Test
  void theSumIsTheExactSumCorrectlyRoundedInAnyOrderAndSplit() {
    Random random = new Random(11);
    for (int trial = 0; trial < 200; trial++) {
      List<Double> values = new ArrayList<>();
      int count = 1 + random.nextInt(300);
      for (int i = 0; i < count; i++) {
        // Magnitudes from 2^-60 to 2^60, and now and then an earlier value's negation
        // (cancellation).
        double v = (random.nextDouble() - 0.5) * Math.pow(2, random.nextInt(120) - 60);
        if (!values.isEmpty() && random.nextInt(10) == 0) {
          v = -values.get(random.nextInt(values.size()));
        }
        values.add(v);
      }
      BigDecimal exact = BigDecimal.ZERO;
      for (double v : values) {
        exact = exact.add(new BigDecimal(v));
      }
      double expected = Double.parseDouble(exact.toString()); // correctly rounded
      ExactSum whole = new ExactSum();
      values.forEach(whole::add);
      assertEquals(expected, whole.value(), 0.0, "trial " + trial);

      Collections.shuffle(values, random);
      int parts = 1 + random.nextInt(7);
      List<ExactSum> split = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        split.add(new ExactSum());
      }
      for (double v : values) {
        split.get(random.nextInt(parts)).add(v);
      }
      Collections.shuffle(split, random);
      ExactSum merged = new ExactSum();
      split.forEach(merged::add);
      assertEquals(
          Double.doubleToLongBits(whole.value()),
          Double.doubleToLongBits(merged.value()),
          "trial " + trial + ": shuffled and split in " + parts);
    }
  }

  @Test
  void cancellationTiesAndSpecialValues() {
    assertEquals(1.0, sum(1e100, 1.0, -1e100), 0.0, "a plain sum gives 0");
    // 1 + 2^-53 is a tie between 1 and 1 + 2^-52; the partial 2^-80 beneath it breaks the tie up.
    assertEquals(1 + 0x1p-52, sum(1.0, 0x1p-53, 0x1p-80), 0.0);
    assertEquals(1.0, sum(1.0, 0x1p-53), 0.0, "a tie rounds to even");
    assertEquals(0.0, sum(), 0.0);
    assertTrue(Double.isNaN(sum(1.0, Double.NaN)));
    assertTrue(Double.isNaN(sum(Double.POSITIVE_INFINITY, 1.0, Double.NEGATIVE_INFINITY)));
    assertEquals(Double.POSITIVE_INFINITY, sum(Double.POSITIVE_INFINITY, -5.0), 0.0);
    assertEquals(Double.POSITIVE_INFINITY, sum(Double.MAX_VALUE, Double.MAX_VALUE), 0.0);
  }

  private static double sum(double... values) {
    ExactSum s = new ExactSum();
    for (double v : values) {
      s.add(v);
    }
    return s.value();
  }
}
