package io.trustlens.model;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.linalg.BLAS$;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;

/**
 * An MLlib DecisionTree, RandomForest or GBT model compiled to flat arrays, whose raw outputs equal
 * MLlib's bit for bit: the same descent (a continuous split sends {@code x <= threshold} left, so
 * NaN goes right; a categorical split tests MLlib's own category set, so a value in neither set
 * goes where MLlib sends it), and the same arithmetic in the same order (a forest's votes {@code
 * counts[k] / total} added tree by tree, a forest regression's sum from the first tree divided by
 * the count, a GBT's {@code ddot} of tree predictions and weights by the very BLAS MLlib calls).
 *
 * <p>Layout: the nodes of every tree, breadth-first, in one set of arrays, so a node's children are
 * adjacent and a step is {@code n = child[n] + (x[feature[n]] <= threshold[n] ? 0 : 1)}. A leaf
 * steps to itself (threshold NaN, so every comparison fails, and {@code child = n - 1}), so a block
 * of rows descends a tree level by level, each row exactly the tree's depth steps, without a branch
 * on the data: independent rows overlap in the CPU and the tree stays in cache. Trees with a
 * categorical split descend row by row. No object is touched per row.
 */
public final class CompiledTrees {
  /** What the raw output is. */
  enum Kind {
    /** A tree's class counts at the leaf (DecisionTreeClassificationModel.predictRaw). */
    TREE_COUNTS,
    /** A forest's votes: the sum over trees of the leaf's class frequencies. */
    FOREST_VOTES,
    /** A GBT classifier's {@code [-margin, margin]}. */
    GBT_MARGIN,
    /** A regression tree's leaf value. */
    TREE_VALUE,
    /** A forest regression: the mean of the trees' leaf values. */
    FOREST_MEAN,
    /** A GBT regression: the weighted sum of the trees' leaf values. */
    GBT_SUM
  }

  private final Kind kind;
  private final int outputs;
  private final int[] roots;
  private final int[] feature;
  private final double[] threshold;
  private final int[] child;
  private final int[] leafIndex;

  /** Per node {@code child << 32 | feature}: one load gives both. */
  private final long[] steps;

  private final int[] depth;
  private final boolean[] categoricalTree;
  private final int[] categorical;
  private final double[][] categorySets;
  private final boolean[] setGoesLeft;
  private final boolean[] otherGoesLeft;
  private final int[] categoryCounts;
  private final double[] leafValues;

  /** One-value kinds: per node, its leaf's value (0 for internal nodes), for the block descent. */
  private final double[] nodeValues;

  private final double[] treeWeights;

  private CompiledTrees(Kind kind, int outputs, Node[] trees, double[] treeWeights) {
    this.kind = kind;
    this.outputs = outputs;
    this.treeWeights = treeWeights;
    List<Node> nodes = new ArrayList<>();
    roots = new int[trees.length];
    for (int t = 0; t < trees.length; t++) {
      roots[t] = nodes.size();
      int first = nodes.size();
      nodes.add(trees[t]);
      for (int i = first; i < nodes.size(); i++) {
        if (nodes.get(i) instanceof InternalNode n) {
          nodes.add(n.leftChild());
          nodes.add(n.rightChild());
        }
      }
    }
    int size = nodes.size();
    feature = new int[size];
    threshold = new double[size];
    child = new int[size];
    leafIndex = new int[size];
    categorical = new int[size];
    depth = new int[trees.length];
    categoricalTree = new boolean[trees.length];
    steps = new long[size];
    for (int t = 0; t < trees.length; t++) {
      depth[t] = trees[t] instanceof InternalNode in ? in.subtreeDepth() : 0;
    }
    List<double[]> sets = new ArrayList<>();
    List<Boolean> setLeft = new ArrayList<>();
    List<Boolean> otherLeft = new ArrayList<>();
    List<Integer> counts = new ArrayList<>();
    List<double[]> leaves = new ArrayList<>();
    int nextChild = 0;
    int tree = 0;
    for (int i = 0; i < size; i++) {
      if (tree + 1 < roots.length && i == roots[tree + 1]) {
        tree++;
        nextChild = i + 1;
      } else if (i == roots[tree]) {
        nextChild = i + 1;
      }
      Node node = nodes.get(i);
      categorical[i] = -1;
      leafIndex[i] = -1;
      if (node instanceof InternalNode n) {
        feature[i] = n.split().featureIndex();
        child[i] = nextChild;
        nextChild += 2;
        if (n.split() instanceof ContinuousSplit c) {
          threshold[i] = c.threshold();
        } else {
          CategoricalSplit c = (CategoricalSplit) n.split();
          categorical[i] = sets.size();
          categoricalTree[tree] = true;
          // MLlib keeps one set and whether it is the left one; a value in neither of
          // left/rightCategories (out of range, or NaN) goes where MLlib's own test sends it.
          double[] left = c.leftCategories();
          double[] right = c.rightCategories();
          boolean keepLeft = left.length <= right.length;
          sets.add(keepLeft ? left : right);
          setLeft.add(keepLeft);
          double[] probe = new double[feature[i] + 1];
          probe[feature[i]] = Double.NaN;
          otherLeft.add(c.shouldGoLeft(Vectors.dense(probe)));
          counts.add(c.numCategories());
        }
      } else {
        feature[i] = 0;
        threshold[i] = Double.NaN; // no value is <= NaN: the step goes to child + 1, the leaf
        child[i] = i - 1;
        leafIndex[i] = leaves.size();
        leaves.add(leafValue((LeafNode) node));
      }
    }
    for (int i = 0; i < size; i++) {
      steps[i] = ((long) child[i] << 32) | (feature[i] & 0xffffffffL);
    }
    categorySets = sets.toArray(new double[0][]);
    setGoesLeft = new boolean[setLeft.size()];
    otherGoesLeft = new boolean[otherLeft.size()];
    categoryCounts = new int[counts.size()];
    for (int k = 0; k < setGoesLeft.length; k++) {
      categoryCounts[k] = counts.get(k);
      setGoesLeft[k] = setLeft.get(k);
      otherGoesLeft[k] = otherLeft.get(k);
    }
    int width = kind == Kind.TREE_COUNTS || kind == Kind.FOREST_VOTES ? outputs : 1;
    leafValues = new double[leaves.size() * width];
    for (int l = 0; l < leaves.size(); l++) {
      System.arraycopy(leaves.get(l), 0, leafValues, l * width, width);
    }
    nodeValues = new double[width == 1 ? size : 0];
    for (int i = 0; i < nodeValues.length; i++) {
      nodeValues[i] = leafIndex[i] >= 0 ? leafValues[leafIndex[i]] : 0.0;
    }
  }

