package io.trustlens.explain.lime;

import io.trustlens.feature.RowSeeds;
import io.trustlens.feature.TextEncoder;
import io.trustlens.model.BatchModel;
import io.trustlens.model.OutputKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.sql.Row;

/**
 * LIME for text (Ribeiro et al. 2016, arXiv 1602.04938), as lime's {@code LimeTextExplainer} with
 * {@code bow=True}: the interpretable features of a text are its distinct words (in the order they
 * first appear); each sample after the text itself removes every occurrence of {@code k} of its
 * {@code d} words, {@code k} uniform on 1..d and the words a uniform {@code k}-subset; samples are
 * weighted by {@code sqrt(exp(-D^2 / w^2))} of their cosine distance to the text times 100 ({@code
 * D = 100 (1 - sqrt(kept / d))}, 100 when nothing is kept; default width 25, lime's). The edited
 * texts are re-encoded in the JVM by the model's {@link TextEncoder} and scored in calls of the
 * model's batch size. Classifiers are explained in probability.
 *
 * <p>Invariant: a row's result depends on its text (and the row's other inputs), key, the seed and
 * the model alone.
 */
public final class TextLime {
  /** lime_text's kernel width (on cosine distance times 100). */
  public static final double DEFAULT_WIDTH = 25;

  /** Input values per model call at most (32 MB of doubles). */
  static final int MAX_VALUES = 1 << 22;

  private final BatchModel model;
  private final TextEncoder text;
  private final int samples;
  private final LocalSurrogate surrogate;
  private final double width;
  private final int target;
  private final long seed;
  private long evaluations;

  /**
   * Explains output {@code target} (or {@link TabularLime#PREDICTED}) of {@code model} over the
   * text {@code text} reads, with {@code samples} samples per row (the text itself included).
   *
   * @param width the kernel width; 0 or less for {@link #DEFAULT_WIDTH}
   */
  public TextLime(
      BatchModel model,
      TextEncoder text,
      int samples,
      LocalSurrogate surrogate,
      double width,
      int target,
      long seed) {
    if (samples < 2) {
      throw new IllegalArgumentException("LIME needs at least 2 samples per row, not " + samples);
    }
    this.model = model;
    this.text = text;
    this.samples = samples;
    this.surrogate = surrogate;
    this.width = width > 0 ? width : DEFAULT_WIDTH;
    this.target = target;
    this.seed = seed;
  }

  /** Model evaluations (texts scored) so far. */
  public long evaluations() {
    return evaluations;
  }

  /** One text's explanation: its distinct words, the fit, the output explained and its value. */
  public record Result(List<String> words, LocalSurrogate.Fit fit, int target, double output) {}

  /** The distinct words of {@code tokens}, in the order they first appear. */
  public static List<String> words(List<String> tokens) {
    return new ArrayList<>(new java.util.LinkedHashSet<>(tokens));
  }

  /**
   * The words each sample removes, row-major {@code samples × d} as 1 (kept) or 0 (removed); the
   * first sample keeps every word.
   */
  static double[] design(int d, int samples, SplittableRandom random) {
    double[] z = new double[samples * d];
    java.util.Arrays.fill(z, 0, d, 1);
    int[] order = new int[d];
    for (int s = 1; s < samples; s++) {
      int removed = 1 + random.nextInt(d);
      for (int j = 0; j < d; j++) {
        order[j] = j;
        z[s * d + j] = 1;
      }
      for (int k = 0; k < removed; k++) { // the first `removed` of a partial Fisher-Yates shuffle
        int pick = k + random.nextInt(d - k);
        int t = order[k];
        order[k] = order[pick];
        order[pick] = t;
        z[s * d + order[k]] = 0;
      }
    }
    return z;
  }

  /** Explains the text {@code tokens} of {@code row} keyed by {@code key}. */
  public Result explain(List<String> tokens, Row row, long key) {
    List<String> words = words(tokens);
    int d = words.size();
    int size = text.size();
    int w = model.info().outputSize();
    OutputKind kind = model.info().kind();
    if (d == 0) {
      double[] own = new double[size];
      text.vector(tokens, row, own, 0);
      double[] first = model.outputs(own, 1);
      evaluations++;
      int t = target(kind, first, w);
      double output = explained(kind, first, 0, w, t, new double[w]);
      return new Result(words, new LocalSurrogate.Fit(new double[0], output, 1, output), t, output);
    }
    double[] z = design(d, samples, RowSeeds.random(seed, key));
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int j = 0; j < d; j++) {
      index.put(words.get(j), j);
    }
    // Every sample, the text itself first (it keeps every word), in calls of the batch size.
    double[] outputs = new double[samples * w];
    int chunk = (int) Math.max(1, Math.min(model.batchRows(), MAX_VALUES / Math.max(1, size)));
    for (int start = 0; start < samples; start += chunk) {
      int count = Math.min(chunk, samples - start);
      double[] inputs = new double[count * size];
      for (int c = 0; c < count; c++) {
        int s = start + c;
        List<String> kept = new ArrayList<>(tokens.size());
        for (String token : tokens) {
          if (z[s * d + index.get(token)] == 1) {
            kept.add(token);
          }
        }
        text.vector(kept, row, inputs, c * size);
      }
      System.arraycopy(model.outputs(inputs, count), 0, outputs, start * w, count * w);
      evaluations += count;
    }
    int t = target(kind, outputs, w);
    double[] probabilities = new double[w];
    double[] y = new double[samples];
    double[] weights = new double[samples];
    for (int s = 0; s < samples; s++) {
      y[s] = explained(kind, outputs, s * w, w, t, probabilities);
    }
    for (int s = 0; s < samples; s++) {
      double active = 0;
      for (int j = 0; j < d; j++) {
        active += z[s * d + j];
      }
      double distance = 100 * (active == 0 ? 1 : 1 - Math.sqrt(active / d));
      weights[s] = Math.sqrt(Math.exp(-distance * distance / (width * width)));
    }
    return new Result(words, surrogate.fit(z, y, weights, samples, d), t, y[0]);
  }

  /** The output explained: the one set, else the text's predicted class (or the only output). */
  private int target(OutputKind kind, double[] first, int w) {
    if (target >= 0) {
      return target;
    }
    return kind.isClassification() ? (int) kind.predict(first, 0, w) : 0;
  }

  private static double explained(
      OutputKind kind, double[] outputs, int offset, int w, int t, double[] probabilities) {
    if (kind == OutputKind.LOGIT) {
      kind.probabilities(outputs, offset, w, probabilities);
      return probabilities[t];
    }
    return outputs[offset + t];
  }
}
