package io.trustlens.explain.shap;

import io.trustlens.feature.FeatureGroup;
import java.util.List;

/**
 * Exact interventional TreeSHAP (Lundberg et al. 2020, arXiv 1802.03888, "Independent TreeSHAP"):
 * the Shapley values of {@code v(S) = E_b f(x_S, b_rest)} over a background, computed for each
 * background row by walking the tree with x and b together. Where they part, a feature is taken
 * either from x or from b; a leaf reached with x-features P and b-features N adds {@code value *
 * |P|-1)! |N|! / (|P|+|N|)!} to each of P and subtracts {@code value * |P|! (|N|-1)! / (|P|+|N|)!}
 * from each of N.
 *
 * <p>Invariants: (1) the values add up to the ensemble's raw output minus its mean over the
 * background; (2) a feature met again below a parting keeps the side chosen there.
 */
public final class InterventionalTreeShap implements RowExplainer {
  private final TreeEnsemble ensemble;
  private final Background background;
  private final int[][] groups;
  private final int features;
  private final double[] expected;
  // side[f]: 0 undecided, 1 taken from x, 2 taken from b; scratch for one walk.
  private final byte[] side;
  private final double[] weight;
  private long evaluations;

  /** Interventional TreeSHAP for {@code ensemble} against {@code background}. */
  public InterventionalTreeShap(
      TreeEnsemble ensemble, Background background, List<FeatureGroup> groups) {
    this.ensemble = ensemble;
    this.background = background;
    this.features = background.features();
    this.groups = groups.stream().map(FeatureGroup::slots).toArray(int[][]::new);
    this.side = new byte[features];
    this.expected = new double[ensemble.outputs()];
    double[] row = new double[features];
    for (int b = 0; b < background.size(); b++) {
      System.arraycopy(background.rows(), b * features, row, 0, features);
      double[] out = ensemble.predict(row);
      for (int k = 0; k < out.length; k++) {
        expected[k] += background.weights()[b] * out[k];
      }
    }
    // weight[p * (features + 1) + n] = p! n! / (p + n + 1)!
    weight = new double[(features + 1) * (features + 1)];
    for (int p = 0; p <= features; p++) {
      for (int n = 0; p + n <= features; n++) {
        double w = 1.0 / (p + n + 1);
        for (int i = 1; i <= n; i++) {
          w *= (double) i / (p + i);
        }
        weight[p * (features + 1) + n] = w;
      }
    }
  }

  @Override
  public ShapleyResult[] explain(double[] x, long key) {
    int w = ensemble.outputs();
    double[] phi = new double[features * w];
    double[] b = new double[features];
    for (int r = 0; r < background.size(); r++) {
      System.arraycopy(background.rows(), r * features, b, 0, features);
      double rowWeight = background.weights()[r];
      for (int t = 0; t < ensemble.trees().length; t++) {
        walk(ensemble.trees()[t], rowWeight * ensemble.weights()[t], x, b, phi, 0, 0, 0);
      }
      evaluations++;
    }
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

  /** Walks x and b down together; {@code p} and {@code n} count x- and b-features so far. */
  private void walk(
      TreeEnsemble.Tree tree,
      double scale,
      double[] x,
      double[] b,
      double[] phi,
      int node,
      int p,
      int n) {
    int w = ensemble.outputs();
    if (tree.left()[node] < 0) {
      if (p + n == 0) {
        return; // x and b reach the same leaf: no feature makes a difference
      }
      double plus = p > 0 ? weight[(p - 1) * (features + 1) + n] : 0;
      double minus = n > 0 ? weight[p * (features + 1) + n - 1] : 0;
      for (int f = 0; f < features; f++) {
        double c = side[f] == 1 ? plus : side[f] == 2 ? -minus : 0;
        if (c != 0) {
          for (int k = 0; k < w; k++) {
            phi[f * w + k] += scale * c * tree.values()[node * w + k];
          }
        }
      }
      return;
    }
    int f = tree.feature()[node];
    int viaX = tree.next(node, x);
    int viaB = tree.next(node, b);
    if (side[f] == 1) {
      walk(tree, scale, x, b, phi, viaX, p, n);
    } else if (side[f] == 2) {
      walk(tree, scale, x, b, phi, viaB, p, n);
    } else if (viaX == viaB) {
      walk(tree, scale, x, b, phi, viaX, p, n);
    } else {
      side[f] = 1;
      walk(tree, scale, x, b, phi, viaX, p + 1, n);
      side[f] = 2;
      walk(tree, scale, x, b, phi, viaB, p, n + 1);
      side[f] = 0;
    }
  }

  @Override
  public long evaluations() {
    return evaluations;
  }
}
