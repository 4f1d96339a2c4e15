package io.trustlens.explain.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explore.Datasets;
import io.trustlens.explore.knn.NeighbourGraph;
import io.trustlens.explore.knn.NeighbourSearch;
import io.trustlens.explore.knn.Points;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The nearest-examples core against brute force: neighbours, calibration and credibility. */
class ExampleIndexTest {

  @Test
  void credibilityFollowsThePapersFormulaByHand() {
    // calibration scores {0, 1, 1, 2, 5}; neighbours vote 3 for label 0, 1 for label 1
    Credibility c = Credibility.calibrate(new int[] {5, 1, 0, 2, 1}, 3);
    Credibility.Verdict v = c.judge(new int[] {0, 1, 0, 0});
    // α = (1, 3, 4): p = (4/5, 1/5, 1/5)
    assertArrayEquals(new double[] {0.8, 0.2, 0.2}, v.p(), 1e-15);
    assertEquals(0, v.prediction());
    assertEquals(0.8, v.credibility(), 1e-15);
    assertEquals(0.8, v.confidence(), 1e-15);
    // every neighbour agreeing: α = 0, every calibration score is at least that
    assertEquals(1.0, c.judge(new int[] {2, 2, 2, 2}).credibility(), 0);
  }

  @Test
  void pValuesEqualCountingTheCalibrationScores() {
    Random r = new Random(3);
    int[] scores = IntStream.range(0, 500).map(i -> r.nextInt(31)).toArray();
    Credibility c = Credibility.calibrate(scores, 4);
    for (int alpha = -1; alpha <= 32; alpha++) {
      final int a = alpha;
      long atLeast = Arrays.stream(scores).filter(s -> s >= a).count();
      assertEquals(atLeast / 500.0, c.pValue(alpha), 0, "alpha " + alpha);
    }
    for (int t = 0; t < 200; t++) {
      int[] labels = IntStream.range(0, 30).map(i -> r.nextInt(4)).toArray();
      Credibility.Verdict v = c.judge(labels);
      double[] p = new double[4];
      for (int j = 0; j < 4; j++) {
        int alpha = 0;
        for (int y : labels) {
          alpha += y != j ? 1 : 0;
        }
        final int a = alpha;
        p[j] = Arrays.stream(scores).filter(s -> s >= a).count() / 500.0;
      }
      assertArrayEquals(p, v.p(), 0);
      double[] sorted = p.clone();
      Arrays.sort(sorted);
      assertEquals(sorted[3], v.credibility(), 0);
      assertEquals(1 - sorted[2], v.confidence(), 1e-15);
      assertEquals(sorted[3], p[v.prediction()], 0);
    }
  }

  @Test
  void exactExamplesAndCalibrationEqualBruteForce() {
    double[][] rows = Datasets.blobs(1200, 5, 3, 3.0, 7);
    Points all = new Points(Datasets.floats(rows, 5), 5);
    int[] indexed = IntStream.range(0, 1000).toArray();
    int[] held = IntStream.range(1000, 1200).toArray();
    Points points = subset(all, indexed);
    Points calibration = subset(all, held);
    int[] classOf = Arrays.stream(indexed).map(i -> (int) rows[i][5]).toArray();
    int[] heldClass = Arrays.stream(held).map(i -> (int) rows[i][5]).toArray();
    int k = 9;
    ExampleIndex index =
        ExampleIndex.calibrated(
            points, NeighbourSearch.exact(), k, classOf, 3, calibration, heldClass, 3);
    int[] expectedScores = new int[held.length];
    for (int c = 0; c < held.length; c++) {
      int[] truth = bruteForce(points, row(calibration, c), k);
      expectedScores[c] =
          Credibility.nonconformity(
              Arrays.stream(truth).map(i -> classOf[i]).toArray(), heldClass[c]);
    }
    Arrays.sort(expectedScores);
    assertArrayEquals(expectedScores, index.credibility().scores());

    ExampleIndex.Searcher s = index.searcher();
    Random r = new Random(11);
    for (int t = 0; t < 50; t++) {
      float[] q = new float[5];
      for (int j = 0; j < 5; j++) {
        q[j] = (float) (r.nextGaussian() * 8);
      }
      s.find(q);
      int[] truth = bruteForce(points, q, k);
      assertArrayEquals(truth, s.index());
      for (int j = 0; j < k; j++) {
        assertEquals(Math.sqrt(points.distanceSquared(truth[j], q)), s.distance()[j], 0);
        assertEquals(classOf[truth[j]], s.labels()[j]);
      }
    }
  }

