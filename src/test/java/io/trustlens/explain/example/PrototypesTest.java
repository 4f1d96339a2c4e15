package io.trustlens.explain.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explore.Datasets;
import io.trustlens.explore.knn.Points;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Prototype attention's core against direct computation. */
class PrototypesTest {

  @Test
  void weightsAreTheSoftmaxOfTheSimilarities() {
    Random r = new Random(2);
    int m = 7;
    int d = 3;
    double[] v = new double[m * d];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian();
    }
    double[] labels = new double[m * 2];
    String[] names = new String[m];
    for (int i = 0; i < m; i++) {
      labels[i * 2 + (i % 2)] = 1;
      names[i] = "p" + i;
    }
    for (String similarity : Prototypes.SIMILARITIES) {
      Prototypes p = new Prototypes(v, d, labels, 2, names, similarity);
      double[] f = {0.3, -1.2, 0.7};
      double[] w = new double[m];
      p.attend(f, w);
      double[] e = new double[m];
      double sum = 0;
      for (int i = 0; i < m; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) {
          s +=
              similarity.equals("dot")
                  ? f[j] * v[i * d + j]
                  : -(f[j] - v[i * d + j]) * (f[j] - v[i * d + j]);
        }
        e[i] = Math.exp(s);
        sum += e[i];
      }
      double[] prediction = new double[2];
      for (int i = 0; i < m; i++) {
        assertEquals(e[i] / sum, w[i], 1e-12, similarity + " weight " + i);
        prediction[i % 2] += e[i] / sum;
      }
      assertArrayEquals(prediction, p.predict(w), 1e-12);
      int[] top = Prototypes.heaviest(w, 3);
      assertTrue(w[top[0]] >= w[top[1]] && w[top[1]] >= w[top[2]]);
    }
    // huge similarities do not overflow: the largest is subtracted first
    Prototypes far =
        new Prototypes(
            new double[] {1000, 0, 0, 1000},
            2,
            new double[] {5, 7},
            1,
            new String[] {"a", "b"},
            "dot");
    double[] w = new double[2];
    far.attend(new double[] {1, 0.999}, w);
    assertEquals(1 / (1 + Math.exp(-1)), w[0], 1e-12);
    assertEquals(5 * w[0] + 7 * w[1], far.predict(w)[0], 1e-12);
  }

  @Test
  void classMeansAndKmeansCentresAreTheirRowsMeans() {
    double[][] rows = Datasets.blobs(900, 4, 3, 0.5, 8);
    Points points = new Points(Datasets.floats(rows, 4), 4);
    double[] y = new double[900];
    for (int i = 0; i < 900; i++) {
      y[i] = rows[i][4];
    }
    Prototypes means = Prototypes.classMeans(points, y, 3, "neg_squared_distance");
    assertEquals(3, means.size());
    double[] v = means.vectors();
    for (int c = 0; c < 3; c++) {
      for (int j = 0; j < 4; j++) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < 900; i++) {
          if (y[i] == c) {
            s += points.get(i, j);
            n++;
          }
        }
        assertEquals(s / n, v[c * 4 + j], 1e-9);
      }
    }
    assertArrayEquals(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, means.labels(), 0);

    Prototypes centres = Prototypes.kmeans(points, y, 3, 3, 50, 42, "neg_squared_distance");
    assertEquals(3, centres.size());
    double[] shares = centres.labels();
    double[] c = centres.vectors();
    for (int a = 0; a < 3; a++) {
      // each separated blob is one centre: pure shares, and the centre is its class mean
      int cls = -1;
      for (int o = 0; o < 3; o++) {
        if (shares[a * 3 + o] == 1) {
          cls = o;
        }
      }
      assertTrue(cls >= 0, "a pure centre");
      for (int j = 0; j < 4; j++) {
        assertEquals(v[cls * 4 + j], c[a * 4 + j], 1e-9);
      }
    }
    assertArrayEquals(c, Prototypes.kmeans(points, y, 3, 3, 50, 42, "dot").vectors(), 0);
    assertThrows(
        IllegalArgumentException.class, () -> Prototypes.kmeans(points, y, 3, 901, 5, 1, "dot"));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Prototypes(new double[2], 2, new double[1], 1, new String[] {"a"}, "cosine"));
  }
}
