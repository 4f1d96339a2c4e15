package io.trustlens.explain.design;

import io.trustlens.explain.shap.TreeEnsemble;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * An MLlib tree's decision paths as readable rules (explanation by design: a tree is its rules), in
 * the user's words: the slots of a one-hot block read as {@code region = south} or {@code region ∉
 * {north, east}}, several splits on one numeric feature merge into {@code 30 < age ≤ 45},
 * categorical splits list their labels. A rule ends in its leaf's outcome and training cover: for a
 * classification tree the class with the leaf's largest share and that share ({@code p}), for a
 * regression tree its value, for a GBT's tree what it adds to the margin; {@code n} is the leaf's
 * training count (MLlib's impurity statistics).
 *
 * <p>Invariant: a row's rule is the path of the leaf the tree sends it to, so the outcome is the
 * tree's prediction for the row.
 */
public final class TreeRules implements Serializable {
  private static final long serialVersionUID = 1L;

  private final TreeEnsemble ensemble;
  private final List<String> slots;
  private final List<String> outputs;
  private final String[][] labels;
  private final int[][] parents;
  private final Map<Long, String> cache = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The rules of {@code ensemble} over feature slots named {@code slots} (a one-hot slot as {@code
   * column=value}), its outputs named {@code outputs}.
   *
   * @param labels per slot, the labels of a categorical feature's values (its index i labelled
   *     {@code labels[slot][i]}), or null
   */
  public TreeRules(
      TreeEnsemble ensemble, List<String> slots, List<String> outputs, String[][] labels) {
    this.ensemble = ensemble;
    this.slots = List.copyOf(slots);
    this.outputs = List.copyOf(outputs);
    this.labels = labels == null ? new String[slots.size()][] : labels.clone();
    parents = new int[ensemble.trees().length][];
    for (int t = 0; t < parents.length; t++) {
      TreeEnsemble.Tree tree = ensemble.trees()[t];
      int[] p = new int[tree.left().length];
      p[0] = -1;
      for (int n = 0; n < p.length; n++) {
        if (tree.left()[n] >= 0) {
          p[tree.left()[n]] = n;
          p[tree.right()[n]] = n;
        }
      }
      parents[t] = p;
    }
  }

  /** The number of trees. */
  public int trees() {
    return parents.length;
  }

  /** The leaf of tree {@code t} that row {@code x} reaches. */
  public int leaf(int t, double[] x) {
    return ensemble.trees()[t].leaf(x);
  }

  /** The training count of node {@code n} of tree {@code t}. */
  public double cover(int t, int n) {
    return ensemble.trees()[t].cover()[n];
  }

  /** The rule of leaf {@code leaf} of tree {@code t}: its conditions, then its outcome. */
  public String rule(int t, int leaf) {
    return cache.computeIfAbsent(
        ((long) t << 32) | leaf, k -> conditions(t, leaf) + " → " + outcome(t, leaf));
  }

  /** The conditions on the path from the root to {@code leaf}, merged per feature. */
  public String conditions(int t, int leaf) {
    TreeEnsemble.Tree tree = ensemble.trees()[t];
    List<Integer> path = new ArrayList<>();
    for (int n = leaf; n > 0; n = parents[t][n]) {
      path.add(0, n);
    }
    Map<Integer, double[]> bounds = new LinkedHashMap<>(); // slot -> {low, high}
    Map<Integer, TreeSet<Double>> inside = new LinkedHashMap<>();
    Map<Integer, TreeSet<Double>> outside = new LinkedHashMap<>();
    for (int child : path) {
      int n = parents[t][child];
      int slot = tree.feature()[n];
      boolean left = tree.left()[n] == child;
      double[] cats = tree.categories()[n];
      if (cats == null) {
        double[] b =
            bounds.computeIfAbsent(
                slot, s -> new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY});
        if (left) {
          b[1] = Math.min(b[1], tree.threshold()[n]);
        } else {
          b[0] = Math.max(b[0], tree.threshold()[n]);
        }
      } else {
        TreeSet<Double> set = new TreeSet<>();
        for (double c : cats) {
          set.add(c);
        }
        if (left) {
          inside.merge(
              slot,
              set,
              (a, b) -> {
                a.retainAll(b);
                return a;
              });
        } else {
          outside.merge(
              slot,
              set,
              (a, b) -> {
                a.addAll(b);
                return a;
              });
        }
      }
    }
    Map<String, List<String>> equal = new LinkedHashMap<>(); // one-hot column -> values it is
    Map<String, List<String>> unequal = new LinkedHashMap<>(); // ... values it is not
    List<String> parts = new ArrayList<>();
    for (var e : bounds.entrySet()) {
      String name = slots.get(e.getKey());
      double low = e.getValue()[0];
      double high = e.getValue()[1];
      int at = name.indexOf('=');
      if (at > 0 && low >= 0 && low < 1 && high == Double.POSITIVE_INFINITY) {
        equal
            .computeIfAbsent(name.substring(0, at), k -> new ArrayList<>())
            .add(name.substring(at + 1));
        parts.add("\u0000" + name.substring(0, at));
      } else if (at > 0 && high >= 0 && high < 1 && low == Double.NEGATIVE_INFINITY) {
        unequal
            .computeIfAbsent(name.substring(0, at), k -> new ArrayList<>())
            .add(name.substring(at + 1));
        parts.add("\u0000" + name.substring(0, at));
      } else if (low == Double.NEGATIVE_INFINITY) {
        parts.add(name + " ≤ " + number(high));
      } else if (high == Double.POSITIVE_INFINITY) {
        parts.add(name + " > " + number(low));
      } else {
        parts.add(number(low) + " < " + name + " ≤ " + number(high));
      }
    }
    for (var e : inside.entrySet()) {
      if (!oneHot(e.getKey(), e.getValue(), true, equal, unequal, parts)) {
        parts.add(set(e.getKey(), e.getValue(), "="));
      }
    }
    for (var e : outside.entrySet()) {
      if (!inside.containsKey(e.getKey())
          && !oneHot(e.getKey(), e.getValue(), false, equal, unequal, parts)) {
        parts.add(set(e.getKey(), e.getValue(), "≠"));
      }
    }
    List<String> text = new ArrayList<>();
    for (String p : parts) {
      if (!p.startsWith("\u0000")) {
        text.add(p);
        continue;
      }
      String column = p.substring(1);
      if (text.stream().anyMatch(s -> s.startsWith(column + " "))) {
        continue; // this one-hot column is already written
      }
      if (equal.containsKey(column)) {
        text.add(column + " = " + equal.get(column).get(0));
      } else {
        List<String> not = unequal.get(column);
        text.add(
            not.size() == 1
                ? column + " ≠ " + not.get(0)
                : column + " ∉ {" + String.join(", ", not) + "}");
      }
    }
    return text.isEmpty() ? "always" : String.join(" AND ", text);
  }

  /**
   * A one-hot slot split as a category (MLlib reads the encoder's binary attributes so): the slot
   * is 1 or it is 0, recorded as its column being or not being the slot's value.
   */
  private boolean oneHot(
      int slot,
      TreeSet<Double> values,
      boolean in,
      Map<String, List<String>> equal,
      Map<String, List<String>> unequal,
      List<String> parts) {
    String name = slots.get(slot);
    int at = name.indexOf('=');
    if (at <= 0 || values.size() != 1 || !(values.first() == 0 || values.first() == 1)) {
      return false;
    }
    boolean one = (values.first() == 1) == in;
    String column = name.substring(0, at);
    (one ? equal : unequal)
        .computeIfAbsent(column, k -> new ArrayList<>())
        .add(name.substring(at + 1));
    parts.add("\u0000" + column);
    return true;
  }

  private String set(int slot, TreeSet<Double> values, String op) {
    String name = slots.get(slot);
    String[] known = labels[slot];
    List<String> words =
        values.stream()
            .map(
                v ->
                    known != null && v >= 0 && v < known.length && v == Math.rint(v)
                        ? known[(int) (double) v]
                        : number(v))
            .toList();
    if (words.size() == 1) {
      return name + " " + op + " " + words.get(0);
    }
    return name + (op.equals("=") ? " ∈ {" : " ∉ {") + String.join(", ", words) + "}";
  }

  /** Whether node {@code n} of tree {@code t} is a leaf. */
  public boolean isLeaf(int t, int n) {
    return ensemble.trees()[t].left()[n] < 0;
  }

  /** The children of split {@code n} of tree {@code t}: the branch meeting its condition first. */
  public int[] children(int t, int n) {
    TreeEnsemble.Tree tree = ensemble.trees()[t];
    return new int[] {tree.left()[n], tree.right()[n]};
  }

  /** The condition rows meet to take split {@code n}'s first branch, in the user's words. */
  public String split(int t, int n) {
    TreeEnsemble.Tree tree = ensemble.trees()[t];
    int slot = tree.feature()[n];
    String name = slots.get(slot);
    int at = name.indexOf('=');
    double[] cats = tree.categories()[n];
    if (cats == null) {
      double threshold = tree.threshold()[n];
      if (at > 0 && threshold >= 0 && threshold < 1) {
        return name.substring(0, at) + " ≠ " + name.substring(at + 1);
      }
      return name + " ≤ " + number(threshold);
    }
    TreeSet<Double> set = new TreeSet<>();
    for (double c : cats) {
      set.add(c);
    }
    if (at > 0 && set.size() == 1 && (set.first() == 0 || set.first() == 1)) {
      return name.substring(0, at) + (set.first() == 1 ? " = " : " ≠ ") + name.substring(at + 1);
    }
    return set(slot, set, "=");
  }

  /** What leaf {@code leaf} of tree {@code t} predicts, and its training count. */
  public String outcome(int t, int leaf) {
    TreeEnsemble.Tree tree = ensemble.trees()[t];
    int w = ensemble.outputs();
    String n = "n = " + number(tree.cover()[leaf]);
    if (ensemble.mirrored()) {
      return "adds "
          + signed(tree.values()[leaf * 2 + 1])
          + " to the margin (times the tree's weight), "
          + n;
    }
    if (w == 1) {
      return outputs.get(0) + " = " + number(tree.values()[leaf]) + ", " + n;
    }
    int best = 0;
    for (int k = 1; k < w; k++) {
      if (tree.values()[leaf * w + k] > tree.values()[leaf * w + best]) {
        best = k;
      }
    }
    return outputs.get(best)
        + ", p = "
        + String.format(Locale.ROOT, "%.2f", tree.values()[leaf * w + best])
        + ", "
        + n;
  }

  /** The class (or value) index leaf {@code leaf} of tree {@code t} predicts. */
  public int predictedClass(int t, int leaf) {
    TreeEnsemble.Tree tree = ensemble.trees()[t];
    int w = ensemble.outputs();
    int best = 0;
    for (int k = 1; k < w && !ensemble.mirrored(); k++) {
      if (tree.values()[leaf * w + k] > tree.values()[leaf * w + best]) {
        best = k;
      }
    }
    return best;
  }

  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.valueOf((long) v);
    }
    return String.format(Locale.ROOT, "%.4g", v)
        .replaceAll("(\\.\\d*?)0+$", "$1")
        .replaceAll("\\.$", "");
  }

  private static String signed(double v) {
    return (v >= 0 ? "+" : "") + number(v);
  }
}
