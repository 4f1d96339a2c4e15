package io.trustlens.explain.sanity;

import io.trustlens.explain.gradient.Attribution;
import io.trustlens.explain.gradient.GradientBatches;
import io.trustlens.explain.gradient.GradientMethod;
import io.trustlens.feature.ImageShape;
import io.trustlens.model.ModelSource;
import io.trustlens.model.TorchScriptModel;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Runs the sanity checks of Adebayo et al. 2018 (arXiv 1810.03292) on a sample of rows: every
 * method's maps under the trained model, under the model with its top 1, 2, ... layers randomized
 * ({@link CascadingRandomization}), and under a model trained on permuted labels; then per method
 * and variant the Spearman rank correlation and SSIM ({@link Similarity}) of each row's |map| with
 * its map under the trained model.
 *
 * <p>One Spark task per model variant, each on a private copy of the module loaded on its executor
 * (the shared copy of {@code ModelCache} is never changed). Every row explains the output the
 * trained model predicts for it (or a fixed one) under every variant, so the maps compared answer
 * the same question. Invariants: a variant's maps depend on the rows, their keys, the methods and
 * the seed alone, so the results are the same bits however the tasks are scheduled.
 */
public final class SanityChecks {
  /** The check a variant belongs to. */
  public static final String CASCADING = "cascading";

  /** The data randomization check. */
  public static final String DATA = "data";

  private SanityChecks() {}

  /**
   * One model variant.
   *
   * @param check {@link #CASCADING} or {@link #DATA}
   * @param level layers randomized from the top (0: the trained model)
   * @param label what the variant is, such as {@code fc2+fc1}
   */
  public record Variant(String check, int level, String label) implements Serializable {}

  /**
   * A method's similarity under one variant, per row.
   *
   * @param spearman per row, Spearman's correlation of |map| with the trained model's
   * @param ssim per row, SSIM of the same (NaN for tables)
   * @param example the first row's |map| under this variant
   */
  public record Result(
      Variant variant, String method, double[] spearman, double[] ssim, double[] example)
      implements Serializable {

    /** The mean over rows of Spearman's correlation. */
    public double meanSpearman() {
      return mean(spearman);
    }

    /** The mean over rows of SSIM. */
    public double meanSsim() {
      return mean(ssim);
    }
  }

  /**
   * Runs every check.
   *
   * @param source the trained model
   * @param permuted the same network trained on permuted labels, or null to skip that check
   * @param methods the methods compared, by name
   * @param xs the rows, {@code n × inputSize}
   * @param keys the rows' keys (random draws of noisy methods)
   * @param target the output explained, or {@link GradientBatches#PREDICTED}
   * @param image the input's image shape, or null for a table
   */
  public static List<Result> run(
      SparkSession spark,
      ModelSource source,
      ModelSource permuted,
      Map<String, GradientMethod> methods,
      double[] xs,
      long[] keys,
      int target,
      ImageShape image,
      long seed) {
    int n = keys.length;
    List<String> layers;
    int[] targets; // each row's output, fixed for every variant
    try (TorchScriptModel copy = source.openPrivateCopy()) {
      layers = new CascadingRandomization(copy.parameters()).layers();
      targets =
          target == GradientBatches.PREDICTED
              ? GradientBatches.predictedClasses(copy.outputs(xs, n), n, copy.info().outputSize())
              : filled(n, target);
    }
    List<Variant> variants = new ArrayList<>();
    variants.add(new Variant(CASCADING, 0, "trained"));
    String label = "";
    for (int k = 1; k <= layers.size(); k++) {
      label += (k > 1 ? "+" : "") + layers.get(layers.size() - k);
      variants.add(new Variant(CASCADING, k, label));
    }
    if (permuted != null) {
      variants.add(new Variant(DATA, 0, "permuted labels"));
    }
    LinkedHashMap<String, GradientMethod> named = new LinkedHashMap<>(methods);
    List<double[][][]> maps =
        JavaSparkContext.fromSparkContext(spark.sparkContext())
            .parallelize(variants, variants.size())
            .map(v -> maps(v, source, permuted, named, xs, keys, targets, image, seed))
            .collect();
    List<Result> results = new ArrayList<>();
    double[][][] trained = maps.get(0);
    List<String> names = List.copyOf(named.keySet());
    for (int v = 0; v < variants.size(); v++) {
      for (int m = 0; m < names.size(); m++) {
        double[] spearman = new double[n];
        double[] ssim = new double[n];
        for (int i = 0; i < n; i++) {
          double[] a = trained[m][i];
          double[] b = maps.get(v)[m][i];
          spearman[i] = Similarity.spearman(a, b);
          ssim[i] =
              image == null || a.length != image.height() * image.width()
                  ? Double.NaN
                  : Similarity.ssim(a, b, image.height(), image.width());
        }
        results.add(new Result(variants.get(v), names.get(m), spearman, ssim, maps.get(v)[m][0]));
      }
    }
    return results;
  }

  /** The |maps| of every method for every row under one variant: [method][row][pixel]. */
  static double[][][] maps(
      Variant variant,
      ModelSource source,
      ModelSource permuted,
      Map<String, GradientMethod> methods,
      double[] xs,
      long[] keys,
      int[] targets,
      ImageShape image,
      long seed) {
    int n = keys.length;
    ModelSource from = variant.check().equals(DATA) ? permuted : source;
    try (TorchScriptModel copy = from.openPrivateCopy()) {
      if (variant.level() > 0) {
        new CascadingRandomization(copy.parameters()).randomizeTop(copy, variant.level(), seed);
      }
      double[][][] maps = new double[methods.size()][][];
      int m = 0;
      for (GradientMethod method : methods.values()) {
        Attribution[] a =
            new GradientBatches(copy, method, GradientBatches.PREDICTED)
                .explain(xs, keys, n, targets);
        maps[m] = new double[n][];
        for (int i = 0; i < n; i++) {
          maps[m][i] = magnitude(a[i].values(), image);
        }
        m++;
      }
      return maps;
    }
  }

  /**
   * |map| summed over channels for an image map of {@code C × H × W} values (a map of {@code H × W}
   * values, such as Grad-CAM's, is taken as it is); |map| for a table.
   */
  static double[] magnitude(double[] map, ImageShape image) {
    if (image == null || map.length != image.channels() * image.height() * image.width()) {
      double[] a = new double[map.length];
      for (int i = 0; i < map.length; i++) {
        a[i] = Math.abs(map[i]);
      }
      return a;
    }
    int plane = image.height() * image.width();
    double[] a = new double[plane];
    for (int c = 0; c < image.channels(); c++) {
      for (int p = 0; p < plane; p++) {
        a[p] += Math.abs(map[c * plane + p]);
      }
    }
    return a;
  }

  private static int[] filled(int n, int v) {
    int[] a = new int[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  private static double mean(double[] values) {
    double sum = 0;
    int count = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        sum += v;
        count++;
      }
    }
    return count == 0 ? Double.NaN : sum / count;
  }
}
