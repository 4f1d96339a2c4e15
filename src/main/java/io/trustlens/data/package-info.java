/**
 * Trust in the data itself: table profiles (counts, nulls, NaN, ranges), missing values, bias
 * across groups, drift.
 */
package io.trustlens.data;
