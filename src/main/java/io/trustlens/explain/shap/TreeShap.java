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
  // inverse[k] = 1 / k: the recursion divides by small integers in its innermost loops.
  private final double[] inverse;
  // Per tree: the leaf tables of Fast TreeSHAP v2, or null where they would be too large.
  private final LeafTables[] tables;
  private long evaluations;

  /** Largest leaf table (weights) per tree; deeper trees use the recursion instead. */
  static final int MAX_TABLE = 1 << 20;

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
    inverse = new double[maxd + 2];
    for (int k = 1; k < inverse.length; k++) {
      inverse[k] = 1.0 / k;
    }
    tables = new LeafTables[ensemble.trees().length];
    for (int t = 0; t < tables.length; t++) {
      tables[t] = LeafTables.build(ensemble.trees()[t], this::pathWeights);
    }
  }

  /**
   * The weights {@code unwoundSum * (one - zero)} of a single root-to-leaf path whose unique
   * features have zero fractions {@code zero} and are satisfied where {@code satisfied} has a bit:
   * what Algorithm 2 computes at that leaf for such a row.
   */
  private double[] pathWeights(double[] zero, int satisfied) {
    int d = zero.length;
    extend(0, 0, 1, 1, -1);
    for (int i = 0; i < d; i++) {
      extend(0, i + 1, zero[i], (satisfied >> i) & 1, i);
    }
    double[] w = new double[d];
    for (int i = 1; i <= d; i++) {
      w[i - 1] = unwoundSum(0, d, i) * (pathOne[i] - pathZero[i]);
    }
    return w;
  }

  @Override
  public ShapleyResult[] explain(double[] x, long key) {
    int w = ensemble.outputs();
    int computed = computedOutputs();
    double[] output = new double[w];
    double[] phi = slotValues(x, output);
    evaluations += ensemble.trees().length;
    ShapleyResult[] results = new ShapleyResult[w];
    for (int k = 0; k < computed; k++) {
      double[] values = new double[groups.length];
      for (int g = 0; g < groups.length; g++) {
        for (int slot : groups[g]) {
          values[g] += phi[slot * computed + k];
        }
      }
      int out = k + firstOutput();
      results[out] = new ShapleyResult(values, expected[out], output[out]);
    }
    if (ensemble.mirrored()) {
      double[] negative = results[1].values().clone();
      for (int g = 0; g < negative.length; g++) {
        negative[g] = -negative[g];
      }
      results[0] = new ShapleyResult(negative, expected[0], output[0]);
    }
    return results;
  }

  /** A GBT's margin outputs are {@code [-m, m]}: only m is computed, its negation mirrors it. */
  private int computedOutputs() {
    return ensemble.mirrored() ? 1 : ensemble.outputs();
  }

  private int firstOutput() {
    return ensemble.mirrored() ? 1 : 0;
  }

  /** Per-slot values by Algorithm 2's recursion alone (no leaf tables), for cross-checks. */
  double[] recursiveSlotValues(double[] x) {
    double[] phi = new double[features * computedOutputs()];
    for (int t = 0; t < ensemble.trees().length; t++) {
      recurse(ensemble.trees()[t], ensemble.weights()[t], x, phi, 0, 0, 0, 1, 1, -1);
    }
    return phi;
  }

  /**
   * Per-slot values as {@link #explain} computes them, {@code phi[slot * computed + k]} for the
   * computed outputs (all, or the positive margin of a GBT).
   */
  double[] slotValues(double[] x) {
    return slotValues(x, new double[ensemble.outputs()]);
  }

  /** The same, adding the ensemble's outputs for {@code x} to {@code output}. */
  private double[] slotValues(double[] x, double[] output) {
    double[] phi = new double[features * computedOutputs()];
    for (int t = 0; t < ensemble.trees().length; t++) {
      TreeEnsemble.Tree tree = ensemble.trees()[t];
      if (tables[t] != null) {
        tables[t].add(
            tree,
            ensemble.weights()[t],
            x,
            phi,
            output,
            ensemble.outputs(),
            firstOutput(),
            computedOutputs());
      } else {
        recurse(tree, ensemble.weights()[t], x, phi, 0, 0, 0, 1, 1, -1);
        int leaf = tree.leaf(x);
        for (int k = 0; k < output.length; k++) {
          output[k] += ensemble.weights()[t] * tree.values()[leaf * output.length + k];
        }
      }
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
    if (tree.left()[node] < 0) {
      int stride = ensemble.outputs();
      int computed = computedOutputs();
      int value = node * stride + firstOutput();
      for (int i = 1; i <= depth; i++) {
        double scale =
            unwoundSum(start, depth, i) * (pathOne[start + i] - pathZero[start + i]) * treeWeight;
        int f = pathFeature[start + i] * computed;
        for (int k = 0; k < computed; k++) {
          phi[f + k] += scale * tree.values()[value + k];
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
    double scale = inverse[depth + 1];
    for (int i = depth - 1; i >= 0; i--) {
      pathWeight[s + i + 1] += one * pathWeight[s + i] * (i + 1) * scale;
      pathWeight[s + i] = zero * pathWeight[s + i] * (depth - i) * scale;
    }
  }

  private void unwind(int s, int depth, int index) {
    double one = pathOne[s + index];
    double zero = pathZero[s + index];
    double next = pathWeight[s + depth];
    // one is 0 or 1 on every path (a product of ones and zeros), so it never divides.
    double scale = inverse[depth + 1];
    double perZero = zero == 0 ? 0 : (depth + 1) / zero;
    for (int i = depth - 1; i >= 0; i--) {
      if (one != 0) {
        double tmp = pathWeight[s + i];
        pathWeight[s + i] = next * (depth + 1) * inverse[i + 1];
        next = tmp - pathWeight[s + i] * zero * (depth - i) * scale;
      } else {
        pathWeight[s + i] = pathWeight[s + i] * perZero * inverse[depth - i];
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
        double tmp = next * inverse[i + 1];
        total += tmp;
        next = pathWeight[s + i] - tmp * zero * (depth - i);
      }
    } else {
      for (int i = depth - 1; i >= 0; i--) {
        total += pathWeight[s + i] * inverse[depth - i];
      }
      total /= zero;
    }
    return total * (depth + 1);
  }

  @Override
  public long evaluations() {
    return evaluations;
  }
}
