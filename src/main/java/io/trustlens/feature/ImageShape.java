package io.trustlens.feature;

import java.io.Serializable;

/**
 * The (channels, height, width) layout of an image held as a flat array, channel-major.
 *
 * @param channels colour channels (1 for grey, 3 for RGB)
 * @param height rows of pixels
 * @param width columns of pixels
 */
public record ImageShape(int channels, int height, int width) implements Serializable {

  /** Parses {@code C,H,W} such as {@code 1,8,8}. */
  public static ImageShape parse(String text) {
    String[] parts = text.split(",");
    if (parts.length != 3) {
      throw new IllegalArgumentException("an image shape is C,H,W (such as 3,224,224): " + text);
    }
    try {
      ImageShape s =
          new ImageShape(
              Integer.parseInt(parts[0].trim()),
              Integer.parseInt(parts[1].trim()),
              Integer.parseInt(parts[2].trim()));
      if (s.channels() <= 0 || s.height() <= 0 || s.width() <= 0) {
        throw new IllegalArgumentException("image dimensions must be positive: " + text);
      }
      return s;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("an image shape is C,H,W (such as 3,224,224): " + text);
    }
  }

  /** Values in one image. */
  public int size() {
    return channels * height * width;
  }

  /** The shape as an array, for a model's input. */
  public int[] toArray() {
    return new int[] {channels, height, width};
  }
}