  /** What a leaf contributes, computed as MLlib computes it per row (the same bits). */
  private double[] leafValue(LeafNode leaf) {
    return switch (kind) {
      case TREE_COUNTS -> leaf.impurityStats().stats().clone();
      case FOREST_VOTES -> {
        double[] counts = leaf.impurityStats().stats();
        double total = 0.0;
        for (double c : counts) {
          total += c;
        }
        double[] votes = new double[outputs];
        if (total != 0) {
          for (int k = 0; k < outputs; k++) {
            votes[k] = counts[k] / total;
          }
        }
        yield votes;
      }
      default -> new double[] {leaf.prediction()};
    };
  }

  /** The compiled form of {@code model}, or null when it is not an MLlib tree model. */
  public static CompiledTrees of(PredictionModel<?, ?> model) {
    if (model instanceof GBTClassificationModel g) {
      return new CompiledTrees(Kind.GBT_MARGIN, 2, roots(g.trees()), g.treeWeights().clone());
    }
    if (model instanceof GBTRegressionModel g) {
      return new CompiledTrees(Kind.GBT_SUM, 1, roots(g.trees()), g.treeWeights().clone());
    }
    if (model instanceof RandomForestClassificationModel f) {
      return new CompiledTrees(Kind.FOREST_VOTES, f.numClasses(), roots(f.trees()), null);
    }
    if (model instanceof RandomForestRegressionModel f) {
      return new CompiledTrees(Kind.FOREST_MEAN, 1, roots(f.trees()), null);
    }
    if (model instanceof DecisionTreeClassificationModel t) {
      return new CompiledTrees(Kind.TREE_COUNTS, t.numClasses(), new Node[] {t.rootNode()}, null);
    }
    if (model instanceof DecisionTreeRegressionModel t) {
      return new CompiledTrees(Kind.TREE_VALUE, 1, new Node[] {t.rootNode()}, null);
    }
    return null;
  }

  private static Node[] roots(Object[] trees) {
    Node[] roots = new Node[trees.length];
    for (int t = 0; t < trees.length; t++) {
      roots[t] =
          trees[t] instanceof DecisionTreeRegressionModel r
              ? r.rootNode()
              : ((DecisionTreeClassificationModel) trees[t]).rootNode();
    }
    return roots;
  }

  /** Whether the raw output is a vector (classifiers) rather than one value (regressors). */
  public boolean classifier() {
    return kind == Kind.TREE_COUNTS || kind == Kind.FOREST_VOTES || kind == Kind.GBT_MARGIN;
  }

  /** Values of the raw output: the classes (classifiers) or 1 (regressors). */
  public int outputs() {
    return outputs;
  }

