package io.trustlens.explain.shap;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.GBTClassificationModel;
import org.apache.spark.ml.classification.RandomForestClassificationModel;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.GBTRegressionModel;
import org.apache.spark.ml.regression.RandomForestRegressionModel;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;

/**
 * MLlib trees as flat arrays, in the raw space TreeSHAP explains: the GBT margin (outputs {@code
 * [-m, m]} as MLlib's raw prediction), the class probabilities of a forest or a tree, or the
 * regression value. Node covers are the weighted training counts MLlib keeps in each node.
 *
 * @param trees the trees
 * @param weights each tree's weight in the sum
 * @param outputs values per leaf
 * @param kind what the outputs are, for messages and summaries
 */
public record TreeEnsemble(Tree[] trees, double[] weights, int outputs, String kind)
    implements Serializable {

  /**
   * One tree: node {@code n} is a leaf when {@code left[n] < 0}; otherwise rows go left when {@code
   * x[feature[n]] <= threshold[n]} (continuous) or when the value is among {@code categories[n]}
   * (categorical). Nodes are stored breadth-first: a parent comes before its children, and the root
   * is node 0.
   */
  public record Tree(
      int[] feature,
      double[] threshold,
      double[][] categories,
      int[] left,
      int[] right,
      double[] cover,
      double[] values,
      int depth)
      implements Serializable {

    /** The child of internal node {@code n} that row {@code x} goes to. */
    public int next(int n, double[] x) {
      double v = x[feature[n]];
      if (categories[n] == null) {
        return v <= threshold[n] ? left[n] : right[n];
      }
      for (double c : categories[n]) {
        if (c == v) {
          return left[n];
        }
      }
      return right[n];
    }

    /** The leaf row {@code x} reaches. */
    public int leaf(double[] x) {
      int n = 0;
      while (left[n] >= 0) {
        n = next(n, x);
      }
      return n;
    }
  }

  /** The ensemble of an MLlib tree model. */
  public static TreeEnsemble of(PredictionModel<?, ?> model) {
    if (model instanceof GBTClassificationModel g) {
      return build(g.trees(), g.treeWeights(), 2, "gbt margin", true, false);
    }
    if (model instanceof GBTRegressionModel g) {
      return build(g.trees(), g.treeWeights(), 1, "regression value", false, false);
    }
    if (model instanceof RandomForestClassificationModel f) {
      return build(
          f.trees(), equal(f.trees().length), f.numClasses(), "class probability", false, true);
    }
    if (model instanceof RandomForestRegressionModel f) {
      return build(f.trees(), equal(f.trees().length), 1, "regression value", false, false);
    }
    if (model instanceof DecisionTreeClassificationModel t) {
      return build(
          new Object[] {t}, new double[] {1}, t.numClasses(), "class probability", false, true);
    }
    if (model instanceof DecisionTreeRegressionModel t) {
      return build(new Object[] {t}, new double[] {1}, 1, "regression value", false, false);
    }
    throw new IllegalArgumentException(
        "TreeSHAP explains MLlib DecisionTree, RandomForest and GBT models, not "
            + model.getClass().getSimpleName());
  }

  private static double[] equal(int n) {
    double[] w = new double[n];
    java.util.Arrays.fill(w, 1.0 / n);
    return w;
  }

  private static TreeEnsemble build(
      Object[] models,
      double[] weights,
      int outputs,
      String kind,
      boolean margin,
      boolean classes) {
    Tree[] trees = new Tree[models.length];
    for (int t = 0; t < models.length; t++) {
      Node root =
          models[t] instanceof DecisionTreeRegressionModel r
              ? r.rootNode()
              : ((DecisionTreeClassificationModel) models[t]).rootNode();
      trees[t] = flatten(root, outputs, margin, classes);
    }
    return new TreeEnsemble(trees, weights, outputs, kind);
  }

  private static Tree flatten(Node root, int outputs, boolean margin, boolean classes) {
    List<Node> nodes = new ArrayList<>();
    nodes.add(root);
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) instanceof InternalNode n) {
        nodes.add(n.leftChild());
        nodes.add(n.rightChild());
      }
    }
    int size = nodes.size();
    int[] feature = new int[size];
    double[] threshold = new double[size];
    double[][] categories = new double[size][];
    int[] left = new int[size];
    int[] right = new int[size];
    double[] cover = new double[size];
    double[] values = new double[size * outputs];
    boolean emptyNode = false;
    for (Node node : nodes) {
      emptyNode |= !(node.impurityStats().count() > 0);
    }
    // A node that only rows of weight zero reach (a bootstrap member's, say) has cover 0, and the
    // path-dependent fractions below it would be 0/0. Such trees add a vanishing share of the
    // unweighted counts, which like the weighted ones add up from children to parents.
    double epsilon =
        emptyNode
            ? 1e-9 * root.impurityStats().count() / Math.max(1, root.impurityStats().rawCount())
            : 0;
    int child = 1;
    for (int i = 0; i < size; i++) {
      Node node = nodes.get(i);
      cover[i] = node.impurityStats().count() + epsilon * node.impurityStats().rawCount();
      if (node instanceof InternalNode n) {
        left[i] = child++;
        right[i] = child++;
        feature[i] = n.split().featureIndex();
        if (n.split() instanceof ContinuousSplit c) {
          threshold[i] = c.threshold();
        } else {
          categories[i] = ((CategoricalSplit) n.split()).leftCategories();
        }
      } else {
        left[i] = -1;
        right[i] = -1;
        LeafNode leaf = (LeafNode) node;
        if (margin) {
          values[i * 2] = -leaf.prediction();
          values[i * 2 + 1] = leaf.prediction();
        } else if (classes) {
          double[] counts = leaf.impurityStats().stats();
          double total = 0;
          for (double c : counts) {
            total += c;
          }
          for (int k = 0; k < outputs; k++) {
            values[i * outputs + k] = total == 0 ? 0 : counts[k] / total;
          }
        } else {
          values[i] = leaf.prediction();
        }
      }
    }
    return new Tree(feature, threshold, categories, left, right, cover, values, depth(root));
  }

  private static int depth(Node node) {
    return node instanceof InternalNode n
        ? 1 + Math.max(depth(n.leftChild()), depth(n.rightChild()))
        : 0;
  }

  /** Whether the outputs are a GBT margin and its negation, {@code [-m, m]}. */
  public boolean mirrored() {
    return kind.equals("gbt margin");
  }

  /** The ensemble's outputs for row {@code x}. */
  public double[] predict(double[] x) {
    double[] out = new double[outputs];
    for (int t = 0; t < trees.length; t++) {
      int leaf = trees[t].leaf(x);
      for (int k = 0; k < outputs; k++) {
        out[k] += weights[t] * trees[t].values[leaf * outputs + k];
      }
    }
    return out;
  }

  /** The cover-weighted mean output: the base value of path-dependent TreeSHAP. */
  public double[] expected() {
    double[] out = new double[outputs];
    for (int t = 0; t < trees.length; t++) {
      Tree tree = trees[t];
      for (int n = 0; n < tree.left.length; n++) {
        if (tree.left[n] < 0) {
          for (int k = 0; k < outputs; k++) {
            out[k] += weights[t] * tree.values[n * outputs + k] * tree.cover[n] / tree.cover[0];
          }
        }
      }
    }
    return out;
  }
}
