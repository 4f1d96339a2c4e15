package io.trustlens.explain.shap;

import io.trustlens.feature.FeatureGroup;
import java.util.List;

/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2020, arXiv 1802.03888, Algorithm 2) on MLlib
 * decision trees, random forests and gradient-boosted trees: polynomial time, no sampling, no
 * background; "feature absent" follows both branches weighted by the training covers.
 *
 * <p>Invariants: (1) the values of a row add up to the ensemble's raw output minus its
 * cover-weighted mean ({@link TreeEnsemble#expected()}); (2) the path arrays of one call are owned
 * by this instance, so use one instance per thread; (3) a group's value is the sum of its slots.
 */
public final class TreeShap implements RowExplainer {
  private final TreeEnsemble ensemble;
  private final int[][] groups;
  private final int features;
  private final double[] expected;
  // Path storage for the recursion: one segment per depth, as in the reference implementation.
  private final int[] pathFeature;
  private final double[] pathZero;
  private final double[] pathOne;
  private final double[] pathWeight;
  private long evaluations;

  /**
   * TreeSHAP for {@code ensemble} over rows of {@code features} values, grouped by {@code groups}.
   */
  public TreeShap(TreeEnsemble ensemble, int features, List<FeatureGroup> groups) {
    this.ensemble = ensemble;
    this.features = features;
    this.groups = groups.stream().map(FeatureGroup::slots).toArray(int[][]::new);
    this.expected = ensemble.expected();
    int depth = 0;
    for (TreeEnsemble.Tree t : ensemble.trees()) {
      depth = Math.max(depth, t.depth());
    }
    int maxd = depth + 2;
    int size = maxd * (maxd + 1) / 2 + maxd;
    pathFeature = new int[size];
    pathZero = new double[size];
    pathOne = new double[size];
    pathWeight = new double[size];
  }

  @Override
  public ShapleyResult[] explain(double[] x, long key) {
    int w = ensemble.outputs();
    double[] phi = new double[features * w];
    for (int t = 0; t < ensemble.trees().length; t++) {
      TreeEnsemble.Tree tree = ensemble.trees()[t];
      recurse(tree, ensemble.weights()[t], x, phi, 0, 0, 0, 1, 1, -1);
    }
    evaluations += ensemble.trees().length;
    double[] output = ensemble.predict(x);
    ShapleyResult[] results = new ShapleyResult[w];
    for (int k = 0; k < w; k++) {
      double[] values = new double[groups.length];
      for (int g = 0; g < groups.length; g++) {
        for (int slot : groups[g]) {
          values[g] += phi[slot * w + k];
        }
      }
      results[k] = new ShapleyResult(values, expected[k], output[k]);
    }
    return results;
  }

  /** Per-slot values of every output, {@code phi[slot * outputs + k]}, without grouping. */
  double[] slotValues(double[] x) {
    int w = ensemble.outputs();
    double[] phi = new double[features * w];
    for (int t = 0; t < ensemble.trees().length; t++) {
      recurse(ensemble.trees()[t], ensemble.weights()[t], x, phi, 0, 0, 0, 1, 1, -1);
    }
    return phi;
  }

  private void recurse(
      TreeEnsemble.Tree tree,
      double treeWeight,
      double[] x,
      double[] phi,
      int node,
      int parentStart,
      int depth,
      double parentZero,
      double parentOne,
      int parentFeature) {
    // This node's path lives right after its parent's; copy the parent's elements 0..depth-1.
    int start = parentStart + depth;
    if (depth > 0) {
      System.arraycopy(pathFeature, parentStart, pathFeature, start, depth);
      System.arraycopy(pathZero, parentStart, pathZero, start, depth);
      System.arraycopy(pathOne, parentStart, pathOne, start, depth);
      System.arraycopy(pathWeight, parentStart, pathWeight, start, depth);
    }
    extend(start, depth, parentZero, parentOne, parentFeature);
    int w = ensemble.outputs();
    if (tree.left()[node] < 0) {
      for (int i = 1; i <= depth; i++) {
        double scale =
            unwoundSum(start, depth, i) * (pathOne[start + i] - pathZero[start + i]) * treeWeight;
        int f = pathFeature[start + i] * w;
        for (int k = 0; k < w; k++) {
          phi[f + k] += scale * tree.values()[node * w + k];
        }
      }
      return;
    }
    int split = tree.feature()[node];
    int hot = tree.next(node, x);
    int cold = hot == tree.left()[node] ? tree.right()[node] : tree.left()[node];
    double cover = tree.cover()[node];
    double incomingZero = 1;
    double incomingOne = 1;
    int k = 0;
    while (k <= depth && pathFeature[start + k] != split) {
      k++;
    }
    int d = depth;
    if (k <= depth) {
      // The feature was split on higher up: undo that split and redo it here.
      incomingZero = pathZero[start + k];
      incomingOne = pathOne[start + k];
      unwind(start, d, k);
      d--;
    }
    recurse(
        tree,
        treeWeight,
        x,
        phi,
        hot,
        start,
        d + 1,
        tree.cover()[hot] / cover * incomingZero,
        incomingOne,
        split);
    recurse(
        tree,
        treeWeight,
        x,
        phi,
        cold,
        start,
        d + 1,
        tree.cover()[cold] / cover * incomingZero,
        0,
        split);
  }

  private void extend(int s, int depth, double zero, double one, int feature) {
    pathFeature[s + depth] = feature;
    pathZero[s + depth] = zero;
    pathOne[s + depth] = one;
    pathWeight[s + depth] = depth == 0 ? 1 : 0;
    for (int i = depth - 1; i >= 0; i--) {
      pathWeight[s + i + 1] += one * pathWeight[s + i] * (i + 1) / (depth + 1);
      pathWeight[s + i] = zero * pathWeight[s + i] * (depth - i) / (depth + 1);
    }
  }

  private void unwind(int s, int depth, int index) {
    double one = pathOne[s + index];
    double zero = pathZero[s + index];
    double next = pathWeight[s + depth];
    for (int i = depth - 1; i >= 0; i--) {
      if (one != 0) {
        double tmp = pathWeight[s + i];
        pathWeight[s + i] = next * (depth + 1) / ((i + 1) * one);
        next = tmp - pathWeight[s + i] * zero * (depth - i) / (depth + 1);
      } else {
        pathWeight[s + i] = pathWeight[s + i] * (depth + 1) / (zero * (depth - i));
      }
    }
    for (int i = index; i < depth; i++) {
      pathFeature[s + i] = pathFeature[s + i + 1];
      pathZero[s + i] = pathZero[s + i + 1];
      pathOne[s + i] = pathOne[s + i + 1];
    }
  }

  private double unwoundSum(int s, int depth, int index) {
    double one = pathOne[s + index];
    double zero = pathZero[s + index];
    double next = pathWeight[s + depth];
    double total = 0;
    if (one != 0) {
      for (int i = depth - 1; i >= 0; i--) {
        double tmp = next / ((i + 1) * one);
        total += tmp;
        next = pathWeight[s + i] - tmp * zero * (depth - i);
      }
    } else {
      for (int i = depth - 1; i >= 0; i--) {
        total += pathWeight[s + i] / (zero * (depth - i));
      }
    }
    return total * (depth + 1);
  }

  @Override
  public long evaluations() {
    return evaluations;
  }
}
