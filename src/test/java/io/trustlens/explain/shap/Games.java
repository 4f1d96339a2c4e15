package io.trustlens.explain.shap;

import io.trustlens.feature.FeatureGroup;
import io.trustlens.model.BatchModel;
import io.trustlens.model.Capability;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.OutputKind;
import io.trustlens.model.Scores;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/** Small models and a brute-force Shapley oracle for the tests. */
final class Games {
  private Games() {}

  /** A one-output model computing {@code f} on each row. */
  static BatchModel model(int features, ToDoubleFunction<double[]> f) {
    return vectorModel(features, 1, x -> new double[] {f.applyAsDouble(x)});
  }

  /** A model with {@code outputs} outputs computing {@code f} on each row. */
  static BatchModel vectorModel(int features, int outputs, Function<double[], double[]> f) {
    ModelInfo info =
        new ModelInfo(
            "test",
            "Function",
            new int[] {features},
            java.util.Collections.nCopies(outputs, "y"),
            OutputKind.REGRESSION,
            EnumSet.noneOf(Capability.class));
    return new BatchModel() {
      @Override
      public ModelInfo info() {
        return info;
      }

      @Override
      public Scores score(double[] inputs, int rows) {
        double[] out = new double[rows * outputs];
        for (int i = 0; i < rows; i++) {
          double[] y =
              f.apply(java.util.Arrays.copyOfRange(inputs, i * features, (i + 1) * features));
          System.arraycopy(y, 0, out, i * outputs, outputs);
        }
        return new Scores(out, new double[rows], outputs);
      }
    };
  }

  /**
   * A game of {@code m} single-feature players for {@code model} over {@code backgroundRows} random
   * background rows drawn from {@code seed}.
   */
  static InterventionalGame game(BatchModel model, int m, int backgroundRows, long seed) {
    return new InterventionalGame(
        model, Background.of(randomRows(backgroundRows, m, seed), m), singletons(m));
  }

  /** {@code model} asking callers for calls of {@code rows} rows. */
  static BatchModel withBatchRows(BatchModel model, int rows) {
    return new BatchModel() {
      @Override
      public ModelInfo info() {
        return model.info();
      }

      @Override
      public int batchRows() {
        return rows;
      }

      @Override
      public Scores score(double[] inputs, int n) {
        if (n > rows) {
          throw new AssertionError(n + " rows in one call; the model asked for " + rows);
        }
        return model.score(inputs, n);
      }
    };
  }

  /** A random smooth model with pairwise interactions and a non-linearity. */
  static BatchModel randomModel(int features, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] a = new double[features];
    double[][] b = new double[features][features];
    for (int i = 0; i < features; i++) {
      a[i] = r.nextDouble(-2, 2);
      for (int j = i + 1; j < features; j++) {
        b[i][j] = r.nextDouble() < 0.4 ? r.nextDouble(-1, 1) : 0;
      }
    }
    return model(
        features,
        x -> {
          double s = 0;
          for (int i = 0; i < features; i++) {
            s += a[i] * x[i];
            for (int j = i + 1; j < features; j++) {
              s += b[i][j] * x[i] * x[j];
            }
          }
          return Math.tanh(s / 3) + 0.1 * Math.sin(x[0] * x[features - 1]);
        });
  }

  static double[] randomRows(int rows, int features, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[rows * features];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextDouble(-1.5, 1.5);
    }
    return v;
  }

  static List<FeatureGroup> singletons(int m) {
    List<FeatureGroup> g = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      g.add(new FeatureGroup("x" + i, new int[] {i}));
    }
    return g;
  }

  /**
   * Brute force, written apart from the code under test: the mean marginal contribution over all M!
   * orders, each coalition's value computed directly as the background mean.
   */
  static double[] oracle(BatchModel model, double[] x, double[] background, int m) {
    int nb = background.length / m;
    double[] phi = new double[m];
    int[] order = new int[m];
    for (int i = 0; i < m; i++) {
      order[i] = i;
    }
    long count = 0;
    do {
      boolean[] in = new boolean[m];
      double prev = value(model, x, background, in, nb, m);
      for (int i = 0; i < m; i++) {
        in[order[i]] = true;
        double next = value(model, x, background, in, nb, m);
        phi[order[i]] += next - prev;
        prev = next;
      }
      count++;
    } while (nextPermutation(order));
    for (int i = 0; i < m; i++) {
      phi[i] /= count;
    }
    return phi;
  }

  private static double value(
      BatchModel model, double[] x, double[] bg, boolean[] in, int nb, int m) {
    double sum = 0;
    for (int b = 0; b < nb; b++) {
      double[] row = new double[m];
      for (int j = 0; j < m; j++) {
        row[j] = in[j] ? x[j] : bg[b * m + j];
      }
      sum += model.outputs(row, 1)[0];
    }
    return sum / nb;
  }

  private static boolean nextPermutation(int[] p) {
    int i = p.length - 2;
    while (i >= 0 && p[i] >= p[i + 1]) {
      i--;
    }
    if (i < 0) {
      return false;
    }
    int j = p.length - 1;
    while (p[j] <= p[i]) {
      j--;
    }
    int t = p[i];
    p[i] = p[j];
    p[j] = t;
    for (int a = i + 1, b = p.length - 1; a < b; a++, b--) {
      t = p[a];
      p[a] = p[b];
      p[b] = t;
    }
    return true;
  }
}
