package io.trustlens.feature;

import java.io.Serializable;

/**
 * Feature slots that act as one player: a numeric column alone, or a one-hot block named after the
 * column it encodes.
 *
 * @param name the user's column name
 * @param slots positions in the feature vector, ascending
 */
public record FeatureGroup(String name, int[] slots) implements Serializable {}
