package io.trustlens.explain.occlusion;

/**
 * A row's occlusion map.
 *
 * @param values the drop of the explained output per map entry (pixel, feature group or word):
 *     positive where occluding lowers the output
 * @param target the output explained
 * @param output the explained output at the row itself
 */
public record OcclusionMap(double[] values, int target, double output) {}
