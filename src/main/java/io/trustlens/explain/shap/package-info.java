/**
 * Shapley values per row: exact over all coalitions, Kernel SHAP, antithetic permutations, closed
 * form for linear models and TreeSHAP for MLlib trees; Spark-free cores beside the Spark-facing
 * {@link io.trustlens.explain.shap.ShapExplainer}.
 */
package io.trustlens.explain.shap;
