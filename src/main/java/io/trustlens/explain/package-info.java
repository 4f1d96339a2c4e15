/**
 * Per-row explanations, one subpackage per family (shap, lime, occlusion, gradient, visualize,
 * sanity, example); each holds a Spark-facing Transformer beside a Spark-free core.
 */
package io.trustlens.explain;
