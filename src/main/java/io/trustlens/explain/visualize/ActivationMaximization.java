package io.trustlens.explain.visualize;

import io.trustlens.feature.GaussianBlur;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.RowSeeds;
import io.trustlens.model.DifferentiableModel;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Activation maximization (Erhan et al. 2009, no arXiv id; Simonyan et al. 2013, arXiv 1312.6034;
 * with the regularizers of Yosinski et al. 2015, arXiv 1506.06579): gradient ascent on the input
 * for a class logit or a unit's mean activation. Each step jitters the picture (a random roll by up
 * to {@code jitter} pixels, undone on the gradient), steps along the gradient scaled to a mean
 * absolute value of 1, so that {@code rate} is in input units, shrinks the picture towards the
 * middle of the input range by the L2 decay, blurs it every {@code blurEvery} steps and clips it to
 * the input range. Spark-free.
 *
 * <p>Invariants: a target's picture depends on the model, the target, the settings and the seed
 * alone: its draws come from (seed, target key), and every gradient is computed in the model's
 * fixed chunks, so the targets it is batched with do not change its bits.
 */
public final class ActivationMaximization {
  private ActivationMaximization() {}

  /**
   * How the ascent runs.
   *
   * @param steps gradient steps
   * @param rate the step's mean absolute change per input value, as a share of the input range
   * @param decay the L2 decay: each step the picture moves this share towards the range's middle
   * @param jitter the largest roll in pixels
   * @param blurSigma the blur's standard deviation in pixels (0: none)
   * @param blurEvery steps between blurs
   * @param low the input range's low end
   * @param high the input range's high end
   */
  public record Settings(
      int steps,
      double rate,
      double decay,
      int jitter,
      double blurSigma,
      int blurEvery,
      double low,
      double high,
      long seed)
      implements Serializable {
    public Settings {
      if (steps < 1 || !(rate > 0) || !(decay >= 0 && decay < 1) || jitter < 0) {
        throw new IllegalArgumentException(
            "steps >= 1, rate > 0, decay in [0, 1) and jitter >= 0 expected; got steps "
                + steps
                + ", rate "
                + rate
                + ", decay "
                + decay
                + ", jitter "
                + jitter);
      }
      if (!(blurSigma >= 0) || blurEvery < 1 || !(high > low)) {
        throw new IllegalArgumentException(
            "blur sigma >= 0, blur every >= 1 step and an input range low < high expected");
      }
    }
  }

  /**
   * A target's picture.
   *
   * @param start the objective at the starting picture
   * @param objective the objective at the final picture
   */
  public record Picture(Target target, double[] image, double start, double objective)
      implements Serializable {}