  /** The leaf row {@code x} (from {@code offset}) reaches in the tree rooted at {@code n}. */
  private int leaf(int n, double[] x, int offset) {
    return leafIndex[leafNode(n, x, offset)];
  }

  /** The leaf's node, rather than its index among the leaves. */
  private int leafNode(int n, double[] x, int offset) {
    while (leafIndex[n] < 0) {
      double v = x[offset + feature[n]];
      int set = categorical[n];
      boolean left;
      if (set < 0) {
        left = v <= threshold[n];
      } else {
        left = goesLeft(set, v);
      }
      n = child[n] + (left ? 0 : 1);
    }
    return n;
  }

  private boolean goesLeft(int set, double v) {
    for (double c : categorySets[set]) {
      if (c == v) {
        return setGoesLeft[set];
      }
    }
    // Not in the set kept: then in the other when it is a category at all; a value in neither
    // (out of range, fractional, NaN) goes where MLlib's own test sent the NaN probe.
    return v == Math.rint(v) && v >= 0 && v < categoryCounts[set]
        ? !setGoesLeft[set]
        : otherGoesLeft[set];
  }

  /**
   * Writes row {@code x}'s raw output to {@code raw} ({@link #outputs()} values): what MLlib's
   * {@code predictRaw} gives for classifiers, {@code predict} for regressors.
   *
   * @param scratch at least one value per tree
   */
  public void raw(double[] x, int offset, double[] raw, double[] scratch) {
    switch (kind) {
      case TREE_COUNTS -> {
        int l = leaf(roots[0], x, offset);
        System.arraycopy(leafValues, l * outputs, raw, 0, outputs);
      }
      case FOREST_VOTES -> {
        java.util.Arrays.fill(raw, 0, outputs, 0.0);
        for (int root : roots) {
          int at = leaf(root, x, offset) * outputs;
          for (int k = 0; k < outputs; k++) {
            raw[k] += leafValues[at + k];
          }
        }
      }
      case TREE_VALUE -> raw[0] = leafValues[leaf(roots[0], x, offset)];
      case FOREST_MEAN -> {
        double sum = 0.0;
        for (int root : roots) {
          sum += leafValues[leaf(root, x, offset)];
        }
        raw[0] = sum / roots.length;
      }
      default -> {
        for (int t = 0; t < roots.length; t++) {
          scratch[t] = leafValues[leaf(roots[t], x, offset)];
        }
        double m = BLAS$.MODULE$.nativeBLAS().ddot(roots.length, scratch, 1, treeWeights, 1);
        if (kind == Kind.GBT_MARGIN) {
          raw[0] = -m;
          raw[1] = m;
        } else {
          raw[0] = m;
        }
      }
    }
  }

  /**
   * Writes the raw outputs of {@code rows} rows ({@code x}: {@code rows × width}, row-major) to
   * {@code raw} ({@code rows × outputs()}), with the same bits as {@link #raw(double[], int,
   * double[], double[])} row by row.
   */
  public void rawBlock(double[] x, int rows, int width, double[] raw) {
    rawBlock(x, 0, rows, width, raw, workspace(rows));
  }

  /** Working arrays for blocks of up to {@code rows} rows, reused from block to block. */
  public Workspace workspace(int rows) {
    return new Workspace(new double[rows * roots.length], new int[rows], new double[roots.length]);
  }

  /**
   * Working arrays of {@link #rawBlock(double[], int, int, int, double[], Workspace)}: row i's tree
   * t leaf value (GBT, forest mean), each row's node, one row's values for the dot product.
   */
  public record Workspace(double[] values, int[] at, double[] scratch) {}

