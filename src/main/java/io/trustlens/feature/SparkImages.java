package io.trustlens.feature;

import org.apache.spark.sql.Row;

/**
 * Reads a row of Spark's image data source (struct of origin, height, width, nChannels, mode, data
 * with bytes in OpenCV's BGR, row-major, channel-interleaved order) into channel-major RGB values
 * 0..255.
 */
public final class SparkImages {
  private SparkImages() {}

  /** The shape of an image struct. */
  public static ImageShape shapeOf(Row image) {
    return new ImageShape(
        image.getInt(image.fieldIndex("nChannels")),
        image.getInt(image.fieldIndex("height")),
        image.getInt(image.fieldIndex("width")));
  }

  /** Writes the image's values, channel-major RGB (or grey), to {@code dest} at {@code offset}. */
  public static void read(Row image, double[] dest, int offset) {
    ImageShape s = shapeOf(image);
    byte[] data = image.getAs("data");
    int c = s.channels();
    int plane = s.height() * s.width();
    for (int p = 0; p < plane; p++) {
      for (int k = 0; k < c; k++) {
        // BGR(A) storage: channel k of RGB(A) sits at position (2 - k) for the colour channels.
        int stored = c >= 3 && k < 3 ? 2 - k : k;
        dest[offset + k * plane + p] = data[p * c + stored] & 0xff;
      }
    }
  }
}
