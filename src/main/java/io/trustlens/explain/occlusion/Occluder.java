package io.trustlens.explain.occlusion;

import java.io.Serializable;

/**
 * One occlusion method on numeric inputs, Spark-free: the occluded copies of a row, and how the
 * drops of the explained output at those copies become the row's map. The model is called by {@link
 * OcclusionBatches}, the copies of many rows at once.
 *
 * <p>Invariant: the copies of a row depend on the row alone, so its map depends on the row, the
 * model and the target alone, never on the rows it is batched with.
 */
public interface Occluder extends Serializable {

  /** Occluded copies per row. */
  int copies();

  /** What occluded values of row {@code x} become (its fill), computed once per row. */
  double[] fill(double[] x);

  /**
   * Writes copy {@code k} of row {@code x}, occluded with the row's {@code fill}, into {@code dest}
   * from {@code offset}.
   */
  void occlude(double[] x, double[] fill, int k, double[] dest, int offset);

  /** The row's map from the drops of the explained output, {@code drops[k] = f(x) - f(copy k)}. */
  double[] map(double[] drops);
}
