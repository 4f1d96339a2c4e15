package io.trustlens.explain.lime;

import io.trustlens.feature.ImageShape;
import io.trustlens.feature.RowSeeds;
import io.trustlens.model.BatchModel;
import io.trustlens.model.OutputKind;
import java.util.SplittableRandom;

/**
 * LIME for images (Ribeiro et al. 2016, arXiv 1602.04938), as lime's {@code LimeImageExplainer}:
 * the interpretable features of an image are its superpixels ({@link Superpixels}); each sample
 * after the image itself keeps every superpixel with probability 1/2 (z uniform on {0, 1}^S, the
 * first sample all ones) and paints the others in their own mean value per channel (lime's {@code
 * hide_color=None}, which cannot hide a uniform superpixel) or in one value ({@code hide_color});
 * samples are weighted by {@code sqrt(exp(-D^2 / w^2))} of their cosine distance to the image,
 * {@code D = 1 - sqrt(kept / S)} (1 when nothing is kept; default width 0.25, lime's), and a
 * weighted ridge fits the explained output on z. The painted images are scored in calls of the
 * model's batch size. Classifiers are explained in probability.
 *
 * <p>Invariant: a row's result depends on its image, key, the seed and the model alone.
 */
public final class ImageLime {
  /** lime_image's kernel width (on cosine distance). */
  public static final double DEFAULT_WIDTH = 0.25;

  private final BatchModel model;
  private final ImageShape shape;
  private final Superpixels.Segmenter segmenter;
  private final int samples;
  private final LocalSurrogate surrogate;
  private final double width;
  private final int target;
  private final long seed;
  private final double hide;
  private long evaluations;

  /**
   * Explains output {@code target} (or {@link TabularLime#PREDICTED}) of {@code model} over images
   * of {@code shape} cut by {@code segmenter}, with {@code samples} samples per image (itself
   * included).
   *
   * @param width the kernel width; 0 or less for {@link #DEFAULT_WIDTH}
   * @param hide the value hidden superpixels take (lime's {@code hide_color}); NaN for each
   *     superpixel's own mean per channel, lime's default
   */
  public ImageLime(
      BatchModel model,
      ImageShape shape,
      Superpixels.Segmenter segmenter,
      int samples,
      LocalSurrogate surrogate,
      double width,
      int target,
      long seed,
      double hide) {
    if (samples < 2) {
      throw new IllegalArgumentException("LIME needs at least 2 samples per row, not " + samples);
    }
    this.model = model;
    this.shape = shape;
    this.segmenter = segmenter;
    this.samples = samples;
    this.surrogate = surrogate;
    this.width = width > 0 ? width : DEFAULT_WIDTH;
    this.target = target;
    this.seed = seed;
    this.hide = hide;
  }

  /** Model evaluations (images scored) so far. */
  public long evaluations() {
    return evaluations;
  }

  /**
   * One image's explanation: its superpixels, the fit (one weight per superpixel), the output
   * explained and its value, and the map: each pixel's superpixel weight ({@code H × W}).
   */
  public record Result(
      Superpixels superpixels, LocalSurrogate.Fit fit, int target, double output, float[] map) {}

  /** Which superpixels each sample keeps, {@code samples × s} of 1 or 0; the first keeps all. */
  static double[] design(int s, int samples, SplittableRandom random) {
    double[] z = new double[samples * s];
    java.util.Arrays.fill(z, 0, s, 1);
    for (int i = s; i < z.length; i++) {
      z[i] = random.nextInt(2);
    }
    return z;
  }

  /** Each superpixel's mean value per channel, {@code count × C}. */
  static double[] means(double[] image, ImageShape shape, Superpixels sp) {
    int n = shape.height() * shape.width();
    int c = shape.channels();
    double[] sums = new double[sp.count() * c];
    int[] sizes = sp.sizes();
    for (int p = 0; p < n; p++) {
      for (int ch = 0; ch < c; ch++) {
        sums[sp.segment()[p] * c + ch] += image[ch * n + p];
      }
    }
    for (int s = 0; s < sp.count(); s++) {
      for (int ch = 0; ch < c; ch++) {
        sums[s * c + ch] /= sizes[s];
      }
    }
    return sums;
  }