  /**
   * Maximizes every target, all of one kind (outputs, or units of one layer) in one batch.
   *
   * @param keys each target's key for its draws
   */
  public static List<Picture> run(
      DifferentiableModel model,
      ImageShape shape,
      List<Target> targets,
      long[] keys,
      Settings settings) {
    int n = targets.size();
    int d = model.info().inputSize();
    if (shape.channels() * shape.height() * shape.width() != d) {
      throw new IllegalArgumentException(
          "image shape " + shape + " has " + shape.size() + " values; the model reads " + d);
    }
    String layer = n == 0 ? null : targets.get(0).layer();
    int[] index = new int[n];
    SplittableRandom[] random = new SplittableRandom[n];
    double[] x = new double[n * d];
    double range = settings.high() - settings.low();
    double middle = (settings.high() + settings.low()) / 2;
    for (int t = 0; t < n; t++) {
      if (!java.util.Objects.equals(layer, targets.get(t).layer())) {
        throw new IllegalArgumentException("one batch holds targets of one layer");
      }
      index[t] = targets.get(t).index();
      random[t] = RowSeeds.random(settings.seed(), keys[t]);
      for (int j = 0; j < d; j++) {
        x[t * d + j] = middle + 0.01 * range * gaussian(random[t]);
      }
    }
    double[] start = objectives(model, layer, x, n, index);
    double[] moved = new double[n * d];
    int[][] shift = new int[n][2];
    for (int step = 0; step < settings.steps(); step++) {
      for (int t = 0; t < n; t++) {
        shift[t][0] =
            settings.jitter() == 0
                ? 0
                : random[t].nextInt(2 * settings.jitter() + 1) - settings.jitter();
        shift[t][1] =
            settings.jitter() == 0
                ? 0
                : random[t].nextInt(2 * settings.jitter() + 1) - settings.jitter();
        roll(x, moved, t * d, shape, shift[t][0], shift[t][1]);
      }
      DifferentiableModel.Gradients g = gradients(model, layer, moved, n, index);
      double[] back = new double[d];
      for (int t = 0; t < n; t++) {
        roll(g.gradients(), back, 0, t * d, shape, -shift[t][0], -shift[t][1]);
        double mean = 0;
        for (double v : back) {
          mean += Math.abs(v);
        }
        mean /= d;
        double scale = mean > 0 ? settings.rate() * range / mean : 0;
        boolean blur = settings.blurSigma() > 0 && (step + 1) % settings.blurEvery() == 0;
        for (int j = 0; j < d; j++) {
          double v = x[t * d + j] + scale * back[j];
          x[t * d + j] = middle + (1 - settings.decay()) * (v - middle);
        }
        if (blur) {
          double[] one = java.util.Arrays.copyOfRange(x, t * d, (t + 1) * d);
          double[] blurred =
              GaussianBlur.apply(
                  one, shape.channels(), shape.height(), shape.width(), settings.blurSigma());
          System.arraycopy(blurred, 0, x, t * d, d);
        }
        for (int j = 0; j < d; j++) {
          x[t * d + j] = Math.max(settings.low(), Math.min(settings.high(), x[t * d + j]));
        }
      }
    }
    double[] end = objectives(model, layer, x, n, index);
    List<Picture> pictures = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      pictures.add(
          new Picture(
              targets.get(t),
              java.util.Arrays.copyOfRange(x, t * d, (t + 1) * d),
              start[t],
              end[t]));
    }
    return pictures;
  }

  private static DifferentiableModel.Gradients gradients(
      DifferentiableModel model, String layer, double[] x, int n, int[] index) {
    return layer == null ? model.gradients(x, n, index) : model.unitGradients(layer, x, n, index);
  }

  /** Each target's objective at {@code x}: its output, or its unit's mean activation. */
  private static double[] objectives(
      DifferentiableModel model, String layer, double[] x, int n, int[] index) {
    double[] values = new double[n];
    if (layer == null) {
      double[] out = model.outputs(x, n);
      int w = model.info().outputSize();
      for (int t = 0; t < n; t++) {
        values[t] = out[t * w + index[t]];
      }
    } else {
      double[] out = model.unitGradients(layer, x, n, index).outputs();
      System.arraycopy(out, 0, values, 0, n);
    }
    return values;
  }

  /** Rolls picture {@code t} (from {@code offset} of {@code src}) by (dy, dx) into {@code dest}. */
  private static void roll(double[] src, double[] dest, int offset, ImageShape s, int dy, int dx) {
    roll(src, dest, offset, offset, s, dy, dx);
  }

  /** Rolls the picture at {@code from} of {@code src} into {@code to} of {@code dest}, wrapping. */
  static void roll(double[] src, double[] dest, int to, int from, ImageShape s, int dy, int dx) {
    int h = s.height();
    int w = s.width();
    for (int c = 0; c < s.channels(); c++) {
      int plane = c * h * w;
      for (int y = 0; y < h; y++) {
        int ty = Math.floorMod(y + dy, h);
        for (int x = 0; x < w; x++) {
          dest[to + plane + ty * w + Math.floorMod(x + dx, w)] = src[from + plane + y * w + x];
        }
      }
    }
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
