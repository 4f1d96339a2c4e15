package io.trustlens.explain.gradient;

import io.trustlens.feature.ImageShape;
import io.trustlens.model.DifferentiableModel;

/**
 * Grad-CAM (Selvaraju et al. 2017, arXiv 1610.02391): with {@code A_k} the {@code K} feature maps
 * of a convolutional layer and {@code α_k} the spatial mean of {@code ∂y_c/∂A_k}, the map is {@code
 * ReLU(Σ_k α_k A_k)} on the layer's grid, resized to the input's height and width by bilinear
 * interpolation (pixel centres aligned, edges clamped, as {@code F.interpolate(...,
 * align_corners=False)}).
 *
 * <p>Invariants: one input per row; the map has {@code H × W} values (one channel), all ≥ 0.
 */
public final class GradCam implements OneInputPerRow {
  private final String layer;
  private final ImageShape input;

  /** Grad-CAM of the layer {@code layer} for images of {@code input}'s shape. */
  public GradCam(String layer, ImageShape input) {
    this.layer = layer;
    this.input = input;
  }

  /** Values per row's map: the input's height times width. */
  public int mapSize() {
    return input.height() * input.width();
  }

  /** One channel: the map is a weighted sum of the layer's feature maps. */
  @Override
  public int mapChannels(ImageShape image) {
    return 1;
  }

  @Override
  public GradientBatch differentiate(
      DifferentiableModel model, double[] inputs, int count, int[] targets) {
    DifferentiableModel.LayerGradients g = model.layerGradients(layer, inputs, count, targets);
    if (g.shape().length != 3) {
      throw new IllegalArgumentException(
          "Grad-CAM needs a convolutional layer's activations (channels, height, width); "
              + layer
              + " gives "
              + java.util.Arrays.toString(g.shape()));
    }
    int width = g.shape()[0] * g.shape()[1] * g.shape()[2];
    return new GradientBatch(
        g.outputs(), g.gradients(), g.outputWidth(), width, g.activations(), g.shape());
  }

  @Override
  public Attribution attribute(
      double[] x, double[] output, int target, GradientBatch batch, int first) {
    int k = batch.layerShape()[0];
    int h = batch.layerShape()[1];
    int w = batch.layerShape()[2];
    double[] cam = new double[h * w];
    for (int c = 0; c < k; c++) {
      double alpha = 0;
      for (int p = 0; p < h * w; p++) {
        alpha += batch.gradient(first, c * h * w + p);
      }
      alpha /= h * w;
      for (int p = 0; p < h * w; p++) {
        cam[p] += alpha * batch.activation(first, c * h * w + p);
      }
    }
    for (int p = 0; p < cam.length; p++) {
      cam[p] = Math.max(0, cam[p]);
    }
    return Attribution.of(resize(cam, h, w, input.height(), input.width()), target, output[target]);
  }

  /** Bilinear resize with pixel centres aligned ({@code align_corners=False}). */
  static double[] resize(double[] map, int h, int w, int outH, int outW) {
    double[] out = new double[outH * outW];
    for (int y = 0; y < outH; y++) {
      double sy = Math.max(0, (y + 0.5) * h / outH - 0.5);
      int y0 = Math.min(h - 1, (int) Math.floor(sy));
      int y1 = Math.min(h - 1, y0 + 1);
      double fy = sy - y0;
      for (int x = 0; x < outW; x++) {
        double sx = Math.max(0, (x + 0.5) * w / outW - 0.5);
        int x0 = Math.min(w - 1, (int) Math.floor(sx));
        int x1 = Math.min(w - 1, x0 + 1);
        double fx = sx - x0;
        double top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
        double bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
        out[y * outW + x] = top * (1 - fy) + bottom * fy;
      }
    }
    return out;
  }
}