  /**
   * As {@link #rawBlock(double[], int, int, double[])}, for the rows from {@code offset} (an index
   * into {@code x}) on, in arrays of {@code space} (made by {@link #workspace} for at least {@code
   * rows} rows): scoring a buffer block by block allocates nothing.
   */
  public void rawBlock(double[] x, int offset, int rows, int width, double[] raw, Workspace space) {
    int trees = roots.length;
    double[] values = space.values();
    int[] at = space.at();
    int w = outputs;
    boolean votes = kind == Kind.TREE_COUNTS || kind == Kind.FOREST_VOTES;
    if (votes) {
      java.util.Arrays.fill(raw, 0, rows * w, 0.0);
    }
    for (int t = 0; t < trees; t++) {
      if (categoricalTree[t]) {
        for (int i = 0; i < rows; i++) {
          at[i] = leafNode(roots[t], x, offset + i * width);
        }
      } else if (votes) {
        descend(t, x, offset, rows, width, at, null, 0);
      } else {
        descend(t, x, offset, rows, width, at, values, trees);
        continue; // its leaves' values are in place
      }
      if (votes) {
        for (int i = 0; i < rows; i++) {
          int from = leafIndex[at[i]] * w;
          for (int k = 0; k < w; k++) {
            raw[i * w + k] += leafValues[from + k]; // one tree's counts: 0 + counts, exactly
          }
        }
      } else {
        for (int i = 0; i < rows; i++) {
          values[i * trees + t] = nodeValues[at[i]];
        }
      }
    }
    if (votes) {
      return;
    }
    double[] scratch = space.scratch();
    for (int i = 0; i < rows; i++) {
      switch (kind) {
        case TREE_VALUE -> raw[i] = values[i];
        case FOREST_MEAN -> {
          double sum = 0.0;
          for (int t = 0; t < trees; t++) {
            sum += values[i * trees + t];
          }
          raw[i] = sum / trees;
        }
        default -> {
          // The very call MLlib makes, on an array of its own: BLAS may group lanes by offset.
          System.arraycopy(values, i * trees, scratch, 0, trees);
          double m = BLAS$.MODULE$.nativeBLAS().ddot(trees, scratch, 1, treeWeights, 1);
          if (kind == Kind.GBT_MARGIN) {
            raw[2 * i] = -m;
            raw[2 * i + 1] = m;
          } else {
            raw[i] = m;
          }
        }
      }
    }
  }

  /**
   * Leaf nodes of {@code rows} rows in continuous tree {@code t}, level by level, into {@code at};
   * or, when {@code values} is given, the leaves' values into {@code values[i * trees + t]}
   * straight from the last level. Every row takes the root's split, so the first level reads it
   * once for the block rather than once a row.
   */
  private void descend(
      int t, double[] x, int offset, int rows, int width, int[] at, double[] values, int trees) {
    int root = roots[t];
    int levels = depth[t];
    if (levels == 0) {
      java.util.Arrays.fill(at, 0, rows, root);
    } else {
      long first = steps[root];
      int child = (int) (first >>> 32);
      double split = threshold[root];
      for (int i = 0, at0 = offset + (int) first; i < rows; i++, at0 += width) {
        at[i] = child + (x[at0] <= split ? 0 : 1);
      }
    }
    int last = values == null ? levels : levels - 1; // the last level writes values, if asked
    for (int level = 1; level < last; level++) {
      step(x, offset, rows, width, at);
    }
    if (values == null) {
      return;
    }
    if (levels <= 1) {
      for (int i = 0; i < rows; i++) {
        values[i * trees + t] = nodeValues[at[i]];
      }
      return;
    }
    long[] step = steps;
    double[] split = threshold;
    double[] leaf = nodeValues;
    for (int i = 0, row = offset; i < rows; i++, row += width) {
      int n = at[i];
      long s = step[n];
      values[i * trees + t] = leaf[(int) (s >>> 32) + (x[row + (int) s] <= split[n] ? 0 : 1)];
    }
  }

  /** One level down for every row: node {@code at[i]} to its child on row {@code i}'s value. */
  private void step(double[] x, int offset, int rows, int width, int[] at) {
    long[] step = steps;
    double[] split = threshold;
    for (int i = 0, row = offset; i < rows; i++, row += width) {
      int n = at[i];
      long s = step[n];
      at[i] = (int) (s >>> 32) + (x[row + (int) s] <= split[n] ? 0 : 1);
    }
  }

  /**
   * Per input of {@code inputs}, the distinct thresholds of its continuous splits in ascending
   * order: the trees read the input only through {@code x <= t} for these {@code t}, so every value
   * between two adjacent ones (above the lower, up to and including the upper) gives the same
   * outputs. Empty for an input no split reads; null for an input a categorical split reads.
   */
  @SuppressWarnings("unchecked")
  public double[][] splitThresholds(int inputs) {
    TreeSet<Double>[] sets = new TreeSet[inputs];
    boolean[] categoricalInput = new boolean[inputs];
    for (int n = 0; n < feature.length; n++) {
      if (leafIndex[n] >= 0) {
        continue;
      }
      if (categorical[n] >= 0) {
        categoricalInput[feature[n]] = true;
        continue;
      }
      if (sets[feature[n]] == null) {
        sets[feature[n]] = new TreeSet<>();
      }
      sets[feature[n]].add(threshold[n]);
    }
    double[][] thresholds = new double[inputs][];
    for (int j = 0; j < inputs; j++) {
      thresholds[j] =
          categoricalInput[j]
              ? null
              : sets[j] == null
                  ? new double[0]
                  : sets[j].stream().mapToDouble(Double::doubleValue).toArray();
    }
    return thresholds;
  }

  /** The number of trees. */
  public int trees() {
    return roots.length;
  }
}
