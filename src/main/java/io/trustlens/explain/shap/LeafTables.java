package io.trustlens.explain.shap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fast TreeSHAP v2 (Yang 2021, arXiv 2109.09847) for one tree: a leaf's contribution depends on a
 * row only through which of its path's features the row satisfies (follows every split on), so the
 * contributions for every such pattern are computed once, and a row costs one pass over the tree
 * instead of the recursion's quadratic work per leaf.
 *
 * <p>Invariants: (1) {@code weights[weightStart[l] + pattern * d + i]} is feature {@code
 * feature[featureStart[l] + i]}'s weight at leaf {@code l} for a row whose satisfied features are
 * the bits of {@code pattern}; (2) {@code bit[n]} is the position of node n's feature among the
 * unique features of the path to n, the same for every leaf below n; (3) a tree whose tables would
 * pass {@link TreeShap#MAX_TABLE} values has none (the recursion serves it).
 */
final class LeafTables {
  /** Computes the weights of one path for one pattern (zero fractions per unique feature). */
  interface PathWeights {
    double[] of(double[] zero, int satisfied);
  }

  private final int[] leaf;
  private final int[] bit;
  private final int[] featureStart;
  private final int[] feature;
  private final int[] weightStart;
  private final double[] weights;
  private final int[] patternAt;

  private LeafTables(
      int[] leaf,
      int[] bit,
      int[] featureStart,
      int[] feature,
      int[] weightStart,
      double[] weights) {
    this.leaf = leaf;
    this.bit = bit;
    this.featureStart = featureStart;
    this.feature = feature;
    this.weightStart = weightStart;
    this.weights = weights;
    this.patternAt = new int[bit.length];
  }

  /** The tables of {@code tree}, or null when they would be too large. */
  static LeafTables build(TreeEnsemble.Tree tree, PathWeights pathWeights) {
    List<int[]> paths = new ArrayList<>();
    collect(tree, 0, new ArrayList<>(), paths);
    long size = 0;
    List<int[]> uniques = new ArrayList<>();
    for (int[] path : paths) {
      int[] unique = uniqueFeatures(tree, path);
      uniques.add(unique);
      size += ((long) unique.length) << unique.length;
    }
    if (size > TreeShap.MAX_TABLE) {
      return null;
    }
    int leaves = paths.size();
    int[] leaf = new int[leaves];
    int[] featureStart = new int[leaves + 1];
    int[] weightStart = new int[leaves + 1];
    int[] bit = new int[tree.left().length];
    Arrays.fill(bit, -1);
    List<Integer> features = new ArrayList<>();
    double[] weights = new double[(int) size];
    for (int l = 0; l < leaves; l++) {
      int[] path = paths.get(l);
      int[] unique = uniques.get(l);
      int d = unique.length;
      leaf[l] = path[path.length - 1];
      double[] zero = new double[d];
      Arrays.fill(zero, 1);
      for (int s = 0; s + 1 < path.length; s++) {
        int node = path[s];
        bit[node] = indexOf(unique, tree.feature()[node]);
        zero[bit[node]] *= tree.cover()[path[s + 1]] / tree.cover()[node];
      }
      for (int f : unique) {
        features.add(f);
      }
      featureStart[l + 1] = features.size();
      weightStart[l + 1] = weightStart[l] + (d << d);
      for (int pattern = 0; pattern < (1 << d); pattern++) {
        double[] w = pathWeights.of(zero, pattern);
        System.arraycopy(w, 0, weights, weightStart[l] + pattern * d, d);
      }
    }
    return new LeafTables(
        leaf,
        bit,
        featureStart,
        features.stream().mapToInt(Integer::intValue).toArray(),
        weightStart,
        weights);
  }

  /**
   * Adds the tree's contributions for row {@code x} to {@code phi[feature * count + k]}, for the
   * {@code count} outputs from {@code first} of leaves holding {@code stride} values each, and the
   * tree's weighted output to {@code output[k]} (all {@code stride} outputs).
   */
  void add(
      TreeEnsemble.Tree tree,
      double treeWeight,
      double[] x,
      double[] phi,
      double[] output,
      int stride,
      int first,
      int count) {
    int[] left = tree.left();
    int[] right = tree.right();
    // Nodes are stored parents first, so one pass hands every child its pattern: the parent's,
    // without the parent's feature on the side the row does not take.
    patternAt[0] = -1;
    for (int n = 0; n < left.length; n++) {
      if (left[n] >= 0) {
        int without = patternAt[n] & ~(1 << bit[n]);
        boolean goesLeft = tree.next(n, x) == left[n];
        patternAt[left[n]] = goesLeft ? patternAt[n] : without;
        patternAt[right[n]] = goesLeft ? without : patternAt[n];
      }
    }
    double[] values = tree.values();
    for (int l = 0; l < leaf.length; l++) {
      int d = featureStart[l + 1] - featureStart[l];
      int pattern = patternAt[leaf[l]] & ((1 << d) - 1);
      if (pattern == (1 << d) - 1) {
        // Every split on the path is followed: the row reaches this leaf.
        for (int k = 0; k < stride; k++) {
          output[k] += treeWeight * values[leaf[l] * stride + k];
        }
      }
      int base = weightStart[l] + pattern * d;
      int value = leaf[l] * stride + first;
      for (int i = 0; i < d; i++) {
        double w = weights[base + i] * treeWeight;
        int f = feature[featureStart[l] + i] * count;
        for (int k = 0; k < count; k++) {
          phi[f + k] += w * values[value + k];
        }
      }
    }
  }

  private static void collect(
      TreeEnsemble.Tree tree, int node, List<Integer> path, List<int[]> out) {
    path.add(node);
    if (tree.left()[node] < 0) {
      out.add(path.stream().mapToInt(Integer::intValue).toArray());
    } else {
      collect(tree, tree.left()[node], path, out);
      collect(tree, tree.right()[node], path, out);
    }
    path.remove(path.size() - 1);
  }

  private static int[] uniqueFeatures(TreeEnsemble.Tree tree, int[] path) {
    List<Integer> unique = new ArrayList<>();
    for (int s = 0; s + 1 < path.length; s++) {
      int f = tree.feature()[path[s]];
      if (!unique.contains(f)) {
        unique.add(f);
      }
    }
    return unique.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    throw new IllegalStateException("feature " + value + " is not on the path");
  }
}
