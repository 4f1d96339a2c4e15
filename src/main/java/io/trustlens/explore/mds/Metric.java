package io.trustlens.explore.mds;

import java.util.List;

/** The distances MDS preserves between rows. */
public enum Metric {
  EUCLIDEAN,
  MANHATTAN,
  COSINE;

  /** The names {@link #parse} accepts. */
  public static final List<String> NAMES = List.of("euclidean", "manhattan", "cosine");

  public static Metric parse(String name) {
    int i = NAMES.indexOf(name.toLowerCase(java.util.Locale.ROOT));
    if (i < 0) {
      throw new IllegalArgumentException("metric is '" + name + "'; expected one of " + NAMES);
    }
    return values()[i];
  }

  /** The distance between {@code a} (from {@code ao}) and {@code b} (from {@code bo}), d long. */
  public double distance(double[] a, int ao, double[] b, int bo, int d) {
    switch (this) {
      case MANHATTAN -> {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += Math.abs(a[ao + j] - b[bo + j]);
        }
        return s;
      }
      case COSINE -> {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int j = 0; j < d; j++) {
          dot += a[ao + j] * b[bo + j];
          na += a[ao + j] * a[ao + j];
          nb += b[bo + j] * b[bo + j];
        }
        return na == 0 || nb == 0 ? 1 : Math.max(0, 1 - dot / Math.sqrt(na * nb));
      }
      default -> {
        double s = 0;
        for (int j = 0; j < d; j++) {
          double t = a[ao + j] - b[bo + j];
          s += t * t;
        }
        return Math.sqrt(s);
      }
    }
  }
}
