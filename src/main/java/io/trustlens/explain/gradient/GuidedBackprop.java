package io.trustlens.explain.gradient;

import io.trustlens.model.DifferentiableModel;
import java.util.List;

/**
 * Guided backpropagation (Springenberg et al. 2014, arXiv 1412.6806): the gradient of the explained
 * output by the input with every ReLU passing back only positive gradients, and only where its
 * input was positive. The model computes the map itself ({@code guided_backprop} exported by the
 * TorchScript module), since the backward rule of its ReLUs changes.
 *
 * <p>Invariant: one input per row, the row itself; {@code signed} keeps the map's sign, {@code
 * absolute} takes |value|.
 */
public final class GuidedBackprop implements OneInputPerRow {
  /** The variants, the default first. */
  public static final List<String> VARIANTS = List.of("signed", "absolute");

  private final boolean absolute;

  /** Guided backpropagation in {@code variant}, one of {@link #VARIANTS}. */
  public GuidedBackprop(String variant) {
    if (!VARIANTS.contains(variant)) {
      throw new IllegalArgumentException(
          "guided_backprop variant is '" + variant + "'; expected one of " + VARIANTS);
    }
    this.absolute = variant.equals("absolute");
  }

  @Override
  public GradientBatch differentiate(
      DifferentiableModel model, double[] inputs, int count, int[] targets) {
    DifferentiableModel.Gradients g = model.guidedGradients(inputs, count, targets);
    return new GradientBatch(g.outputs(), g.gradients(), g.outputWidth(), model.info().inputSize());
  }

  @Override
  public Attribution attribute(
      double[] x, double[] output, int target, GradientBatch batch, int first) {
    double[] map = new double[x.length];
    for (int j = 0; j < x.length; j++) {
      double g = batch.gradient(first, j);
      map[j] = absolute ? Math.abs(g) : g;
    }
    return Attribution.of(map, target, output[target]);
  }
}
