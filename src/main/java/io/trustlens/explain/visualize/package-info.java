/**
 * Pictures of what a network responds to: {@link
 * io.trustlens.explain.visualize.ActivationMaximization} ascends the gradient of a class logit or
 * of a unit of an exported layer with respect to the input, and {@link
 * io.trustlens.explain.visualize.Visualizer} runs many targets at once on the executors.
 */
package io.trustlens.explain.visualize;
