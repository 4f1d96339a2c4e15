package io.trustlens.feature;

/** A separable Gaussian blur of channel-major images ({@code C × H × W}), edges clamped. */
public final class GaussianBlur {
  private GaussianBlur() {}

  public static double[] apply(double[] image, int channels, int height, int width, double sigma) {
    if (image.length != channels * height * width) {
      throw new IllegalArgumentException(
          "an image of "
              + channels
              + "x"
              + height
              + "x"
              + width
              + " has "
              + channels * height * width
              + " values; the input has "
              + image.length);
    }
    int radius = (int) Math.ceil(3 * sigma);
    double[] kernel = new double[2 * radius + 1];
    double total = 0;
    for (int k = -radius; k <= radius; k++) {
      kernel[k + radius] = Math.exp(-0.5 * k * k / (sigma * sigma));
      total += kernel[k + radius];
    }
    for (int k = 0; k < kernel.length; k++) {
      kernel[k] /= total;
    }
    double[] rows = new double[image.length];
    double[] out = new double[image.length];
    for (int c = 0; c < channels; c++) {
      int plane = c * height * width;
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          double s = 0;
          for (int k = -radius; k <= radius; k++) {
            int xx = Math.min(width - 1, Math.max(0, x + k));
            s += kernel[k + radius] * image[plane + y * width + xx];
          }
          rows[plane + y * width + x] = s;
        }
      }
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          double s = 0;
          for (int k = -radius; k <= radius; k++) {
            int yy = Math.min(height - 1, Math.max(0, y + k));
            s += kernel[k + radius] * rows[plane + yy * width + x];
          }
          out[plane + y * width + x] = s;
        }
      }
    }
    return out;
  }
}
