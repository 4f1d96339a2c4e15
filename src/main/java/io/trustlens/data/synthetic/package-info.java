/**
 * Deterministic generators of data whose truth is known (coefficients, deciding image regions,
 * salary words), written beside the data for tests of explanations.
 */
package io.trustlens.data.synthetic;
