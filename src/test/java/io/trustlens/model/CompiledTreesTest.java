package io.trustlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.testing.SparkTestSession;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.classification.ClassificationModel;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.RandomForestClassifier;
import org.apache.spark.ml.feature.VectorIndexer;
import org.apache.spark.ml.feature.VectorIndexerModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.regression.DecisionTreeRegressionModel;
import org.apache.spark.ml.regression.DecisionTreeRegressor;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.RandomForestRegressor;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.DecisionTreeModel;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.TreeEnsembleModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Compiled trees against MLlib itself, bit for bit, on many random models with continuous and
 * categorical splits, and on rows MLlib was never trained on: categories out of range, fractional
 * and negative values, NaN and -0.0.
 */
class CompiledTreesTest {
  private static final int FEATURES = 6;

  /** Rows whose features 0 and 1 are categorical (4 and 3 values), the rest continuous. */
  static Dataset<Row> table(long seed, int rows, int classes) {
    return table(seed, rows, classes, true);
  }

  /** The same rows; without categories every split is continuous (trees descend in blocks). */
  static Dataset<Row> table(long seed, int rows, int classes, boolean categories) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Row> data = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      double[] x = new double[FEATURES];
      x[0] = r.nextInt(4);
      x[1] = r.nextInt(3);
      for (int j = 2; j < FEATURES; j++) {
        x[j] = Math.round(r.nextGaussian() * 100) / 100.0; // ties: thresholds land on values
      }
      double signal = (x[0] == 2 ? 1.5 : 0) - (x[1] == 1 ? 1 : 0) + x[2] - 0.5 * x[3] * x[4];
      double y =
          classes == 0
              ? signal + 0.3 * r.nextGaussian()
              : Math.floorMod((long) Math.floor(signal + 0.5 * r.nextGaussian()), classes);
      data.add(RowFactory.create(Vectors.dense(x), y, r.nextDouble() * 2));
    }
    StructType schema =
        new StructType()
            .add("raw", new VectorUDT())
            .add("label", DataTypes.DoubleType)
            .add("weight", DataTypes.DoubleType);
    Dataset<Row> df = SparkTestSession.get().createDataFrame(data, schema);
    if (!categories) {
      return df.withColumnRenamed("raw", "features");
    }
    VectorIndexerModel indexer =
        new VectorIndexer().setInputCol("raw").setOutputCol("features").setMaxCategories(4).fit(df);
    return indexer.transform(df);
  }

  /** Probe rows: the table's own, then the same with values MLlib never saw in training. */
  static List<double[]> probes(Dataset<Row> table, long seed) {
    List<double[]> rows = new ArrayList<>();
    for (Row r : table.select("features").limit(300).collectAsList()) {
      rows.add(((Vector) r.get(0)).toArray());
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] odd = {Double.NaN, -0.0, 0.0, 7.0, 3.0, -1.0, 1.5, 2.0, 1e300, -1e300};
    int n = rows.size();
    for (int i = 0; i < n; i++) {
      double[] x = rows.get(i).clone();
      x[random.nextInt(FEATURES)] = odd[random.nextInt(odd.length)];
      x[random.nextInt(FEATURES)] = odd[random.nextInt(odd.length)];
      rows.add(x);
    }
    return rows;
  }

  @Test
  void rawOutputsEqualMllibBitForBitOnManyRandomModels() {
    int checked = 0;
    for (long seed = 1; seed <= 3; seed++) {
      for (int classes : new int[] {0, 2, 3}) {
        Dataset<Row> t = table(seed, 400, classes, seed != 2);
        List<PredictionModel<Vector, ?>> models = new ArrayList<>();
        int depth = (int) (2 + seed * 2);
        if (classes == 0) {
          models.add(new DecisionTreeRegressor().setMaxDepth(depth).fit(t));
          models.add(
              new RandomForestRegressor().setNumTrees(7).setMaxDepth(depth).setSeed(seed).fit(t));
          models.add(new GBTRegressor().setMaxIter(12).setMaxDepth(depth).setSeed(seed).fit(t));
          models.add(new GBTRegressor().setMaxIter(5).setWeightCol("weight").setSeed(seed).fit(t));
          if (seed == 2) { // continuous only: a deep tree descends in blocks too
            DecisionTreeRegressionModel deep = new DecisionTreeRegressor().setMaxDepth(12).fit(t);
            assertTrue(deep.depth() > 8, "depth " + deep.depth());
            models.add(deep);
          }
        } else {
          models.add(new DecisionTreeClassifier().setMaxDepth(depth).fit(t));
          models.add(
              new RandomForestClassifier().setNumTrees(9).setMaxDepth(depth).setSeed(seed).fit(t));
          models.add(
              new RandomForestClassifier()
                  .setNumTrees(4)
                  .setWeightCol("weight")
                  .setSeed(seed)
                  .fit(t));
          if (classes == 2) {
            models.add(new GBTClassifier().setMaxIter(15).setMaxDepth(depth).setSeed(seed).fit(t));
          }
        }
        List<double[]> probes = probes(t, seed);
        for (PredictionModel<Vector, ?> model : models) {
          List<double[]> rows = new ArrayList<>(probes);
          rows.addAll(atThresholds(model, probes));
          CompiledTrees trees = CompiledTrees.of(model);
          assertNotNull(trees, model.toString());
          double[] raw = new double[trees.outputs()];
          double[] scratch = new double[trees.trees()];
          int w = trees.outputs();
          double[] flat = new double[rows.size() * FEATURES];
          for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, flat, i * FEATURES, FEATURES);
          }
          double[] block = new double[rows.size() * w];
          trees.rawBlock(flat, rows.size(), FEATURES, block);
          int odd = rows.size() - 3; // a block of any size gives the same bits
          double[] fewer = new double[odd * w];
          trees.rawBlock(flat, odd, FEATURES, fewer);
          for (int j = 0; j < fewer.length; j++) {
            assertEquals(
                Double.doubleToLongBits(block[j]),
                Double.doubleToLongBits(fewer[j]),
                model + ": a block of " + odd + " rows gives the same bits");
          }
          // The last rows from an offset, in a workspace a larger block used first.
          CompiledTrees.Workspace space = trees.workspace(rows.size());
          trees.rawBlock(flat, 0, rows.size(), FEATURES, new double[block.length], space);
          double[] tail = new double[(rows.size() - 5) * w];
          trees.rawBlock(flat, 5 * FEATURES, rows.size() - 5, FEATURES, tail, space);
          for (int j = 0; j < tail.length; j++) {
            assertEquals(
                Double.doubleToLongBits(block[5 * w + j]),
                Double.doubleToLongBits(tail[j]),
                model + ": rows from an offset, in a reused workspace, give the same bits");
          }
          int row = 0;
          for (double[] x : rows) {
            trees.raw(x, 0, raw, scratch);
            for (int k = 0; k < w; k++) {
              assertEquals(
                  Double.doubleToLongBits(raw[k]),
                  Double.doubleToLongBits(block[row * w + k]),
                  model + ": a block gives each row's bits");
            }
            row++;
            double[] expected =
                model instanceof ClassificationModel<Vector, ?> c
                    ? c.predictRaw(Vectors.dense(x)).toArray()
                    : new double[] {model.predict(Vectors.dense(x))};
            assertEquals(expected.length, raw.length);
            for (int k = 0; k < raw.length; k++) {
              assertEquals(
                  Double.doubleToLongBits(expected[k]),
                  Double.doubleToLongBits(raw[k]),
                  model + " output " + k + " of " + Arrays.toString(x));
            }
            checked++;
          }
        }
      }
    }
    System.out.println("compiled trees equal MLlib on " + checked + " model-row pairs");
  }

  /**
   * Rows with one feature exactly at a continuous split's threshold (which goes left: x <= t), one
   * per split of the model: random rows almost never hit a threshold.
   */
  static List<double[]> atThresholds(PredictionModel<Vector, ?> model, List<double[]> base) {
    List<double[]> rows = new ArrayList<>();
    for (InternalNode n : splits(model)) {
      if (n.split() instanceof ContinuousSplit c) {
        double[] x = base.get(rows.size() % base.size()).clone();
        x[c.featureIndex()] = c.threshold();
        rows.add(x);
      }
    }
    return rows;
  }

  /** Every split node of a tree model's trees, walked from MLlib's own nodes. */
  private static List<InternalNode> splits(PredictionModel<Vector, ?> model) {
    ArrayDeque<Node> open = new ArrayDeque<>();
    if (model instanceof DecisionTreeModel tree) {
      open.add(tree.rootNode());
    } else {
      for (Object tree : ((TreeEnsembleModel<?>) model).trees()) {
        open.add(((DecisionTreeModel) tree).rootNode());
      }
    }
    List<InternalNode> splits = new ArrayList<>();
    while (!open.isEmpty()) {
      if (open.pop() instanceof InternalNode n) {
        splits.add(n);
        open.push(n.leftChild());
        open.push(n.rightChild());
      }
    }
    return splits;
  }

  /**
   * A tree model's split thresholds per input are its continuous splits' thresholds (walked here
   * from MLlib's nodes), null for an input a categorical split reads; and MLlib's own outputs are
   * the same, bit for bit, for every value of an interval between adjacent thresholds: moved to a
   * random value of its interval, or to the interval's upper end, an input changes no output.
   */
  @Test
  void splitThresholdsCutEachInputIntoIntervalsOfEqualOutputs() {
    for (boolean categories : new boolean[] {true, false}) {
      Dataset<Row> t = table(4, 400, 2, categories);
      List<PredictionModel<Vector, ?>> models =
          List.of(
              new GBTClassifier().setMaxIter(10).setMaxDepth(4).setSeed(4).fit(t),
              new RandomForestClassifier().setNumTrees(5).setMaxDepth(5).setSeed(4).fit(t),
              new DecisionTreeRegressor().setMaxDepth(6).fit(t));
      for (PredictionModel<Vector, ?> model : models) {
        double[][] thresholds = CompiledTrees.of(model).splitThresholds(FEATURES);
        Map<Integer, TreeSet<Double>> walked = new HashMap<>();
        Set<Integer> categorical = new HashSet<>();
        for (InternalNode n : splits(model)) {
          int f = n.split().featureIndex();
          if (n.split() instanceof ContinuousSplit c) {
            walked.computeIfAbsent(f, k -> new TreeSet<>()).add(c.threshold());
          } else {
            categorical.add(f);
          }
        }
        assertEquals(categories, !categorical.isEmpty(), model.toString());
        SplittableRandom random = new SplittableRandom(4);
        int moved = 0;
        for (int j = 0; j < FEATURES; j++) {
          if (categorical.contains(j)) {
            assertNull(thresholds[j], model + " input " + j);
            continue;
          }
          double[] expected =
              walked.getOrDefault(j, new TreeSet<>()).stream()
                  .mapToDouble(Double::doubleValue)
                  .toArray();
          assertEquals(
              Arrays.toString(expected), Arrays.toString(thresholds[j]), model + " input " + j);
          double[] cut = thresholds[j];
          for (double[] x : probes(t, 4).subList(0, 120)) {
            if (Double.isNaN(x[j])) {
              continue;
            }
            int i = 0;
            while (i < cut.length && cut[i] < x[j]) {
              i++; // x[j] lies in (cut[i-1], cut[i]]
            }
            double lower = i == 0 ? x[j] - 10 : cut[i - 1];
            double upper = i == cut.length ? x[j] + 10 : cut[i];
            double[] values = {upper, upper - (upper - lower) * random.nextDouble()};
            for (double v : values) {
              if (!(v > lower && v <= upper)) {
                continue; // rounding left the interval
              }
              double[] y = x.clone();
              y[j] = v;
              assertEquals(
                  Arrays.toString(rawOf(model, x)),
                  Arrays.toString(rawOf(model, y)),
                  model + ": input " + j + " moved from " + x[j] + " to " + v);
              moved++;
            }
          }
        }
        assertTrue(moved > 400, model + ": " + moved + " values moved");
      }
    }
  }

  private static double[] rawOf(PredictionModel<Vector, ?> model, double[] x) {
    return model instanceof ClassificationModel<Vector, ?> c
        ? c.predictRaw(Vectors.dense(x)).toArray()
        : new double[] {model.predict(Vectors.dense(x))};
  }

  @Test
  void rowsAreReadFromTheirOffsetAndOtherModelsAreNotCompiled() {
    Dataset<Row> t = table(9, 300, 2);
    var gbt = new GBTClassifier().setMaxIter(8).setSeed(9).fit(t);
    CompiledTrees trees = CompiledTrees.of(gbt);
    List<double[]> rows = probes(t, 9);
    double[] flat = new double[rows.size() * FEATURES];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, flat, i * FEATURES, FEATURES);
    }
    double[] raw = new double[2];
    double[] alone = new double[2];
    double[] scratch = new double[trees.trees()];
    double[] block = new double[rows.size() * 2];
    trees.rawBlock(flat, rows.size(), FEATURES, block);
    for (int i = 0; i < rows.size(); i++) {
      trees.raw(flat, i * FEATURES, raw, scratch);
      trees.raw(rows.get(i), 0, alone, scratch);
      assertEquals(alone[1], raw[1], 0.0);
      assertEquals(Double.doubleToLongBits(alone[1]), Double.doubleToLongBits(block[2 * i + 1]));
    }
    assertNull(CompiledTrees.of(new LogisticRegression().setMaxIter(5).fit(t)));
  }
}
