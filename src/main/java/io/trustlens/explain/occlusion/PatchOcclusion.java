package io.trustlens.explain.occlusion;

import io.trustlens.feature.ImageShape;

/**
 * Occlusion sensitivity of images (Zeiler and Fergus 2014, arXiv 1311.2901): a square patch, over
 * every channel, slides across the image; each position is one copy with the patch's pixels
 * replaced by the {@link Fill}, and a pixel's value in the map is the mean drop of the explained
 * output over the positions whose patch covers it.
 *
 * <p>Positions along an axis of length {@code n} start at {@code 0, stride, 2 stride, ...} while
 * the patch fits, plus {@code n - patch} when the last of those stops short of the edge, so every
 * pixel is covered at least once (Captum's {@code Occlusion} leaves such edge pixels out); a stride
 * larger than the patch is refused for the same reason. The map has one channel: {@code H × W}.
 */
public final class PatchOcclusion implements Occluder {
  private static final long serialVersionUID = 1L;

  private final ImageShape shape;
  private final int patch;
  private final int stride;
  private final Fill fill;
  private final int[] ys;
  private final int[] xs;

  /**
   * Patches of {@code patch × patch} pixels every {@code stride} pixels over images of {@code
   * shape}.
   */
  public PatchOcclusion(ImageShape shape, int patch, int stride, Fill fill) {
    if (patch < 1 || stride < 1) {
      throw new IllegalArgumentException(
          "patch and stride must be at least 1 pixel; got patch " + patch + ", stride " + stride);
    }
    if (stride > patch) {
      throw new IllegalArgumentException(
          "a stride of "
              + stride
              + " pixels is larger than the "
              + patch
              + "-pixel patch: pixels between patches would have no value");
    }
    if (patch > shape.height() || patch > shape.width()) {
      throw new IllegalArgumentException(
          "a patch of "
              + patch
              + "x"
              + patch
              + " pixels is larger than the "
              + shape.height()
              + "x"
              + shape.width()
              + " image");
    }
    this.shape = shape;
    this.patch = patch;
    this.stride = stride;
    this.fill = fill;
    this.ys = starts(shape.height(), patch, stride);
    this.xs = starts(shape.width(), patch, stride);
  }

  /** The patch's top (or left) edges along an axis of {@code n} pixels. */
  static int[] starts(int n, int patch, int stride) {
    int fitting = (n - patch) / stride + 1;
    boolean edge = (fitting - 1) * stride != n - patch;
    int[] s = new int[fitting + (edge ? 1 : 0)];
    for (int i = 0; i < fitting; i++) {
      s[i] = i * stride;
    }
    if (edge) {
      s[fitting] = n - patch;
    }
    return s;
  }

  /** The map's shape: one channel of the image's height and width. */
  public ImageShape mapShape() {
    return new ImageShape(1, shape.height(), shape.width());
  }

  @Override
  public int copies() {
    return ys.length * xs.length;
  }

  @Override
  public double[] fill(double[] x) {
    return fill.of(x);
  }

  @Override
  public void occlude(double[] x, double[] f, int k, double[] dest, int offset) {
    int h = shape.height();
    int w = shape.width();
    int y0 = ys[k / xs.length];
    int x0 = xs[k % xs.length];
    System.arraycopy(x, 0, dest, offset, shape.size());
    for (int c = 0; c < shape.channels(); c++) {
      for (int y = y0; y < y0 + patch; y++) {
        int from = c * h * w + y * w + x0;
        System.arraycopy(f, from, dest, offset + from, patch);
      }
    }
  }

  @Override
  public double[] map(double[] drops) {
    int h = shape.height();
    int w = shape.width();
    double[] sum = new double[h * w];
    int[] count = new int[h * w];
    int k = 0;
    for (int y0 : ys) {
      for (int x0 : xs) {
        double drop = drops[k++];
        for (int y = y0; y < y0 + patch; y++) {
          for (int x = x0; x < x0 + patch; x++) {
            sum[y * w + x] += drop;
            count[y * w + x]++;
          }
        }
      }
    }
    for (int p = 0; p < sum.length; p++) {
      sum[p] /= count[p];
    }
    return sum;
  }

  @Override
  public String toString() {
    return "occlusion(patch " + patch + ", stride " + stride + ")";
  }
}
