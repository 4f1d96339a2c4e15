package io.trustlens.model.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reconstruction loss's gradient equals central differences; Adam finds a minimum. */
class TrainingTest {

  @Test
  void theReconstructionGradientEqualsCentralDifferences() {
    int[] sizes = {4, 3, 2, 3, 4};
    SplittableRandom r = new SplittableRandom(3);
    double[][] params = new double[2 * (sizes.length - 1)][];
    for (int l = 0; l + 1 < sizes.length; l++) {
      params[2 * l] = uniforms(r, sizes[l] * sizes[l + 1]);
      params[2 * l + 1] = uniforms(r, sizes[l + 1]);
    }
    int batch = 6;
    double[] x = uniforms(r, batch * 4);
    Reconstruction loss = new Reconstruction(sizes);
    double[][] g = new double[params.length][];
    double[][] scratch = new double[params.length][];
    for (int i = 0; i < params.length; i++) {
      g[i] = new double[params[i].length];
      scratch[i] = new double[params[i].length];
    }
    double value = loss.lossAndGradient(params, x, batch, g);
    assertEquals(value, loss.lossAndGradient(params, x, batch, scratch), 0, "same bits again");
    for (int i = 0; i < params.length; i++) {
      for (int k = 0; k < params[i].length; k++) {
        double keep = params[i][k];
        params[i][k] = keep + 1e-6;
        double up = loss.lossAndGradient(params, x, batch, scratch);
        params[i][k] = keep - 1e-6;
        double down = loss.lossAndGradient(params, x, batch, scratch);
        params[i][k] = keep;
        double numeric = (up - down) / 2e-6;
        assertEquals(numeric, g[i][k], 1e-7 + 1e-5 * Math.abs(numeric), "block " + i + " " + k);
      }
    }
  }

  private static double[] uniforms(SplittableRandom r, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = 2 * r.nextDouble() - 1;
    }
    return v;
  }

  @Test
  void adamFindsTheMinimumOfAQuadratic() {
    double[][] params = {{5, -3}};
    Adam adam = new Adam(0.05, params);
    for (int t = 0; t < 2000; t++) {
      double[][] g = {{2 * (params[0][0] - 1), 8 * (params[0][1] + 2)}};
      adam.step(params, g);
    }
    assertEquals(1, params[0][0], 1e-3);
    assertEquals(-2, params[0][1], 1e-3);
  }
}
