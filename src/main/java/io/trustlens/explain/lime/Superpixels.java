package io.trustlens.explain.lime;

import io.trustlens.feature.ImageShape;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * An image cut into superpixels, the interpretable features of LIME for images: one segment id per
 * pixel ({@code 0 .. count − 1}, row-major {@code H × W}). Two ways: square cells of a grid, or
 * SLIC (Achanta et al. 2012, "SLIC Superpixels Compared to State-of-the-Art Superpixel Methods",
 * IEEE TPAMI 34(11)): k-means over (values, position) started from a grid of {@code S = sqrt(N /
 * K)}, each centre searching a {@code 2S × 2S} window with distance {@code sqrt(d_c² + (d_s / S)²
 * m²)}, then every segment made connected (fragments under a quarter of the mean segment size join
 * a neighbour). Values are compared scaled so that the image's range spans 100 (the range of
 * CIELAB's lightness, which SLIC's compactness {@code m} is tuned for). Invariant: every id in
 * {@code 0 .. count − 1} has at least one pixel; the result depends on the image alone.
 */
public record Superpixels(int[] segment, int count) implements Serializable {

  /** How an image is cut: {@code grid:CELL} or {@code slic:K} (with compactness). */
  public interface Segmenter extends Serializable {
    Superpixels segment(double[] image, ImageShape shape);
  }

