/**
 * Explanations by design: models whose structure is the explanation. {@link
 * io.trustlens.explain.design.LinearTerms} reads a linear or logistic regression's prediction as a
 * sum of per-feature terms.
 */
package io.trustlens.explain.design;
