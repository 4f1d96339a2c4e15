package io.trustlens.explain.visualize;

import java.io.Serializable;

/**
 * What a picture maximizes: output {@code index} of the model (a class logit), or the mean
 * activation of channel {@code index} of the exported layer {@code layer}.
 *
 * @param layer the layer whose {@code layer_activations(x)} the module exports, or null for an
 *     output
 * @param index the output or the channel
 * @param name how the user named it ({@code top_left}, {@code conv2:3})
 */
public record Target(String layer, int index, String name) implements Serializable {

  /** Whether the target is one of the model's outputs. */
  public boolean isOutput() {
    return layer == null;
  }
}
