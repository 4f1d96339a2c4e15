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
 * for a class logit or a unit's mean activation. Each step jitters an image (a random roll by up to
 * {@code jitter} pixels, undone on the gradient), steps along the gradient preconditioned by each
 * input's range r (the step of input j is proportional to g_j r_j^2, scaled so that the mean of
 * |step_j| / r_j is {@code rate}), shrinks the picture towards the {@link Bounds}' centre by the L2
 * decay, blurs an image every {@code blurEvery} steps and clips each input to its range. For an
 * image every pixel has the same range and the step is the gradient scaled to a mean absolute value
 * of rate × range; for a table each feature moves in units of its own range, so that a feature
 * measured in thousands and one in fractions both move. Spark-free.
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
   * @param rate the step's mean absolute change per input value, as a share of its range
   * @param decay the L2 decay: each step the picture moves this share towards the centre
   * @param jitter the largest roll in pixels (images only)
   * @param blurSigma the blur's standard deviation in pixels (0: none; images only)
   * @param blurEvery steps between blurs
   */
  public record Settings(
      int steps, double rate, double decay, int jitter, double blurSigma, int blurEvery, long seed)
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
      if (!(blurSigma >= 0) || blurEvery < 1) {
        throw new IllegalArgumentException("blur sigma >= 0 and blur every >= 1 step expected");
      }
    }
  }

  /**
   * The box the pictures live in: per input its low and high end (a picture is clipped to them) and
   * the centre it starts at and decays towards.
   */
  public record Bounds(double[] low, double[] high, double[] centre) implements Serializable {
    public Bounds {
      if (low.length != high.length || centre.length != low.length) {
        throw new IllegalArgumentException("low, high and centre need one value per input");
      }
      for (int j = 0; j < low.length; j++) {
        if (!(high[j] > low[j]) || !(centre[j] >= low[j] && centre[j] <= high[j])) {
          throw new IllegalArgumentException(
              "input "
                  + j
                  + ": expected low < high and the centre between them; got "
                  + low[j]
                  + ", "
                  + high[j]
                  + ", "
                  + centre[j]);
        }
      }
    }

    /** One range for all {@code d} inputs (an image's), centred in its middle. */
    public static Bounds uniform(int d, double low, double high) {
      double[] lo = new double[d];
      double[] hi = new double[d];
      double[] mid = new double[d];
      java.util.Arrays.fill(lo, low);
      java.util.Arrays.fill(hi, high);
      java.util.Arrays.fill(mid, (low + high) / 2);
      return new Bounds(lo, hi, mid);
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
   * @param shape the image's shape, or null for a table (no jitter, no blur)
   * @param keys each target's key for its draws
   */
  public static List<Picture> run(
      DifferentiableModel model,
      ImageShape shape,
      List<Target> targets,
      long[] keys,
      Settings settings,
      Bounds bounds) {
    int n = targets.size();
    int d = model.info().inputSize();
    if (shape != null && shape.channels() * shape.height() * shape.width() != d) {
      throw new IllegalArgumentException(
          "image shape " + shape + " has " + shape.size() + " values; the model reads " + d);
    }
    if (shape == null && (settings.jitter() > 0 || settings.blurSigma() > 0)) {
      throw new IllegalArgumentException("jitter and blur apply to images; this input is a table");
    }
    if (bounds.low().length != d) {
      throw new IllegalArgumentException(
          "the bounds have " + bounds.low().length + " inputs; the model reads " + d);
    }
    double[] range = new double[d];
    for (int j = 0; j < d; j++) {
      range[j] = bounds.high()[j] - bounds.low()[j];
    }
    double[] centre = bounds.centre();
    String layer = n == 0 ? null : targets.get(0).layer();
    int[] index = new int[n];
    SplittableRandom[] random = new SplittableRandom[n];
    double[] x = new double[n * d];
    for (int t = 0; t < n; t++) {
      if (!java.util.Objects.equals(layer, targets.get(t).layer())) {
        throw new IllegalArgumentException("one batch holds targets of one layer");
      }
      index[t] = targets.get(t).index();
      random[t] = RowSeeds.random(settings.seed(), keys[t]);
      for (int j = 0; j < d; j++) {
        x[t * d + j] = centre[j] + 0.01 * range[j] * gaussian(random[t]);
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
        if (shape == null) {
          System.arraycopy(x, t * d, moved, t * d, d);
        } else {
          roll(x, moved, t * d, shape, shift[t][0], shift[t][1]);
        }
      }
      DifferentiableModel.Gradients g = gradients(model, layer, moved, n, index);
      double[] back = new double[d];
      for (int t = 0; t < n; t++) {
        if (shape == null) {
          System.arraycopy(g.gradients(), t * d, back, 0, d);
        } else {
          roll(g.gradients(), back, 0, t * d, shape, -shift[t][0], -shift[t][1]);
        }
        double mean = 0;
        for (int j = 0; j < d; j++) {
          mean += Math.abs(back[j] * range[j]);
        }
        mean /= d;
        double scale = mean > 0 ? settings.rate() / mean : 0;
        boolean blur =
            shape != null && settings.blurSigma() > 0 && (step + 1) % settings.blurEvery() == 0;
        for (int j = 0; j < d; j++) {
          double v = x[t * d + j] + scale * back[j] * range[j] * range[j];
          x[t * d + j] = centre[j] + (1 - settings.decay()) * (v - centre[j]);
        }
        if (blur) {
          double[] one = java.util.Arrays.copyOfRange(x, t * d, (t + 1) * d);
          double[] blurred =
              GaussianBlur.apply(
                  one, shape.channels(), shape.height(), shape.width(), settings.blurSigma());
          System.arraycopy(blurred, 0, x, t * d, d);
        }
        for (int j = 0; j < d; j++) {
          x[t * d + j] = Math.max(bounds.low()[j], Math.min(bounds.high()[j], x[t * d + j]));
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