  /**
   * Square cells of {@code cell} pixels a side (the last row and column of cells may be smaller).
   */
  public static Segmenter grid(int cell) {
    if (cell < 1) {
      throw new IllegalArgumentException("a grid cell is at least 1 pixel, not " + cell);
    }
    return (image, shape) -> {
      int h = shape.height();
      int w = shape.width();
      int across = (w + cell - 1) / cell;
      int[] seg = new int[h * w];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          seg[y * w + x] = (y / cell) * across + x / cell;
        }
      }
      return new Superpixels(seg, across * ((h + cell - 1) / cell));
    };
  }

  /** SLIC with about {@code segments} superpixels, compactness {@code m}, 10 iterations. */
  public static Segmenter slic(int segments, double m) {
    if (segments < 1 || !(m > 0)) {
      throw new IllegalArgumentException("SLIC needs segments >= 1 and compactness > 0");
    }
    return (image, shape) -> slic(image, shape, segments, m, 10);
  }

  /** Parses {@code grid:CELL} or {@code slic:K} (compactness 10). */
  public static Segmenter parse(String spec) {
    try {
      if (spec.startsWith("grid:")) {
        return grid(Integer.parseInt(spec.substring(5)));
      }
      if (spec.startsWith("slic:")) {
        return slic(Integer.parseInt(spec.substring(5)), 10);
      }
    } catch (IllegalArgumentException e) {
      // fall through to the message below
    }
    throw new IllegalArgumentException(
        "superpixels is '" + spec + "'; expected grid:CELL (pixels a side) or slic:K (about K)");
  }

  static Superpixels slic(double[] image, ImageShape shape, int k, double m, int iterations) {
    int c = shape.channels();
    int h = shape.height();
    int w = shape.width();
    int n = h * w;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double v : image) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    double scale = hi > lo ? 100 / (hi - lo) : 1;
    double step = Math.max(1, Math.sqrt(n / (double) Math.min(k, n)));
    int across = Math.max(1, (int) Math.round(w / step));
    int down = Math.max(1, (int) Math.round(h / step));
    int centres = across * down;
    double[] cy = new double[centres];
    double[] cx = new double[centres];
    double[] cv = new double[centres * c];
    for (int a = 0; a < down; a++) {
      for (int b = 0; b < across; b++) {
        int i = a * across + b;
        int y = Math.min(h - 1, (int) ((a + 0.5) * h / down));
        int x = Math.min(w - 1, (int) ((b + 0.5) * w / across));
        int[] moved = lowestGradient(image, shape, y, x);
        cy[i] = moved[0];
        cx[i] = moved[1];
        for (int ch = 0; ch < c; ch++) {
          cv[i * c + ch] = image[ch * n + moved[0] * w + moved[1]] * scale;
        }
      }
    }
    int[] label = new int[n];
    double[] best = new double[n];
    double spatial = (m / step) * (m / step);
    int window = (int) Math.ceil(step);
    for (int it = 0; it < iterations; it++) {
      Arrays.fill(best, Double.POSITIVE_INFINITY);
      Arrays.fill(label, -1);
      for (int i = 0; i < centres; i++) {
        int y0 = Math.max(0, (int) cy[i] - window);
        int y1 = Math.min(h - 1, (int) cy[i] + window);
        int x0 = Math.max(0, (int) cx[i] - window);
        int x1 = Math.min(w - 1, (int) cx[i] + window);
        for (int y = y0; y <= y1; y++) {
          for (int x = x0; x <= x1; x++) {
            int p = y * w + x;
            double dc = 0;
            for (int ch = 0; ch < c; ch++) {
              double e = image[ch * n + p] * scale - cv[i * c + ch];
              dc += e * e;
            }
            double dy = y - cy[i];
            double dx = x - cx[i];
            double d = dc + (dy * dy + dx * dx) * spatial;
            if (d < best[p]) {
              best[p] = d;
              label[p] = i;
            }
          }
        }
      }
      double[] sy = new double[centres];
      double[] sx = new double[centres];
      double[] sv = new double[centres * c];
      int[] count = new int[centres];
      for (int p = 0; p < n; p++) {
        int i = label[p];
        if (i < 0) {
          continue;
        }
        count[i]++;
        sy[i] += p / w;
        sx[i] += p % w;
        for (int ch = 0; ch < c; ch++) {
          sv[i * c + ch] += image[ch * n + p] * scale;
        }
      }
      for (int i = 0; i < centres; i++) {
        if (count[i] > 0) {
          cy[i] = sy[i] / count[i];
          cx[i] = sx[i] / count[i];
          for (int ch = 0; ch < c; ch++) {
            cv[i * c + ch] = sv[i * c + ch] / count[i];
          }
        }
      }
    }
    for (int p = 0; p < n; p++) {
      if (label[p] < 0) {
        label[p] = 0; // unreachable with windows of 2S: every pixel is near some centre
      }
    }
    return connected(label, h, w, Math.max(1, n / centres / 4));
  }

  /** The pixel of least gradient in the 3 × 3 neighbourhood of (y, x) (SLIC's seed move). */
  private static int[] lowestGradient(double[] image, ImageShape shape, int y, int x) {
    int h = shape.height();
    int w = shape.width();
    int n = h * w;
    int[] at = {y, x};
    double least = Double.POSITIVE_INFINITY;
    for (int yy = Math.max(1, y - 1); yy <= Math.min(h - 2, y + 1); yy++) {
      for (int xx = Math.max(1, x - 1); xx <= Math.min(w - 2, x + 1); xx++) {
        double g = 0;
        for (int ch = 0; ch < shape.channels(); ch++) {
          int o = ch * n;
          double gx = image[o + yy * w + xx + 1] - image[o + yy * w + xx - 1];
          double gy = image[o + (yy + 1) * w + xx] - image[o + (yy - 1) * w + xx];
          g += gx * gx + gy * gy;
        }
        if (g < least) {
          least = g;
          at = new int[] {yy, xx};
        }
      }
    }
    return at;
  }

  /**
   * Relabels 4-connected components in scan order; a component smaller than {@code minimum} joins
   * the component found just before it (SLIC's connectivity step), so ids end up 0 .. count − 1.
   */
  static Superpixels connected(int[] label, int h, int w, int minimum) {
    int n = h * w;
    int[] out = new int[n];
    Arrays.fill(out, -1);
    int next = 0;
    int[] members = new int[n];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int start = 0; start < n; start++) {
      if (out[start] >= 0) {
        continue;
      }
      // the id of an already labelled 4-neighbour, which a small fragment joins
      int adjacent = -1;
      int sy = start / w;
      int sx = start % w;
      if (sx > 0) {
        adjacent = out[start - 1];
      } else if (sy > 0) {
        adjacent = out[start - w];
      }
      int size = 0;
      out[start] = next;
      queue.add(start);
      while (!queue.isEmpty()) {
        int p = queue.poll();
        members[size++] = p;
        int y = p / w;
        int x = p % w;
        int[] around = {
          x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1
        };
        for (int q : around) {
          if (q >= 0 && out[q] < 0 && label[q] == label[start]) {
            out[q] = next;
            queue.add(q);
          }
        }
      }
      if (size < minimum && adjacent >= 0) {
        for (int a = 0; a < size; a++) {
          out[members[a]] = adjacent;
        }
      } else {
        next++;
      }
    }
    return new Superpixels(out, next);
  }

  /** Pixels per segment. */
  public int[] sizes() {
    int[] s = new int[count];
    for (int id : segment) {
      s[id]++;
    }
    return s;
  }
}
