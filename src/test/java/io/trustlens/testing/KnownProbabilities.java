package io.trustlens.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows whose true class probabilities are known: logits z = W x for standard normal x, labels drawn
 * from softmax(z). A "model" that reports T0 · z is overconfident by exactly temperature T0.
 */
public final class KnownProbabilities {
  public final double[][] logits;
  public final int[] labels;

  private KnownProbabilities(double[][] logits, int[] labels) {
    this.logits = logits;
    this.labels = labels;
  }

  /** {@code n} rows of {@code classes} classes from {@code seed}. */
  public static KnownProbabilities draw(int n, int classes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int d = 4;
    double[][] w = new double[classes][d];
    for (double[] row : w) {
      for (int j = 0; j < d; j++) {
        row[j] = random.nextGaussian() * 1.2;
      }
    }
    double[][] z = new double[n][classes];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double[] x = new double[d];
      for (int j = 0; j < d; j++) {
        x[j] = random.nextGaussian();
      }
      for (int c = 0; c < classes; c++) {
        for (int j = 0; j < d; j++) {
          z[i][c] += w[c][j] * x[j];
        }
      }
      double[] p = softmax(z[i], 1);
      double u = random.nextDouble();
      int c = 0;
      for (double acc = p[0]; acc < u && c < classes - 1; acc += p[++c]) {}
      y[i] = c;
    }
    return new KnownProbabilities(z, y);
  }

  /** softmax(scale · z). */
  public static double[] softmax(double[] z, double scale) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, scale * v);
    }
    double[] p = new double[z.length];
    double sum = 0;
    for (int c = 0; c < z.length; c++) {
      p[c] = Math.exp(scale * z[c] - max);
      sum += p[c];
    }
    for (int c = 0; c < z.length; c++) {
      p[c] /= sum;
    }
    return p;
  }

  /** The logits scaled by {@code t0}: a model overconfident by temperature t0. */
  public double[][] distorted(double t0) {
    double[][] out = new double[logits.length][];
    for (int i = 0; i < logits.length; i++) {
      out[i] = logits[i].clone();
      for (int c = 0; c < out[i].length; c++) {
        out[i][c] *= t0;
      }
    }
    return out;
  }

  /**
   * A table of rows {@code from} to {@code to}: id, label, logits and probability (both of the
   * model distorted by {@code t0}).
   */
  public Dataset<Row> table(int from, int to, double t0) {
    List<Row> rows = new ArrayList<>();
    for (int i = from; i < to; i++) {
      double[] z = logits[i].clone();
      for (int c = 0; c < z.length; c++) {
        z[c] *= t0;
      }
      rows.add(RowFactory.create((long) i, (double) labels[i], z, softmax(z, 1)));
    }
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("label", DataTypes.DoubleType, false)
            .add("logits", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("probability", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
    return SparkTestSession.get().createDataFrame(rows, schema);
  }
}
