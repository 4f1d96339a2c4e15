package io.trustlens.explore.tsne;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.explore.Datasets;
import io.trustlens.explore.knn.NeighbourGraph;
import io.trustlens.explore.knn.NeighbourSearch;
import io.trustlens.explore.knn.Points;
import org.junit.jupiter.api.Test;

class TsneCoreTest {

  static double[] map(Points points, double perplexity, int threads) {
    int k = (int) Math.min(points.size() - 1, 3 * perplexity);
    NeighbourGraph graph =
        NeighbourGraph.local(
            points,
            NeighbourSearch.exact(),
            k,
            (d2, out) -> Perplexity.conditional(d2, perplexity, out));
    double[] y = Initialisation.pca(points);
    new TsneOptimizer().threads(threads).optimise(Affinities.symmetric(graph), y, null);
    return y;
  }

  @Test
  void perplexityCalibrationHitsTheTargetEntropy() {
    double[] d2 = new double[90];
    for (int j = 0; j < 90; j++) {
      d2[j] = 0.5 + j * 0.37;
    }
    float[] p = new float[90];
    Perplexity.conditional(d2, 30, p);
    double h = 0;
    double sum = 0;
    for (float v : p) {
      sum += v;
      if (v > 0) {
        h -= v * Math.log(v);
      }
    }
    assertEquals(1.0, sum, 1e-5);
    assertEquals(30, Math.exp(h), 0.01);
  }

  @Test
  void affinitiesAreSymmetricAndSumToOne() {
    double[][] blobs = Datasets.blobs(300, 5, 3, 1.0, 3);
    Points points = new Points(Datasets.floats(blobs, 5), 5);
    NeighbourGraph graph =
        NeighbourGraph.local(
            points, NeighbourSearch.exact(), 30, (d2, out) -> Perplexity.conditional(d2, 10, out));
    Affinities p = Affinities.symmetric(graph);
    double total = 0;
    java.util.Map<Long, Float> entries = new java.util.HashMap<>();
    for (int i = 0; i < p.n; i++) {
      for (int e = p.rowStart[i]; e < p.rowStart[i + 1]; e++) {
        total += p.value[e];
        entries.put((long) i * p.n + p.column[e], p.value[e]);
        if (e > p.rowStart[i]) {
          assertTrue(p.column[e] > p.column[e - 1], "columns ascending, no duplicates");
        }
      }
    }
    assertEquals(1.0, total, 1e-5);
    entries.forEach(
        (key, v) -> assertEquals(v, entries.get((key % p.n) * p.n + key / p.n), 0f, "symmetric"));
  }

  @Test
  void digitsMapKeepsNeighbourhoods() {
    double[][] digits = Datasets.digits();
    Points points = new Points(Datasets.floats(digits, 64), 64);
    long t0 = System.nanoTime();
    double[] y = map(points, 30, 2);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double[][] high = new double[digits.length][64];
    double[][] low = new double[digits.length][2];
    for (int i = 0; i < digits.length; i++) {
      System.arraycopy(digits[i], 0, high[i], 0, 64);
      low[i][0] = y[2 * i];
      low[i][1] = y[2 * i + 1];
    }
    double t = Trustworthiness.of(high, low, 10);
    System.out.printf("digits t-SNE: trustworthiness %.4f in %.1f s%n", t, seconds);
    assertTrue(t >= 0.98, "trustworthiness " + t);
  }

  @Test
  void theMapIsTheSameForAnyNumberOfThreads() {
    double[][] blobs = Datasets.blobs(2500, 10, 4, 1.0, 5);
    Points points = new Points(Datasets.floats(blobs, 10), 10);
    NeighbourGraph graph =
        NeighbourGraph.local(
            points, NeighbourSearch.exact(), 30, (d2, out) -> Perplexity.conditional(d2, 10, out));
    Affinities p = Affinities.symmetric(graph);
    double[] one = Initialisation.pca(points);
    double[] three = one.clone();
    new TsneOptimizer().iterations(50, 50).threads(1).optimise(p, one, null);
    new TsneOptimizer().iterations(50, 50).threads(3).optimise(p, three, null);
    assertArrayEquals(one, three, 0.0);
    double[] fftOne = Initialisation.pca(points);
    double[] fftThree = fftOne.clone();
    new TsneOptimizer().repulsion("fft").iterations(30, 30).threads(1).optimise(p, fftOne, null);
    new TsneOptimizer().repulsion("fft").iterations(30, 30).threads(3).optimise(p, fftThree, null);
    assertArrayEquals(fftOne, fftThree, 0.0, "FFT repulsion too");
  }

