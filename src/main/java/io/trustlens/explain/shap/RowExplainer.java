package io.trustlens.explain.shap;

/** Explains one row at a time; one instance per task thread (it may keep scratch state). */
public interface RowExplainer {

  /**
   * The attributions of every model output for row {@code x}.
   *
   * @param key the row's key; random draws depend on (seed, key) only, never on partitioning
   */
  ShapleyResult[] explain(double[] x, long key);

  /** Model evaluations so far (rows scored), for efficiency figures. */
  long evaluations();
}
