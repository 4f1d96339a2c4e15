package io.trustlens.explore.knn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explore.Datasets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NeighbourSearchTest {

  /** Recall@k of the approximate graph against exact neighbours on {@code sample} queries. */
  static double recall(Points points, NeighbourGraph approx, int k, int sample, long seed) {
    NeighbourSearch.Searcher exact = NeighbourSearch.exact().searcher(points, k);
    int[] truth = new int[k];
    double[] d2 = new double[k];
    Random r = new Random(seed);
    int hits = 0;
    for (int s = 0; s < sample; s++) {
      int q = r.nextInt(points.size());
      exact.find(q, truth, d2);
      for (int j = 0; j < k; j++) {
        for (int t : truth) {
          if (approx.neighbour(q, j) == t) {
            hits++;
          }
        }
      }
    }
    return hits / (double) (sample * k);
  }

  @Test
  void exactSearchMatchesSortingEveryDistance() {
    Random r = new Random(1);
    float[] v = new float[300 * 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    Points points = new Points(v, 4);
    NeighbourGraph graph =
        NeighbourGraph.local(points, NeighbourSearch.exact(), 7, NeighbourGraph.distances());
    for (int q = 0; q < 300; q += 17) {
      final int query = q;
      Integer[] others = new Integer[299];
      for (int j = 0, m = 0; j < 300; j++) {
        if (j != q) {
          others[m++] = j;
        }
      }
      Arrays.sort(
          others,
          (a, b) ->
              Double.compare(points.distanceSquared(query, a), points.distanceSquared(query, b)));
      int[] got = new int[7];
      int[] want = new int[7];
      for (int j = 0; j < 7; j++) {
        got[j] = graph.neighbour(q, j);
        want[j] = others[j];
        assertEquals(Math.sqrt(points.distanceSquared(q, others[j])), graph.value(q, j), 1e-5);
      }
      assertArrayEquals(want, got);
    }
  }

  @Test
  void forestRecallAtTenIsAtLeastNinetyPercent() {
    // 30-dimensional isotropic blobs: neighbours are nearly equidistant, a hard case for trees.
    double[][] blobs = Datasets.blobs(20_000, 30, 10, 3.0, 2);
    Points points = new Points(Datasets.floats(blobs, 30), 30);
    int k = 10;
    NeighbourSearch forest =
        NeighbourSearch.approximate(
            points, NeighbourSearch.DEFAULT_TREES, NeighbourSearch.defaultLeafSize(k), 7, 2);
    NeighbourGraph first = NeighbourGraph.local(points, forest, k, NeighbourGraph.distances());
    NeighbourGraph graph =
        NeighbourGraph.local(points, forest.refinedBy(first), k, NeighbourGraph.distances());
    double before = recall(points, first, k, 500, 3);
    double recall = recall(points, graph, k, 500, 3);
    System.out.printf("forest recall@10: %.3f, after one refinement round %.3f%n", before, recall);
    assertTrue(recall >= 0.9, "recall " + recall);
  }

  @Test
  void theForestIsTheSameForAnyNumberOfThreads() {
    double[][] blobs = Datasets.blobs(3000, 8, 3, 1.0, 4);
    Points points = new Points(Datasets.floats(blobs, 8), 8);
    NeighbourGraph one =
        NeighbourGraph.local(
            points,
            NeighbourSearch.approximate(points, 4, 64, 9, 1),
            5,
            NeighbourGraph.distances());
    NeighbourGraph four =
        NeighbourGraph.local(
            points,
            NeighbourSearch.approximate(points, 4, 64, 9, 4),
            5,
            NeighbourGraph.distances());
    for (int i = 0; i < 3000; i++) {
      for (int j = 0; j < 5; j++) {
        assertEquals(one.neighbour(i, j), four.neighbour(i, j));
      }
    }
  }

  /**
   * knn's driver-memory check: a million rows of 30 dimensions fit a 4 GB driver and not a 256 MB
   * one (the error names the rows, the need and the option), and rows beyond an array's reach are
   * refused whatever the heap.
   */
  @Test
  void knnRefusesTablesThatWouldNotFitTheDriver() {
    long bytes = Knn.driverBytesPerRow(30, 10, NeighbourSearch.DEFAULT_TREES);
    assertEquals(4 * 30 + 16 * 10 + 4 * 16 + 150, bytes);
    Knn.checkDriverMemory(1_000_000, 30, 10, NeighbourSearch.DEFAULT_TREES, 4L << 30);
    Knn.checkDriverMemory(3 * 512 * 1024, 30, 10, 16, 2 * 3 * 512 * 1024 * bytes); // exactly half
    assertThrows(
        io.trustlens.feature.InvalidFeatureException.class,
        () -> Knn.checkDriverMemory(1000, 30, 10, 16, 2 * 1000 * bytes - 2)); // a byte past half
    io.trustlens.feature.InvalidFeatureException e =
        assertThrows(
            io.trustlens.feature.InvalidFeatureException.class,
            () ->
                Knn.checkDriverMemory(
                    1_000_000, 30, 10, NeighbourSearch.DEFAULT_TREES, 256L << 20));
    assertTrue(e.getMessage().contains("1,000,000 rows of 30 dimensions"), e.getMessage());
    assertTrue(e.getMessage().contains("need about 471 MB"), e.getMessage());
    assertTrue(
        e.getMessage().contains("give the driver 1g or more (--driver-memory)"), e.getMessage());
    assertThrows(
        io.trustlens.feature.InvalidFeatureException.class,
        () -> Knn.checkDriverMemory(1L << 31, 2, 1, 1, Long.MAX_VALUE / 2));
  }
}
