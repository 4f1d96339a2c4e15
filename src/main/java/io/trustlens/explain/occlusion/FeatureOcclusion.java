package io.trustlens.explain.occlusion;

import io.trustlens.feature.FeatureGroup;
import java.util.List;

/**
 * Occlusion of table features (leave-one-covariate-out; Zeiler and Fergus 2014, arXiv 1311.2901, on
 * tables): one copy per group (a column, or a one-hot block as one), its slots replaced by the
 * {@link Fill}'s values; the map holds one drop of the explained output per group, in group order.
 *
 * <p>For a model linear in its inputs, a group's value is exactly {@code sum over its slots of w_j
 * (x_j - fill_j)}.
 */
public final class FeatureOcclusion implements Occluder {
  private static final long serialVersionUID = 1L;

  private final List<FeatureGroup> groups;
  private final Fill fill;

  /** One copy per group of {@code groups}, its slots set to {@code fill}'s values. */
  public FeatureOcclusion(List<FeatureGroup> groups, Fill fill) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("feature occlusion needs at least one feature group");
    }
    this.groups = List.copyOf(groups);
    this.fill = fill;
  }

  @Override
  public int copies() {
    return groups.size();
  }

  @Override
  public double[] fill(double[] x) {
    return fill.of(x);
  }

  @Override
  public void occlude(double[] x, double[] f, int k, double[] dest, int offset) {
    System.arraycopy(x, 0, dest, offset, x.length);
    for (int slot : groups.get(k).slots()) {
      dest[offset + slot] = f[slot];
    }
  }

  @Override
  public double[] map(double[] drops) {
    return drops.clone();
  }

  @Override
  public String toString() {
    return "occlusion(" + groups.size() + " features)";
  }
}