  /** Images per {@link #explain(double[], long[], int)} call: about 16 of the model's calls. */
  public int rowsPerCall() {
    return Math.max(1, 16 * model.batchRows() / samples);
  }

  /** Explains {@code image} (channel-major, {@code C × H × W}) keyed by {@code key}. */
  public Result explain(double[] image, long key) {
    return explain(image, new long[] {key}, 1)[0];
  }

  /**
   * Explains {@code n} images ({@code images}: {@code n × C × H × W}) keyed by {@code keys}: their
   * samples one after another, scored in calls of the model's batch size across images, so that a
   * model that pads every call to its batch wastes none of it.
   */
  public Result[] explain(double[] images, long[] keys, int n) {
    int size = shape.size();
    int pixels = shape.height() * shape.width();
    int c = shape.channels();
    int w = model.info().outputSize();
    OutputKind kind = model.info().kind();
    Superpixels[] sps = new Superpixels[n];
    double[][] fills = new double[n][];
    double[][] designs = new double[n][];
    for (int i = 0; i < n; i++) {
      double[] image = java.util.Arrays.copyOfRange(images, i * size, (i + 1) * size);
      sps[i] = segmenter.segment(image, shape);
      fills[i] = means(image, shape, sps[i]);
      if (!Double.isNaN(hide)) {
        java.util.Arrays.fill(fills[i], hide);
      }
      designs[i] = design(sps[i].count(), samples, RowSeeds.random(seed, keys[i]));
    }
    int total = n * samples;
    double[] outputs = new double[total * w];
    int chunk =
        (int) Math.max(1, Math.min(Math.min(model.batchRows(), total), TextLime.MAX_VALUES / size));
    double[] inputs = new double[chunk * size];
    for (int start = 0; start < total; start += chunk) {
      int count = Math.min(chunk, total - start);
      for (int a = 0; a < count; a++) {
        int i = (start + a) / samples;
        int row = ((start + a) % samples) * sps[i].count();
        int[] segment = sps[i].segment();
        double[] z = designs[i];
        double[] fill = fills[i];
        int o = a * size;
        int from = i * size;
        for (int ch = 0; ch < c; ch++) {
          for (int p = 0; p < pixels; p++) {
            int seg = segment[p];
            inputs[o + ch * pixels + p] =
                z[row + seg] == 1 ? images[from + ch * pixels + p] : fill[seg * c + ch];
          }
        }
      }
      double[] scored =
          model.outputs(
              count == chunk ? inputs : java.util.Arrays.copyOf(inputs, count * size), count);
      System.arraycopy(scored, 0, outputs, start * w, count * w);
      evaluations += count;
    }
    Result[] results = new Result[n];
    double[] probabilities = new double[w];
    double[] y = new double[samples];
    double[] weights = new double[samples];
    for (int i = 0; i < n; i++) {
      int s = sps[i].count();
      int first = i * samples * w;
      int t =
          target >= 0
              ? target
              : kind.isClassification() ? (int) kind.predict(outputs, first, w) : 0;
      double[] z = designs[i];
      for (int k = 0; k < samples; k++) {
        int at = first + k * w;
        if (kind == OutputKind.LOGIT) {
          kind.probabilities(outputs, at, w, probabilities);
          y[k] = probabilities[t];
        } else {
          y[k] = outputs[at + t];
        }
        double kept = 0;
        for (int j = 0; j < s; j++) {
          kept += z[k * s + j];
        }
        double distance = kept == 0 ? 1 : 1 - Math.sqrt(kept / s);
        weights[k] = Math.sqrt(Math.exp(-distance * distance / (width * width)));
      }
      LocalSurrogate.Fit fit = surrogate.fit(z, y, weights, samples, s);
      float[] map = new float[pixels];
      int[] segment = sps[i].segment();
      for (int p = 0; p < pixels; p++) {
        map[p] = (float) fit.weights()[segment[p]];
      }
      results[i] = new Result(sps[i], fit, t, y[0], map);
    }
    return results;
  }
}
