/**
 * Sanity checks for saliency maps (Adebayo et al. 2018, arXiv 1810.03292): does a method's map
 * change when the model's parameters are randomized layer by layer from the top (cascading
 * randomization), or when the model was trained on permuted labels (data randomization)? A method
 * whose maps stay alike explains the input more than the model. {@link
 * io.trustlens.explain.sanity.Similarity} holds the measures, {@link
 * io.trustlens.explain.sanity.CascadingRandomization} the re-initialisation, {@link
 * io.trustlens.explain.sanity.SanityChecks} runs the checks with one Spark task per model variant.
 */
package io.trustlens.explain.sanity;
