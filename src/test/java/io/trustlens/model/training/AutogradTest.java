package io.trustlens.model.training;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Gradients through DJL's autograd equal the closed form; Adam finds a quadratic's minimum. */
class AutogradTest {

  @Test
  void leastSquaresGradientEqualsTheClosedForm() {
    // loss(w, b) = sum_i (x_i . w + b - y_i)^2; d/dw = 2 X^T r, d/db = 2 sum r.
    float[] x = {1, 2, -1, 0.5f, 3, -2, 0, 1, 2};
    float[] y = {1, -1, 2};
    double[][] params = {{0.3, -0.2, 0.7}, {0.1}};
    long[][] shapes = {{3, 1}, {1}};
    double[][] g = {new double[3], new double[1]};
    double value =
        Autograd.gradients(
            params,
            shapes,
            new Autograd.Tensor[] {new Autograd.Tensor(x, 3, 3), new Autograd.Tensor(y, 3, 1)},
            (m, p, d) -> d.get(0).matMul(p.get(0)).add(p.get(1)).sub(d.get(1)).square().sum(),
            g);
    double expected = 0;
    double[] gw = new double[3];
    double gb = 0;
    for (int i = 0; i < 3; i++) {
      double r = params[1][0] - y[i];
      for (int j = 0; j < 3; j++) {
        r += x[i * 3 + j] * params[0][j];
      }
      expected += r * r;
      for (int j = 0; j < 3; j++) {
        gw[j] += 2 * r * x[i * 3 + j];
      }
      gb += 2 * r;
    }
    assertEquals(expected, value, 1e-5);
    for (int j = 0; j < 3; j++) {
      assertEquals(gw[j], g[0][j], 1e-4, "dw" + j);
    }
    assertEquals(gb, g[1][0], 1e-4);
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