  @Test
  void approximateExamplesRecallNineteenTwentiethsOfTheExactOnes() {
    // isotropic 30-D blobs: the hard case, with no lower-dimensional structure to exploit
    double[][] rows = Datasets.blobs(30_000, 30, 10, 2.0, 5);
    Points points = new Points(Datasets.floats(rows, 30), 30);
    int k = 10;
    int degree = ExampleIndex.graphDegree(k);
    NeighbourSearch forest =
        NeighbourSearch.approximate(points, 16, NeighbourSearch.defaultLeafSize(degree), 42, 2);
    NeighbourGraph first = NeighbourGraph.local(points, forest, degree, NeighbourGraph.distances());
    NeighbourSearch refined =
        forest.refinedBy(
            NeighbourGraph.local(
                points, forest.refinedBy(first), degree, NeighbourGraph.distances()));
    ExampleIndex.Searcher approx = ExampleIndex.of(points, refined, k).searcher();
    ExampleIndex.Searcher forestOnly = ExampleIndex.of(points, forest, k).searcher();
    ExampleIndex.Searcher exact = ExampleIndex.of(points, NeighbourSearch.exact(), k).searcher();
    double[][] queries = Datasets.blobs(300, 30, 10, 2.0, 5); // the same centres, new draws
    int hits = 0;
    int forestHits = 0;
    for (double[] q : queries) {
      float[] v = new float[30];
      for (int j = 0; j < 30; j++) {
        v[j] = (float) (q[j] + 0.01); // not a point of the index
      }
      exact.find(v);
      approx.find(v);
      forestOnly.find(v);
      hits += overlap(exact.index(), approx.index());
      forestHits += overlap(exact.index(), forestOnly.index());
    }
    double recall = hits / (300.0 * k);
    double forestRecall = forestHits / (300.0 * k);
    assertTrue(recall >= 0.95, "recall@10 " + recall + " (forest alone " + forestRecall + ")");
    assertTrue(
        recall > forestRecall + 0.05, "the walk on the graph adds " + (recall - forestRecall));
  }

  @Test
  void refusesMoreExamplesThanRows() {
    Points points = new Points(new float[] {0, 1, 2}, 1);
    assertThrows(
        IllegalArgumentException.class, () -> ExampleIndex.of(points, NeighbourSearch.exact(), 4));
    assertThrows(IllegalArgumentException.class, () -> Credibility.calibrate(new int[0], 2));
  }

  private static int overlap(int[] a, int[] b) {
    int n = 0;
    for (int x : a) {
      for (int y : b) {
        n += x == y ? 1 : 0;
      }
    }
    return n;
  }

  private static int[] bruteForce(Points points, float[] q, int k) {
    return IntStream.range(0, points.size())
        .boxed()
        .sorted(
            Comparator.<Integer>comparingDouble(i -> points.distanceSquared(i, q))
                .thenComparingInt(i -> i))
        .limit(k)
        .mapToInt(Integer::intValue)
        .toArray();
  }

  private static float[] row(Points p, int i) {
    float[] v = new float[p.dimensions()];
    for (int j = 0; j < v.length; j++) {
      v[j] = p.get(i, j);
    }
    return v;
  }

  private static Points subset(Points p, int[] rows) {
    float[] v = new float[rows.length * p.dimensions()];
    for (int a = 0; a < rows.length; a++) {
      System.arraycopy(row(p, rows[a]), 0, v, a * p.dimensions(), p.dimensions());
    }
    return new Points(v, p.dimensions());
  }
}
