package io.trustlens.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExactMomentsTest {
  private static final MathContext WIDE = new MathContext(60);

  @Test
  void meanAndVarianceAreTheExactValuesCorrectlyRounded() {
    Random random = new Random(3);
    for (int trial = 0; trial < 40; trial++) {
      int n = 2 + random.nextInt(300);
      // A large offset with small spread (where a running mean loses digits), mixed magnitudes
      // and signs, and whole numbers with repeats.
      double offset = trial % 3 == 0 ? 1e9 : trial % 3 == 1 ? -3.5e-4 : 0;
      double[] x = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] =
            trial % 3 == 2
                ? random.nextInt(7)
                : offset + random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4);
      }
      ExactMoments m = new ExactMoments();
      for (double v : x) {
        m.add(v);
      }
      BigDecimal s1 = BigDecimal.ZERO;
      BigDecimal s2 = BigDecimal.ZERO;
      for (double v : x) {
        BigDecimal b = new BigDecimal(v);
        s1 = s1.add(b);
        s2 = s2.add(b.multiply(b));
      }
      BigDecimal count = BigDecimal.valueOf(n);
      double mean = s1.divide(count, WIDE).doubleValue();
      double variance =
          count
              .multiply(s2)
              .subtract(s1.multiply(s1))
              .divide(count.multiply(count.subtract(BigDecimal.ONE)), WIDE)
              .doubleValue();
      assertEquals(mean, m.mean(), 0, "mean, trial " + trial);
      assertEquals(variance, m.variance(), 0, "variance, trial " + trial);
      assertEquals(n, m.count());
    }
  }

  @Test
  void theSameBitsInAnyOrderAndAnySplit() {
    Random random = new Random(8);
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      values.add(1e6 + random.nextGaussian() * Math.pow(10, random.nextInt(12) - 6));
    }
    ExactMoments whole = new ExactMoments();
    values.forEach(whole::add);
    for (int round = 0; round < 10; round++) {
      Collections.shuffle(values, random);
      List<ExactMoments> parts = new ArrayList<>();
      int parts0 = 1 + random.nextInt(7);
      for (int p = 0; p < parts0; p++) {
        parts.add(new ExactMoments());
      }
      for (double v : values) {
        parts.get(random.nextInt(parts0)).add(v);
      }
      Collections.shuffle(parts, random);
      ExactMoments merged = new ExactMoments();
      parts.forEach(merged::merge);
      assertEquals(
          Double.doubleToRawLongBits(whole.mean()), Double.doubleToRawLongBits(merged.mean()));
      assertEquals(
          Double.doubleToRawLongBits(whole.variance()),
          Double.doubleToRawLongBits(merged.variance()));
    }
  }

  @Test
  void edgesOfTheRange() {
    ExactMoments none = new ExactMoments();
    assertTrue(Double.isNaN(none.mean()));
    ExactMoments one = new ExactMoments();
    one.add(-2.5);
    assertEquals(-2.5, one.mean(), 0);
    assertTrue(Double.isNaN(one.variance()), "one value has no sample variance");
    ExactMoments constant = new ExactMoments();
    for (int i = 0; i < 5; i++) {
      constant.add(0.1);
    }
    assertEquals(0.1, constant.mean(), 0);
    assertEquals(0, constant.variance(), 0, "equal values: exactly 0, not a rounding residue");
    ExactMoments huge = new ExactMoments();
    huge.add(1e200);
    huge.add(-1e200);
    huge.add(3);
    assertEquals(1, huge.mean(), 0, "the sum is still exact");
    assertEquals(Double.POSITIVE_INFINITY, huge.variance(), 0, "squares beyond a double");
    ExactMoments extremes = new ExactMoments();
    extremes.add(Double.MAX_VALUE);
    extremes.add(Double.MAX_VALUE);
    assertEquals(Double.MAX_VALUE, extremes.mean(), 0, "a mean of sums beyond a double");
  }
}
