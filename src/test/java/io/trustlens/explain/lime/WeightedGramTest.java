package io.trustlens.explain.lime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** LIME's weighted, centred sums: exact to rounding, and the same bits with or without vectors. */
class WeightedGramTest {

  /** The sums with or without vector instructions. */
  private static WeightedGram.Sums sums(
      boolean vectors, double[] x, double[] y, double[] w, int n, int m, double total, double ym) {
    return vectors
        ? WeightedGramLanes.compute(x, y, w, n, m, total, ym)
        : WeightedGram.inPlainJava(x, y, w, n, m, total, ym);
  }

  /** {@code sum_i w_i (a_i - abar)(b_i - bbar)} in exact decimal arithmetic, then rounded. */
  private static double exact(double[] a, double aMean, double[] b, double bMean, double[] w) {
    BigDecimal sum = BigDecimal.ZERO;
    for (int i = 0; i < w.length; i++) {
      sum =
          sum.add(
              new BigDecimal(w[i])
                  .multiply(new BigDecimal(a[i]).subtract(new BigDecimal(aMean)))
                  .multiply(new BigDecimal(b[i]).subtract(new BigDecimal(bMean))));
    }
    return sum.round(MathContext.DECIMAL64).doubleValue();
  }

  @Test
  void vectorLanesGiveThePlainSumsBitForBitAndBothAreExactToRounding() {
    SplittableRandom r = new SplittableRandom(17);
    for (int[] shape : new int[][] {{1003, 7}, {1000, 30}, {3, 5}, {9, 1}, {64, 4}}) {
      int n = shape[0];
      int m = shape[1];
      double[] x = new double[n * m]; // column-major
      double[] y = new double[n];
      double[] w = new double[n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          x[j * n + i] = 3 * j + r.nextGaussian() * (1 + j);
        }
        y[i] = r.nextDouble() - 0.25;
        w[i] = Math.sqrt(Math.exp(-r.nextDouble() * 4));
      }
      double total = 0;
      double yMean = 0;
      for (int i = 0; i < n; i++) {
        total += w[i];
        yMean += w[i] * y[i];
      }
      yMean /= total;
      WeightedGram.Sums lanes = sums(true, x, y, w, n, m, total, yMean);
      WeightedGram.Sums plain = sums(false, x, y, w, n, m, total, yMean);
      String at = n + " samples of " + m;
      for (int j = 0; j < m; j++) {
        assertEquals(plain.mean()[j], lanes.mean()[j], 0.0, at + ": mean " + j);
        assertEquals(plain.xty()[j], lanes.xty()[j], 0.0, at + ": xty " + j);
        double[] xj = column(x, j, n);
        double scale = n * (1 + j) * (1 + m);
        assertEquals(exact(xj, 0, w, 0, ones(n)) / total, plain.mean()[j], 1e-14 * (1 + 3 * j));
        assertEquals(exact(xj, plain.mean()[j], y, yMean, w), plain.xty()[j], 1e-14 * scale);
        for (int k = j; k < m; k++) {
          assertEquals(plain.gram()[j][k], lanes.gram()[j][k], 0.0, at + ": gram " + j + ", " + k);
          double exact = exact(xj, plain.mean()[j], column(x, k, n), plain.mean()[k], w);
          assertEquals(exact, plain.gram()[j][k], 1e-14 * scale * (1 + k), at + ": " + j + k);
        }
      }
    }
  }

  private static double[] column(double[] x, int j, int n) {
    double[] c = new double[n];
    System.arraycopy(x, j * n, c, 0, n);
    return c;
  }

  private static double[] ones(int n) {
    double[] o = new double[n];
    java.util.Arrays.fill(o, 1);
    return o;
  }

  @Test
  void vectorsOnlyWithTheModuleAndTheOptimisingCompiler() throws Exception {
    String module = "--add-modules=jdk.incubator.vector";
    assertEquals(WeightedGramLanes.usable(), Lanes.VECTORS, "this JVM: module and C2");
    assertEquals(String.valueOf(WeightedGramLanes.usable()), vectorsIn(module));
    assertEquals("false", vectorsIn(module, "-XX:TieredStopAtLevel=1"));
    assertEquals("false", vectorsIn(module, "-Xint"));
    assertEquals("false", vectorsIn("-Dtrustlens.unused=1")); // no module
    assertEquals("false", vectorsIn(module, "-Dtrustlens.vectors=false"));
  }

  /** {@link Lanes#VECTORS} in a JVM started with {@code options}. */
  private static String vectorsIn(String... options) throws Exception {
    return ChildJvm.output(List.of(options), Probe.class);
  }

  /** Prints whether the sums use vector instructions in this JVM. */
  public static final class Probe {
    public static void main(String[] args) {
      System.out.println(Lanes.VECTORS);
    }
  }
}