  /** Exact repulsion sums, O(n²). */
  static void exact(double[] y, int n, double[] z, double[] f) {
    for (int i = 0; i < n; i++) {
      double zi = 0;
      double fx = 0;
      double fy = 0;
      for (int j = 0; j < n; j++) {
        if (j != i) {
          double dx = y[2 * i] - y[2 * j];
          double dy = y[2 * i + 1] - y[2 * j + 1];
          double q = 1 / (1 + dx * dx + dy * dy);
          zi += q;
          fx += q * q * dx;
          fy += q * q * dy;
        }
      }
      z[i] = zi;
      f[2 * i] = fx;
      f[2 * i + 1] = fy;
    }
  }

  @Test
  void fftAndBarnesHutRepulsionMatchExactSums() {
    int n = 3000;
    java.util.Random r = new java.util.Random(8);
    double[] y = new double[2 * n];
    for (int i = 0; i < n; i++) {
      double cx = (i % 5) * 12 - 24;
      y[2 * i] = cx + r.nextGaussian() * 3;
      y[2 * i + 1] = (i % 3) * 10 + r.nextGaussian() * 3;
    }
    double[] z = new double[n];
    double[] f = new double[2 * n];
    exact(y, n, z, f);
    double[] zf = new double[n];
    double[] ff = new double[2 * n];
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(2);
    new FftRepulsion().compute(y, n, zf, ff, pool);
    double[] zb = new double[n];
    double[] fb = new double[2 * n];
    new QuadTree(y, n).repulsion(0.5, zb, fb, pool);
    pool.shutdown();
    double zTotal = 0;
    double zFft = 0;
    double zBh = 0;
    double norm = 0;
    double errFft = 0;
    double errBh = 0;
    for (int i = 0; i < n; i++) {
      zTotal += z[i];
      zFft += zf[i];
      zBh += zb[i];
    }
    for (int c = 0; c < 2 * n; c++) {
      norm += f[c] * f[c];
      errFft += (ff[c] - f[c]) * (ff[c] - f[c]);
      errBh += (fb[c] - f[c]) * (fb[c] - f[c]);
    }
    double relFft = Math.sqrt(errFft / norm);
    double relBh = Math.sqrt(errBh / norm);
    System.out.printf(
        "repulsion vs exact: FFT Z %.2e forces %.2e; Barnes-Hut Z %.2e forces %.2e%n",
        Math.abs(zFft / zTotal - 1), relFft, Math.abs(zBh / zTotal - 1), relBh);
    assertEquals(1, zFft / zTotal, 1e-3);
    assertEquals(1, zBh / zTotal, 1e-2);
    // Three nodes per unit box, as FIt-SNE: a few per cent on the sharper 1/(1+r²)² kernel.
    assertTrue(relFft < 3e-2, "FFT forces " + relFft);
    assertTrue(relBh < 5e-2, "Barnes-Hut forces " + relBh);
  }

  @Test
  void digitsMapWithFftRepulsionKeepsNeighbourhoods() {
    double[][] digits = Datasets.digits();
    Points points = new Points(Datasets.floats(digits, 64), 64);
    NeighbourGraph graph =
        NeighbourGraph.local(
            points, NeighbourSearch.exact(), 90, (d2, out) -> Perplexity.conditional(d2, 30, out));
    double[] y = Initialisation.pca(points);
    Affinities p = Affinities.symmetric(graph);
    new TsneOptimizer().repulsion("fft").threads(2).optimise(p, y, null);
    double[][] high = new double[digits.length][64];
    double[][] low = new double[digits.length][2];
    for (int i = 0; i < digits.length; i++) {
      System.arraycopy(digits[i], 0, high[i], 0, 64);
      low[i][0] = y[2 * i];
      low[i][1] = y[2 * i + 1];
    }
    double t = Trustworthiness.of(high, low, 10);
    System.out.printf("digits t-SNE with FFT repulsion: trustworthiness %.4f%n", t);
    assertTrue(t >= 0.98, "trustworthiness " + t);
  }
}
