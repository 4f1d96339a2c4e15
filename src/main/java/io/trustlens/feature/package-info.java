/**
 * Feature spaces: how numeric columns, a vector column, image arrays or text become the features a
 * model scores, with the user's names and groups (a one-hot block is one group).
 */
package io.trustlens.feature;
