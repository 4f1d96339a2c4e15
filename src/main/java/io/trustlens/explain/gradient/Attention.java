package io.trustlens.explain.gradient;

import io.trustlens.explain.attention.AttentionMaps;
import io.trustlens.feature.ImageShape;
import io.trustlens.model.DifferentiableModel;
import java.util.List;

/**
 * Attention maps of a Vision Transformer that exports {@code attention(x)}, run by the gradient
 * machinery (one input per row, many rows per call): {@code attention_rollout} (Abnar and Zuidema
 * 2020, arXiv 2005.00928) or {@code class_attention} (the last layer's class-token attention per
 * head), each on the image's pixels ({@link AttentionMaps}). The maps do not depend on the class: a
 * row's explained output is recorded beside them, as for the other methods.
 */
public final class Attention implements OneInputPerRow {
  /** The attention methods. */
  public static final List<String> METHODS = List.of("attention_rollout", "class_attention");

  private final boolean rollout;
  private final ImageShape image;
  private final int gridHeight;
  private final int gridWidth;
  private final int heads;

  /**
   * @param method one of {@link #METHODS}
   * @param grid the patch grid's height and width (the card's {@code attention_grid})
   * @param heads attention heads per layer (the card's {@code attention_heads})
   */
  public Attention(String method, ImageShape image, int[] grid, int heads) {
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("attention method '" + method + "'; expected " + METHODS);
    }
    this.rollout = method.equals("attention_rollout");
    this.image = image;
    this.gridHeight = grid[0];
    this.gridWidth = grid[1];
    this.heads = heads;
    AttentionMaps.requireTiling(gridHeight, gridWidth, image.height(), image.width());
  }

  /** Maps per row: 1 for the rollout, one per head for the class-token attention. */
  @Override
  public int mapChannels(ImageShape image) {
    return rollout ? 1 : heads;
  }

  @Override
  public GradientBatch differentiate(
      DifferentiableModel model, double[] inputs, int count, int[] targets) {
    DifferentiableModel.Attention a = model.attention(inputs, count);
    int[] s = a.shape();
    if (s[1] != heads || s[2] != 1 + gridHeight * gridWidth) {
      throw new IllegalArgumentException(
          model.info().location()
              + " gives "
              + s[1]
              + " heads and "
              + s[2]
              + " tokens; its card says "
              + heads
              + " heads and a "
              + gridHeight
              + "x"
              + gridWidth
              + " grid (1 + "
              + gridHeight * gridWidth
              + " tokens)");
    }
    int width = s[0] * s[1] * s[2] * s[3];
    return new GradientBatch(a.outputs(), a.weights(), a.outputWidth(), width, null, s);
  }

  @Override
  public Attribution attribute(
      double[] x, double[] output, int target, GradientBatch batch, int first) {
    int[] s = batch.layerShape();
    int offset = first * batch.width();
    double[] grid =
        rollout
            ? AttentionMaps.rollout(batch.gradients(), offset, s[0], s[1], s[2])
            : AttentionMaps.classAttention(batch.gradients(), offset, s[0], s[1], s[2]);
    double[] map =
        AttentionMaps.onPixels(
            grid, mapChannels(image), gridHeight, gridWidth, image.height(), image.width());
    return Attribution.of(map, target, output[target]);
  }

  @Override
  public String toString() {
    return rollout ? "attention_rollout" : "class_attention";
  }
}
