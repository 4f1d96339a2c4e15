/**
 * Gradient attributions of differentiable models (TorchScript): saliency, SmoothGrad and Integrated
 * Gradients. {@link io.trustlens.explain.gradient.GradientMethod} is each method's Spark-free core
 * (which inputs to differentiate, how to combine their gradients), {@link
 * io.trustlens.explain.gradient.GradientBatches} scores many rows' inputs in one model call, and
 * {@link io.trustlens.explain.gradient.GradientExplainer} is the Spark stage.
 */
package io.trustlens.explain.gradient;
