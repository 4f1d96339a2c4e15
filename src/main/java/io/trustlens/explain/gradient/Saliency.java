package io.trustlens.explain.gradient;

import java.util.List;
import java.util.Locale;

/**
 * Vanilla gradient saliency (Simonyan et al. 2013, arXiv 1312.6034): the gradient of the explained
 * output with respect to the input at the row itself, as {@code absolute} |∂y/∂x| (the paper's
 * map), {@code signed} ∂y/∂x, or {@code input_x_gradient} x ⊙ ∂y/∂x (Shrikumar et al. 2016, arXiv
 * 1605.01713).
 *
 * <p>Invariant: one input per row, the row itself; the map has the input's size.
 */
public final class Saliency implements OneInputPerRow {
  /** The variants, the default first. */
  public static final List<String> VARIANTS = List.of("absolute", "signed", "input_x_gradient");

  private final String variant;

  /** Saliency in {@code variant}, one of {@link #VARIANTS}. */
  public Saliency(String variant) {
    if (!VARIANTS.contains(variant)) {
      throw new IllegalArgumentException(
          "saliency variant is '" + variant + "'; expected one of " + VARIANTS);
    }
    this.variant = variant;
  }

  @Override
  public Attribution attribute(
      double[] x, double[] output, int target, GradientBatch batch, int first) {
    double[] map = new double[x.length];
    for (int j = 0; j < x.length; j++) {
      double g = batch.gradient(first, j);
      map[j] =
          switch (variant) {
            case "absolute" -> Math.abs(g);
            case "signed" -> g;
            default -> x[j] * g;
          };
    }
    return Attribution.of(map, target, output[target]);
  }

  @Override
  public boolean differentiatesTheRow() {
    return true;
  }

  @Override
  public String toString() {
    return "saliency(" + variant.toLowerCase(Locale.ROOT) + ")";
  }
}
