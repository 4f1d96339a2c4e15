package io.trustlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Input gradients through DJL: right, per row, and safe with concurrent task threads. */
class TorchScriptGradientsTest {
  private static final Path SMOOTH = Path.of("src/test/resources/smooth_net.pt");
  private static final Path DIGITS = Path.of("datasets/models/torch/digits_cnn.pt");

  private static TorchScriptModel differentiable(Path file) {
    return ModelCache.differentiable(file, TorchScriptCard.readBeside(file), Device.cpu());
  }

  private static double[] random(int n, long seed, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = scale * (2 * r.nextDouble() - 1);
    }
    return x;
  }

  @Test
  void gradientsEqualCentralFiniteDifferences() {
    TorchScriptModel model = differentiable(SMOOTH);
    int d = 4;
    int rows = 20;
    double[] x = random(rows * d, 1, 1.5);
    for (int target = 0; target < 3; target++) {
      int[] targets = new int[rows];
      java.util.Arrays.fill(targets, target);
      DifferentiableModel.Gradients g = model.gradients(x, rows, targets);
      double eps = 1e-2;
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < d; j++) {
          double[] plus = java.util.Arrays.copyOfRange(x, i * d, i * d + d);
          double[] minus = plus.clone();
          plus[j] += eps;
          minus[j] -= eps;
          double fd =
              (model.outputs(plus, 1)[target] - model.outputs(minus, 1)[target]) / (2 * eps);
          double grad = g.gradients()[i * d + j];
          assertEquals(fd, grad, 1e-3 * Math.max(Math.abs(fd), 0.05), "row " + i + " x" + j);
        }
      }
      double[] plain = model.outputs(x, rows);
      for (int i = 0; i < rows * 3; i++) {
        assertEquals(plain[i], g.outputs()[i], 1e-6, "outputs of the gradient pass");
      }
    }
  }

  @Test
  void aRowsGradientDoesNotDependOnItsBatchOrOnOtherRowsTargets() {
    TorchScriptModel model = differentiable(DIGITS);
    int d = 64;
    int rows = model.batchRows() + 7; // two chunks
    double[] x = random(rows * d, 2, 8);
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.abs(x[i]) * 2; // pixels 0..16
    }
    int[] targets = new int[rows];
    for (int i = 0; i < rows; i++) {
      targets[i] = i % 10;
    }
    DifferentiableModel.Gradients all = model.gradients(x, rows, targets);
    for (int i : new int[] {0, 5, rows - 1}) {
      double[] one = java.util.Arrays.copyOfRange(x, i * d, i * d + d);
      DifferentiableModel.Gradients alone = model.gradients(one, 1, new int[] {targets[i]});
      assertArrayEquals(
          java.util.Arrays.copyOfRange(all.gradients(), i * d, i * d + d),
          alone.gradients(),
          0.0,
          "row " + i + " alone and in a batch of " + rows);
    }
  }

  @Test
  void concurrentTaskThreadsGetTheSameGradientsAsOne() throws Exception {
    TorchScriptModel model = differentiable(DIGITS);
    int d = 64;
    int rows = 300;
    double[] x = random(rows * d, 3, 8);
    int[] targets = new int[rows];
    for (int i = 0; i < rows; i++) {
      targets[i] = (i * 7) % 10;
    }
    double[] expected = model.gradients(x, rows, targets).gradients();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      java.util.List<Future<double[]>> runs = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Callable<double[]> run = () -> model.gradients(x, rows, targets).gradients();
        runs.add(pool.submit(run));
      }
      for (Future<double[]> f : runs) {
        assertArrayEquals(expected, f.get(), 0.0);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void gradientsNeedTheDifferentiableCopyAndAValidOutput() {
    TorchScriptModel scoring =
        ModelCache.torchScript(SMOOTH, TorchScriptCard.readBeside(SMOOTH), Device.cpu());
    assertThrows(
        IllegalStateException.class, () -> scoring.gradients(new double[4], 1, new int[] {0}));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> differentiable(SMOOTH).gradients(new double[4], 1, new int[] {3}));
    assertTrue(e.getMessage().contains("output 3 is outside 0..2"), e.getMessage());
  }

  /**
   * The predicted class's gradient in one pass equals an outputs call and a gradient call of the
   * largest output, bit for bit (outputs and gradients), on a CNN with two and one with ten
   * classes.
   */
  @Test
  void gradientsOfTheLargestOutputInOnePassEqualTwoPasses() throws java.io.IOException {
    for (Path file : new Path[] {DIGITS, Path.of("datasets/models/torch/shapes_cnn.pt")}) {
      TorchScriptModel model = differentiable(file);
      int rows = model.batchRows() + 7; // a second, padded chunk
      int d = model.info().inputSize();
      double[] x;
      if (file == DIGITS) {
        x = random(rows * d, 9, 1.0);
        for (int i = 0; i < x.length; i++) {
          x[i] = Math.abs(x[i]) * 16;
        }
      } else {
        x =
            io.trustlens.explain.gradient.DeviceCheck.readRows(
                Path.of("datasets/synthetic/shapes.json"), "image", rows, d);
      }
      DifferentiableModel.Gradients one = model.gradientsOfLargest(x, rows);
      DifferentiableModel twoPasses =
          new DifferentiableModel() { // the interface's default: outputs, then gradients
            public ModelInfo info() {
              return model.info();
            }

            public int batchRows() {
              return model.batchRows();
            }

            public double[] outputs(double[] inputs, int n) {
              return model.outputs(inputs, n);
            }

            public Gradients gradients(double[] inputs, int n, int[] targets) {
              return model.gradients(inputs, n, targets);
            }
          };
      DifferentiableModel.Gradients two = twoPasses.gradientsOfLargest(x, rows);
      assertArrayEquals(two.outputs(), one.outputs(), file.toString());
      assertArrayEquals(two.gradients(), one.gradients(), file.toString());
      java.util.Set<Integer> classes = new java.util.HashSet<>();
      int w = model.info().outputSize();
      for (int[] c :
          new int[][] {
            io.trustlens.explain.gradient.GradientBatches.predictedClasses(one.outputs(), rows, w)
          }) {
        for (int k : c) {
          classes.add(k);
        }
      }
      assertTrue(classes.size() > 1, file + ": rows of more than one predicted class");
    }
  }
}
