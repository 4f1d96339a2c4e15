package io.trustlens.explain.sanity;

/**
 * How alike two saliency maps are, the two measures of Adebayo et al. 2018 (arXiv 1810.03292):
 * Spearman's rank correlation and the structural similarity index (SSIM; Wang et al. 2004, no arXiv
 * id). Spark-free.
 *
 * <p>Invariants: both are symmetric and 1 for identical maps; Spearman ranks ties by their average
 * rank (so it is Pearson's correlation of the ranks); SSIM compares maps scaled to [0, 1] by their
 * largest value, as images with a data range of 1.
 */
public final class Similarity {
  /** SSIM's window side at most, in pixels (scikit-image's default). */
  static final int WINDOW = 7;

  private Similarity() {}

  /**
   * Spearman's rank correlation of {@code a} and {@code b}. A constant map ranks nothing: against
   * another constant map it counts as 1 (the same ranking, all ties), against a varying one as 0
   * (no association), where Pearson's formula would divide by zero. (A randomized layer often
   * silences Grad-CAM, whose map is then all zeros.)
   */
  public static double spearman(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("maps of " + a.length + " and " + b.length + " values");
    }
    boolean flatA = constant(a);
    boolean flatB = constant(b);
    if (flatA || flatB) {
      return flatA && flatB ? 1 : 0;
    }
    return pearson(ranks(a), ranks(b));
  }

  private static boolean constant(double[] v) {
    for (double e : v) {
      if (e != v[0]) {
        return false;
      }
    }
    return true;
  }

  /** Ranks 1..n, ties given their average rank. */
  static double[] ranks(double[] v) {
    int n = v.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (i, j) -> Double.compare(v[i], v[j]));
    double[] rank = new double[n];
    for (int start = 0; start < n; ) {
      int end = start;
      while (end + 1 < n && v[order[end + 1]] == v[order[start]]) {
        end++;
      }
      double average = (start + end) / 2.0 + 1;
      for (int k = start; k <= end; k++) {
        rank[order[k]] = average;
      }
      start = end + 1;
    }
    return rank;
  }

  static double pearson(double[] a, double[] b) {
    int n = a.length;
    double ma = 0;
    double mb = 0;
    for (int i = 0; i < n; i++) {
      ma += a[i];
      mb += b[i];
    }
    ma /= n;
    mb /= n;
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < n; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }

  /**
   * The mean SSIM of two {@code height × width} maps over every window of side {@link #WINDOW} (or
   * the largest odd side that fits) lying inside the map, each map first divided by its largest
   * value (a map of zeros stays zeros); constants C1 = 0.01², C2 = 0.03², sample covariances.
   */
  public static double ssim(double[] a, double[] b, int height, int width) {
    if (a.length != height * width || b.length != a.length) {
      throw new IllegalArgumentException(
          "maps of " + a.length + " and " + b.length + " values for " + height + "x" + width);
    }
    double[] x = scaled(a);
    double[] y = scaled(b);
    int side = Math.min(WINDOW, Math.min(height, width));
    if (side % 2 == 0) {
      side--;
    }
    int count = side * side;
    double c1 = 0.01 * 0.01;
    double c2 = 0.03 * 0.03;
    double total = 0;
    int windows = 0;
    for (int top = 0; top + side <= height; top++) {
      for (int left = 0; left + side <= width; left++) {
        double mx = 0;
        double my = 0;
        for (int r = top; r < top + side; r++) {
          for (int c = left; c < left + side; c++) {
            mx += x[r * width + c];
            my += y[r * width + c];
          }
        }
        mx /= count;
        my /= count;
        double vx = 0;
        double vy = 0;
        double cov = 0;
        for (int r = top; r < top + side; r++) {
          for (int c = left; c < left + side; c++) {
            double dx = x[r * width + c] - mx;
            double dy = y[r * width + c] - my;
            vx += dx * dx;
            vy += dy * dy;
            cov += dx * dy;
          }
        }
        int dof = Math.max(1, count - 1);
        vx /= dof;
        vy /= dof;
        cov /= dof;
        total +=
            ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
        windows++;
      }
    }
    return total / windows;
  }

  private static double[] scaled(double[] v) {
    double max = 0;
    for (double e : v) {
      max = Math.max(max, e);
    }
    double[] s = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      s[i] = max > 0 ? v[i] / max : 0;
    }
    return s;
  }
}
