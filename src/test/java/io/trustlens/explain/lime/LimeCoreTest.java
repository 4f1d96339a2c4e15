package io.trustlens.explain.lime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.FeatureGroup;
import io.trustlens.model.BatchModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.OutputKind;
import io.trustlens.model.Scores;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;

/** LIME's statistics, sampler and surrogate against exact oracles and lime's distributions. */
class LimeCoreTest {

  /** Reference rows: a skewed numeric column, a uniform one, and a one-hot block of 3 slots. */
  private static double[] reference(int n) {
    SplittableRandom r = new SplittableRandom(3);
    double[] rows = new double[n * 5];
    for (int i = 0; i < n; i++) {
      rows[i * 5] = Math.exp(r.nextGaussian());
      rows[i * 5 + 1] = r.nextDouble() * 10;
      double u = r.nextDouble();
      int c = u < 0.5 ? 0 : u < 0.8 ? 1 : 2; // shares 0.5, 0.3, 0.2
      rows[i * 5 + 2 + c] = 1;
    }
    return rows;
  }

  private static final List<FeatureGroup> GROUPS =
      List.of(
          new FeatureGroup("skewed", new int[] {0}),
          new FeatureGroup("uniform", new int[] {1}),
          new FeatureGroup("colour", new int[] {2, 3, 4}));

  @Test
  void statisticsAreNumpysPercentilesAndScikitsScaler() {
    assertEquals(1.75, TabularStatistics.percentile(new double[] {1, 2, 3, 4}, 25), 1e-15);
    assertEquals(3.25, TabularStatistics.percentile(new double[] {1, 2, 3, 4}, 75), 1e-15);
    double[] rows = {1, 2, 2, 2, 3, 2, 4, 2};
    TabularStatistics s =
        TabularStatistics.of(
            rows,
            2,
            List.of(new FeatureGroup("a", new int[] {0}), new FeatureGroup("b", new int[] {1})));
    assertArrayEquals(new double[] {1.75, 2.5, 3.25}, s.boundaries()[0], 1e-15);
    assertEquals(2.5, s.mean()[0], 1e-15);
    assertEquals(Math.sqrt(1.25), s.scale()[0], 1e-15);
    // A constant column: scale 1, one boundary, everything in bin 0 (values <= 2).
    assertEquals(1, s.scale()[1]);
    assertArrayEquals(new double[] {2}, s.boundaries()[1]);
    assertArrayEquals(new double[] {1, 0}, s.shares()[1]);
    assertEquals(0, s.bin(0, 1.75));
    assertEquals(1, s.bin(0, 1.76));
    assertEquals(3, s.bin(0, 9));
    assertArrayEquals(new double[] {1, 1.75, 2.5, 3.25}, s.binMin()[0]);
    assertArrayEquals(new double[] {1.75, 2.5, 3.25, 4}, s.binMax()[0]);

    TabularStatistics c = TabularStatistics.of(reference(10_000), 5, GROUPS);
    assertEquals(3, c.categories()[2].length);
    assertArrayEquals(new double[] {0, 0, 1}, c.categories()[2][0]); // ascending blocks
    assertEquals(0.2, c.shares()[2][0], 0.02);
    assertEquals(0.5, c.shares()[2][2], 0.02);
    assertEquals(1.0, Arrays.stream(c.shares()[0]).sum(), 1e-12);
  }

  @Test
  void quartileSamplesFollowLimesDistribution() {
    TabularStatistics s = TabularStatistics.of(reference(4_000), 5, GROUPS);
    int n = 40_000;
    TabularSampler sampler = new TabularSampler(s, true, n, 5);
    double[] x = {1.0, 7.5, 0, 1, 0};
    double[] inputs = new double[n * 5];
    Neighbourhood rep = sampler.neighbourhood();
    assertTrue(rep.isIndicators());
    sampler.sample(x, 0, new SplittableRandom(11), inputs, 0, rep);
    assertArrayEquals(x, Arrays.copyOf(inputs, 5));
    assertArrayEquals(new double[] {1, 1, 1}, row(rep, 0));
    // Bins drawn with their shares (chi-square, 3 degrees of freedom, p = 0.001 line 16.27).
    for (int j = 0; j < 2; j++) {
      long[] counts = new long[s.shares()[j].length];
      for (int i = 1; i < n; i++) {
        int b = s.bin(j, inputs[i * 5 + j]);
        counts[b]++;
        assertEquals(b == s.bin(j, x[j]) ? 1.0 : 0.0, rep.value(i, j), "sample " + i);
      }
      assertTrue(chiSquare(counts, s.shares()[j]) < 16.27, "bins of player " + j);
    }
    // Categories drawn with their shares (2 degrees of freedom, line 13.82).
    long[] cats = new long[3];
    for (int i = 1; i < n; i++) {
      int c = s.category(2, inputs, i * 5);
      cats[c]++;
      assertEquals(c == 1 ? 1.0 : 0.0, rep.value(i, 2));
    }
    assertTrue(chiSquare(cats, s.shares()[2]) < 13.82);
    // Within a bin, values follow the bin's truncated normal (Kolmogorov-Smirnov, 0.1% line).
    for (int b = 0; b < 4; b++) {
      double[] values = new double[n];
      int k = 0;
      for (int i = 1; i < n; i++) {
        if (s.bin(0, inputs[i * 5]) == b) {
          values[k++] = inputs[i * 5];
        }
      }
      values = Arrays.copyOf(values, k);
      Arrays.sort(values);
      double mu = s.binMean()[0][b];
      double sd = s.binStd()[0][b];
      double lo = s.binMin()[0][b];
      double hi = s.binMax()[0][b];
      double ks = 0;
      for (int i = 0; i < k; i++) {
        double cdf =
            (phi((values[i] - mu) / sd) - phi((lo - mu) / sd))
                / (phi((hi - mu) / sd) - phi((lo - mu) / sd));
        ks = Math.max(ks, Math.max(Math.abs(cdf - (i + 1.0) / k), Math.abs(cdf - (double) i / k)));
        assertTrue(values[i] >= lo && values[i] <= hi);
      }
      assertTrue(ks * Math.sqrt(k) < 1.95, "bin " + b + ": KS " + ks * Math.sqrt(k));
    }
  }

  /**
   * For a model that reads a numeric player only through split thresholds, quartile samples give
   * each piece of each bin between the thresholds its probability under lime's law: the bin's share
   * times its truncated normal's mass on the piece (computed here from the normal's CDF), as the
   * piece's upper end, which the model scores as every value of the piece. Chi-square of the pieces
   * drawn at the 0.1% line; the table's own probabilities equal the formula; a player without
   * thresholds, and the categories, are drawn as before.
   */
  @Test
  void quartileSamplesBetweenSplitThresholdsFollowLimesLawPieceByPiece() {
    TabularStatistics s = TabularStatistics.of(reference(4_000), 5, GROUPS);
    double lo0 = s.binMin()[0][0];
    double hi1 = s.binMax()[0][1];
    double[] cuts = {0.1, lo0, 0.5, 0.75, hi1, 1.3, 1.6, 2.2, 4.0, 1e9};
    Arrays.sort(cuts); // lo0 is the least value of the reference: a cut at a bin's lower bound
    double[][] thresholds = {cuts, null, {0.5}, {0.5}, {0.5}};
    int n = 60_000;
    TabularSampler sampler = new TabularSampler(s, true, n, 5, thresholds);
    SharedSamples drawn = sampler.shared(new SplittableRandom(12));
    // Expected: per bin, its pieces' upper ends and probabilities, from the normal's CDF.
    Map<String, Double> expected = new LinkedHashMap<>();
    for (int b = 0; b < 4; b++) {
      double mu = s.binMean()[0][b];
      double sd = s.binStd()[0][b];
      double lo = s.binMin()[0][b];
      double hi = s.binMax()[0][b];
      double all = phi((hi - mu) / sd) - phi((lo - mu) / sd);
      double from = lo;
      List<Double> ends = new ArrayList<>();
      for (double t : cuts) {
        if (t >= lo && t < hi) {
          ends.add(t);
        }
      }
      ends.add(hi);
      for (double end : ends) {
        double p = s.shares()[0][b] * (phi((end - mu) / sd) - phi((from - mu) / sd)) / all;
        expected.merge(b + " " + end, p, Double::sum);
        from = end;
      }
    }
    assertTrue(expected.size() >= 10, "pieces: " + expected.keySet());
    PiecewiseBins bins =
        PiecewiseBins.of(
            s.shares()[0], s.binMean()[0], s.binStd()[0], s.binMin()[0], s.binMax()[0], cuts);
    assertEquals(expected.size(), bins.pieces());
    for (int k = 0; k < bins.pieces(); k++) {
      String key = bins.bin(k) + " " + bins.value(k);
      assertEquals(expected.get(key), bins.probability(k), 1e-12, key);
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    expected.keySet().forEach(key -> counts.put(key, 0L));
    for (int i = 1; i < n; i++) {
      String key = drawn.codes()[i * 3] + " " + drawn.inputs()[i * 5];
      assertTrue(counts.containsKey(key), "sample " + i + " gave " + key + ", not a piece's end");
      counts.merge(key, 1L, Long::sum);
    }
    long[] observed = counts.values().stream().mapToLong(Long::longValue).toArray();
    double[] shares = expected.values().stream().mapToDouble(Double::doubleValue).toArray();
    double line =
        new ChiSquaredDistribution(Arrays.stream(shares).filter(p -> p > 0).count() - 1)
            .inverseCumulativeProbability(0.999);
    double chi = chiSquare(observed, shares);
    assertTrue(chi < line, "pieces: chi-square " + chi + " against " + line);
    // The player without thresholds keeps its truncated normals: values all over its bins.
    long distinct =
        IntStream.range(1, n).mapToDouble(i -> drawn.inputs()[i * 5 + 1]).distinct().count();
    assertTrue(distinct > n / 2, "player 1's values: " + distinct + " distinct");
    long[] cats = new long[3];
    for (int i = 1; i < n; i++) {
      cats[s.category(2, drawn.inputs(), i * 5)]++;
    }
    assertTrue(chiSquare(cats, s.shares()[2]) < 13.82);
    // A row's own draws from the same stream are the shared ones, its indicators its bins'.
    double[] x = {1.0, 7.5, 0, 1, 0};
    double[] inputs = new double[n * 5];
    Neighbourhood own = sampler.neighbourhood();
    sampler.sample(x, 0, new SplittableRandom(12), inputs, 0, own);
    assertArrayEquals(
        Arrays.copyOfRange(drawn.inputs(), 5, n * 5), Arrays.copyOfRange(inputs, 5, n * 5));
    for (int i = 1; i < n; i++) {
      for (int j = 0; j < 3; j++) {
        int mine = j == 2 ? s.category(2, x, 0) : s.bin(j, x[j]);
        assertEquals(drawn.codes()[i * 3 + j] == mine ? 1.0 : 0.0, own.value(i, j), "sample " + i);
      }
    }
  }

  /**
   * The alias table's own distribution: each outcome's probability summed over the table's slots is
   * its share (exactly 0 for a share of 0), for 1 to 2,048 outcomes; and draws follow it (one
   * {@code nextLong} split into slot and coin: chi-square at the 0.1% line).
   */
  @Test
  void aliasTablesGiveEachOutcomeItsShare() {
    SplittableRandom r = new SplittableRandom(21);
    for (int t = 0; t < 300; t++) {
      int n = t == 0 ? AliasTable.MAX_SLOTS : 1 + r.nextInt(40);
      int[] outcomes = new int[n];
      double[] shares = new double[n];
      for (int k = 0; k < n; k++) {
        outcomes[k] = 3 * k + 1;
        shares[k] = r.nextInt(4) == 0 ? 0 : r.nextDouble() * (r.nextBoolean() ? 1 : 1e-6);
      }
      shares[r.nextInt(n)] = 0.5;
      double total = Arrays.stream(shares).sum();
      AliasTable table = new AliasTable(outcomes, shares);
      assertEquals(Integer.highestOneBit(2 * n - 1), table.slots(), "slots for " + n);
      for (int k = 0; k < n; k++) {
        double p = table.probability(outcomes[k]);
        if (shares[k] == 0) {
          assertEquals(0.0, p, "outcome " + k + " of " + n);
        } else {
          assertEquals(shares[k] / total, p, 1e-14, "outcome " + k + " of " + n);
        }
      }
    }
    double[] shares = {0.1, 0.0, 0.45, 0.05, 0.25, 0.15};
    AliasTable table = new AliasTable(new int[] {0, 1, 2, 3, 4, 5}, shares);
    long[] counts = new long[shares.length];
    SplittableRandom draws = new SplittableRandom(4);
    for (int i = 0; i < 200_000; i++) {
      counts[table.draw(draws)]++;
    }
    assertEquals(0, counts[1]);
    long[] drawn = {counts[0], counts[2], counts[3], counts[4], counts[5]};
    // 4 degrees of freedom: the 0.1% line is 18.47.
    assertTrue(chiSquare(drawn, new double[] {0.1, 0.45, 0.05, 0.25, 0.15}) < 18.47);
  }

  /**
   * The branch-free draw is the coin rule {@code u < coin ? heads : alias} bit for bit: at random
   * bits, and on both sides of every slot's threshold, where one 53-bit step turns heads to alias.
   */
  @Test
  void aliasDrawsWithoutABranchFollowTheCoinRule() {
    SplittableRandom r = new SplittableRandom(23);
    for (int t = 0; t < 50; t++) {
      int n = 1 + r.nextInt(t == 0 ? AliasTable.MAX_SLOTS : 40);
      int[] outcomes = new int[n];
      double[] shares = new double[n];
      for (int k = 0; k < n; k++) {
        outcomes[k] = k;
        shares[k] = r.nextInt(5) == 0 ? 0 : r.nextDouble();
      }
      shares[0] = 1;
      AliasTable table = new AliasTable(outcomes, shares);
      for (int i = 0; i < 2000; i++) {
        long bits = r.nextLong();
        assertEquals(table.drawByCoin(bits), table.draw(bits));
      }
      int slotBits = Integer.numberOfTrailingZeros(table.slots());
      for (int slot = 0; slot < table.slots(); slot++) {
        long high = slotBits == 0 ? 0 : (long) slot << (64 - slotBits);
        long k = table.threshold(slot);
        for (long low : new long[] {k - 1, k, k + 1, 0, (1L << 53) - 1}) {
          if (low >= 0 && low < 1L << 53) {
            long bits = high | low;
            assertEquals(table.drawByCoin(bits), table.draw(bits), "slot " + slot + ", low " + low);
          }
        }
      }
    }
  }

  /**
   * The draw of a bin or category equals the plain scan (the first positive share whose running sum
   * exceeds u; the last positive one when rounding leaves u above them all), at and around every
   * running sum, with shares of 0 anywhere.
   */
  @Test
  void aDrawIsTheFirstRunningShareAboveU() {
    SplittableRandom r = new SplittableRandom(11);
    for (int t = 0; t < 2000; t++) {
      int n = 1 + r.nextInt(6);
      double[] shares = new double[n];
      for (int k = 0; k < n; k++) {
        shares[k] = r.nextInt(4) == 0 ? 0 : r.nextDouble();
      }
      shares[r.nextInt(n)] = 0.5; // at least one positive
      double total = Arrays.stream(shares).sum();
      int drawn = (int) Arrays.stream(shares).filter(v -> v > 0).count();
      int[] drawable = new int[drawn];
      double[] cumulative = new double[drawn];
      double sum = 0;
      for (int k = 0, i = 0; k < n; k++) {
        sum += shares[k] / total;
        if (shares[k] > 0) {
          drawable[i] = k;
          cumulative[i++] = sum;
        }
      }
      java.util.List<Double> us = new java.util.ArrayList<>(List.of(0.0, r.nextDouble(), 1.5));
      for (double c : cumulative) {
        us.addAll(List.of(c, Math.nextDown(c), Math.nextUp(c)));
      }
      for (double u : us) {
        int expected = -1;
        double running = 0;
        for (int k = 0; k < n && expected < 0; k++) {
          running += shares[k] / total;
          if (shares[k] > 0 && u < running) {
            expected = k;
          }
        }
        if (expected < 0) {
          expected = drawable[drawn - 1];
        }
        assertEquals(expected, TabularSampler.draw(drawable, cumulative, u), "u = " + u);
      }
    }
  }

  @Test
  void continuousSamplesAreTheScaledNormal() {
    TabularStatistics s = TabularStatistics.of(reference(4_000), 5, GROUPS);
    int n = 20_000;
    TabularSampler sampler = new TabularSampler(s, false, n, 5);
    double[] x = {2.0, 7.5, 1, 0, 0};
    double[] inputs = new double[n * 5];
    Neighbourhood rep = sampler.neighbourhood();
    assertFalse(rep.isIndicators());
    sampler.sample(x, 0, new SplittableRandom(5), inputs, 0, rep);
    assertEquals((2.0 - s.mean()[0]) / s.scale()[0], rep.value(0, 0), 1e-15);
    double[] z = new double[n - 1];
    for (int i = 1; i < n; i++) {
      z[i - 1] = rep.value(i, 1);
      assertEquals(s.mean()[1] + s.scale()[1] * z[i - 1], inputs[i * 5 + 1], 1e-12);
    }
    Arrays.sort(z);
    double ks = 0;
    for (int i = 0; i < z.length; i++) {
      ks = Math.max(ks, Math.abs(phi(z[i]) - (i + 0.5) / z.length));
    }
    assertTrue(ks * Math.sqrt(z.length) < 1.95, "KS " + ks * Math.sqrt(z.length));
  }

  /** Indicators held as bits (70 players: two words) read and measure as the same values. */
  @Test
  void indicatorBitsAreTheirValues() {
    SplittableRandom r = new SplittableRandom(8);
    int n = 50;
    int m = 70;
    double[] x = new double[n * m];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextInt(3) == 0 ? 1 : 0;
    }
    Neighbourhood bits = Neighbourhood.of(x, n, m);
    Neighbourhood values = Neighbourhood.valuesOf(x, n, m);
    assertTrue(bits.isIndicators());
    assertFalse(values.isIndicators());
    assertFalse(Neighbourhood.of(new double[] {1, 0.5}, 1, 2).isIndicators());
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        assertEquals(x[i * m + j], bits.value(i, j));
      }
      assertEquals(values.distance2(i), bits.distance2(i), "sample " + i);
    }
    assertTrue(bits.distance2(7) > 0);
    double[] all = new double[n];
    bits.distances2(all);
    for (int i = 0; i < n; i++) {
      assertEquals(bits.distance2(i), all[i]);
    }
  }

  /**
   * Real values stored by column read back by sample and player, and every sample's distance summed
   * down the columns has the bits of its own sum over players.
   */
  @Test
  void valuesReadBackAndMeasureTheSameByColumn() {
    SplittableRandom r = new SplittableRandom(9);
    int n = 40;
    int m = 13;
    double[] x = new double[n * m];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextGaussian() * 1e3;
    }
    Neighbourhood values = Neighbourhood.of(x, n, m);
    double[] all = new double[n];
    values.distances2(all);
    for (int i = 0; i < n; i++) {
      double d2 = 0;
      for (int j = 0; j < m; j++) {
        assertEquals(x[i * m + j], values.value(i, j));
        d2 += (x[i * m + j] - x[j]) * (x[i * m + j] - x[j]);
      }
      assertEquals(d2, values.distance2(i), "sample " + i);
      assertEquals(d2, all[i], "sample " + i);
    }
  }

  @Test
  void sparseSumsOfIndicatorsEqualTheDenseOnes() {
    SplittableRandom r = new SplittableRandom(12);
    int n = 500;
    int m = 9;
    double[] x = new double[n * m];
    double[] y = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        x[i * m + j] = i == 0 || r.nextDouble() < 0.3 ? 1 : 0;
        y[i] += x[i * m + j] * (j - 4);
      }
      y[i] += r.nextGaussian();
      w[i] = r.nextDouble();
    }
    for (String selection : LocalSurrogate.SELECTIONS) {
      LocalSurrogate.Fit sparse = new LocalSurrogate(1, selection, 4, true).fit(x, y, w, n, m);
      LocalSurrogate.Fit dense = new LocalSurrogate(1, selection, 4, false).fit(x, y, w, n, m);
      assertArrayEquals(dense.weights(), sparse.weights(), 1e-9, selection);
      assertEquals(dense.intercept(), sparse.intercept(), 1e-9);
      assertEquals(dense.score(), sparse.score(), 1e-9);
    }
  }

  /**
   * With LIME's kernel the weights depend on a sample's distance alone, and the pairs' sums are
   * counted by distance (more than 64 players, too: two words a sample); they equal the dense sums,
   * and the fit's R², taken from the moments, equals the weighted R² of its own predictions.
   */
  @Test
  void kernelWeightedIndicatorsSummedByDistanceEqualTheDenseOnes() {
    SplittableRandom r = new SplittableRandom(13);
    for (int m : new int[] {9, 70}) {
      int n = 777;
      double[] x = new double[n * m];
      double[] y = new double[n];
      double[] w = new double[n];
      for (int i = 0; i < n; i++) {
        int zeros = 0;
        for (int j = 0; j < m; j++) {
          x[i * m + j] = i == 0 || r.nextDouble() < 0.3 ? 1 : 0;
          zeros += x[i * m + j] == 0 ? 1 : 0;
          y[i] += x[i * m + j] * (j % 7 - 3);
        }
        y[i] += 0.5 * r.nextGaussian();
        w[i] = Math.sqrt(Math.exp(-zeros / (0.5625 * m)));
      }
      for (String selection : LocalSurrogate.SELECTIONS) {
        LocalSurrogate.Fit sparse = new LocalSurrogate(1, selection, 4, true).fit(x, y, w, n, m);
        LocalSurrogate.Fit dense = new LocalSurrogate(1, selection, 4, false).fit(x, y, w, n, m);
        String name = selection + ", " + m + " players";
        assertArrayEquals(dense.weights(), sparse.weights(), 1e-9, name);
        assertEquals(dense.intercept(), sparse.intercept(), 1e-9, name);
        assertEquals(dense.score(), sparse.score(), 1e-9, name);
        double mean = 0;
        double total = 0;
        for (int i = 0; i < n; i++) {
          mean += w[i] * y[i];
          total += w[i];
        }
        mean /= total;
        double residual = 0;
        double squares = 0;
        for (int i = 0; i < n; i++) {
          double fit = sparse.intercept();
          for (int j = 0; j < m; j++) {
            fit += sparse.weights()[j] * x[i * m + j];
          }
          residual += w[i] * (y[i] - fit) * (y[i] - fit);
          squares += w[i] * (y[i] - mean) * (y[i] - mean);
        }
        assertEquals(1 - residual / squares, sparse.score(), 1e-12, name);
        assertTrue(sparse.score() > 0.1 && sparse.score() < 1, name + ": " + sparse.score());
      }
    }
  }

  @Test
  void textSamplesRemoveAUniformNumberOfWordsAsAUniformSubset() {
    int d = 4;
    int n = 24_001;
    double[] z = TextLime.design(d, n, new SplittableRandom(3));
    assertArrayEquals(new double[] {1, 1, 1, 1}, Arrays.copyOf(z, d));
    long[] sizes = new long[d];
    long[] pairs = new long[6]; // the 2-subsets removed, in lexicographic order
    for (int s = 1; s < n; s++) {
      int removed = 0;
      int mask = 0;
      for (int j = 0; j < d; j++) {
        if (z[s * d + j] == 0) {
          removed++;
          mask |= 1 << j;
        }
      }
      sizes[removed - 1]++;
      if (removed == 2) {
        int k = 0;
        for (int a = 0; a < d; a++) {
          for (int b = a + 1; b < d; b++, k++) {
            if (mask == ((1 << a) | (1 << b))) {
              pairs[k]++;
            }
          }
        }
      }
    }
    // 1..d words removed, each count equally likely (3 degrees of freedom: line 16.27).
    assertTrue(chiSquare(sizes, new double[] {0.25, 0.25, 0.25, 0.25}) < 16.27);
    // Given two removed, each pair equally likely (5 degrees of freedom: line 20.52).
    double[] sixth = new double[6];
    Arrays.fill(sixth, 1.0 / 6);
    assertTrue(chiSquare(pairs, sixth) < 20.52, Arrays.toString(pairs));
  }

  @Test
  void ridgeMeetsItsOptimalityConditions() {
    SplittableRandom r = new SplittableRandom(8);
    int n = 300;
    int m = 4;
    double[] x = new double[n * m];
    double[] y = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        x[i * m + j] = r.nextGaussian();
      }
      y[i] = 1 + 2 * x[i * m] - x[i * m + 2] + 0.3 * r.nextGaussian();
      w[i] = r.nextDouble();
    }
    double alpha = 5;
    LocalSurrogate.Fit f = new LocalSurrogate(alpha, "none", 4).fit(x, y, w, n, m);
    // Gradient of sum w (y - b - x.beta)^2 + alpha |beta|^2 vanishes in b and every beta_j.
    double[] grad = new double[m + 1];
    for (int i = 0; i < n; i++) {
      double res = y[i] - f.intercept();
      for (int j = 0; j < m; j++) {
        res -= f.weights()[j] * x[i * m + j];
      }
      grad[m] += w[i] * res;
      for (int j = 0; j < m; j++) {
        grad[j] += w[i] * res * x[i * m + j];
      }
    }
    for (int j = 0; j < m; j++) {
      assertEquals(alpha * f.weights()[j], grad[j], 1e-9, "beta " + j);
    }
    assertEquals(0, grad[m], 1e-9);
    double pred = f.intercept();
    for (int j = 0; j < m; j++) {
      pred += f.weights()[j] * x[j];
    }
    assertEquals(pred, f.prediction(), 1e-12);
    assertTrue(f.score() > 0.9 && f.score() < 1, "R2 " + f.score());
  }

  @Test
  void lassoPathKnotsMeetTheLassoConditions() {
    int drops = 0;
    for (int seed = 0; seed < 60; seed++) {
      drops += checkLassoPath(new SplittableRandom(seed), 40, 8);
    }
    assertTrue(drops > 0, "no design made a coefficient leave the path");
  }

  /** Checks the path of one random, strongly correlated design; returns how many players left. */
  private static int checkLassoPath(SplittableRandom r, int n, int m) {
    double[][] g = new double[m][m];
    double[] c = new double[m];
    double[][] x = new double[n][m];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double common = r.nextGaussian();
      for (int j = 0; j < m; j++) {
        x[i][j] = r.nextGaussian() + 2 * common;
        y[i] += (r.nextDouble() * 4 - 2) * x[i][j] / m;
      }
      y[i] += 0.5 * r.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        c[j] += x[i][j] * y[i];
        for (int k = 0; k < m; k++) {
          g[j][k] += x[i][j] * x[i][k];
        }
      }
    }
    List<double[]> path = LocalSurrogate.lassoPath(g, c);
    int left = 0;
    for (int p = 0; p < path.size(); p++) {
      double[] beta = path.get(p);
      double[] corr = new double[m];
      double lambda = 0;
      for (int j = 0; j < m; j++) {
        corr[j] = c[j];
        for (int k = 0; k < m; k++) {
          corr[j] -= g[j][k] * beta[k];
        }
        lambda = Math.max(lambda, Math.abs(corr[j]));
      }
      for (int j = 0; j < m; j++) {
        if (beta[j] != 0) {
          assertEquals(lambda * Math.signum(beta[j]), corr[j], 1e-6 * (1 + lambda), "active");
        } else {
          assertTrue(Math.abs(corr[j]) <= lambda * (1 + 1e-9) + 1e-9);
        }
        if (p > 0 && path.get(p - 1)[j] != 0 && beta[j] == 0) {
          left++;
        }
      }
    }
    // The path ends at least squares: every correlation zero.
    double[] last = path.get(path.size() - 1);
    for (int j = 0; j < m; j++) {
      double corr = c[j];
      for (int k = 0; k < m; k++) {
        corr -= g[j][k] * last[k];
      }
      assertEquals(0, corr, 1e-6 * (1 + Math.abs(c[j])));
    }
    // The first player in is the one most correlated with y.
    int first =
        java.util.stream.IntStream.range(0, m)
            .filter(j -> path.get(1)[j] != 0)
            .findFirst()
            .getAsInt();
    for (int j = 0; j < m; j++) {
      assertTrue(Math.abs(c[j]) <= Math.abs(c[first]));
    }
    return left;
  }

  /**
   * Shared samples are a row's own draws from the same stream: the same inputs bit for bit, and a
   * row's interpretable values of them are those its own sampling marks (quartiles and categories
   * as bits, over 70 players in two words, and scaled values beside indicators).
   */
  @Test
  void sharedSamplesAreEachRowsOwnDrawsFromTheirStream() {
    SplittableRandom r = new SplittableRandom(21);
    int m = 70;
    int d = m + 2; // the last player a one-hot block of 3 slots
    double[] rows = new double[500 * d];
    List<FeatureGroup> groups = new java.util.ArrayList<>();
    for (int j = 0; j < m - 1; j++) {
      groups.add(new FeatureGroup("f" + j, new int[] {j}));
    }
    groups.add(new FeatureGroup("colour", new int[] {m - 1, m, m + 1}));
    for (int i = 0; i < 500; i++) {
      for (int j = 0; j < m - 1; j++) {
        rows[i * d + j] = j % 7 == 0 ? r.nextInt(3) : r.nextGaussian() * (1 + j);
      }
      rows[i * d + m - 1 + r.nextInt(3)] = 1;
    }
    TabularStatistics s = TabularStatistics.of(rows, d, groups);
    int n = 300;
    for (boolean discretize : new boolean[] {true, false}) {
      TabularSampler sampler = new TabularSampler(s, discretize, n, d);
      SharedSamples shared = sampler.shared(new SplittableRandom(99));
      Neighbourhood rep = sampler.neighbourhood();
      Neighbourhood own = sampler.neighbourhood();
      assertEquals(discretize, rep.isIndicators());
      for (int row = 0; row < 6; row++) {
        double[] inputs = new double[n * d];
        sampler.sample(rows, row * d, new SplittableRandom(99), inputs, 0, own);
        sampler.neighbourhood(rows, row * d, shared, rep);
        assertArrayEquals(
            Arrays.copyOfRange(inputs, d, n * d),
            Arrays.copyOfRange(shared.inputs(), d, n * d),
            "the same draws");
        for (int i = 0; i < n; i++) {
          assertArrayEquals(row(own, i), row(rep, i), "row " + row + ", sample " + i);
        }
      }
      assertTrue(rep.distance2(1) > 0);
    }
    TabularSampler partial =
        new TabularSampler(TabularStatistics.of(rows, d, groups.subList(0, 5)), true, n, d);
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> partial.shared(new SplittableRandom(1)));
    assertTrue(e.getMessage().contains("cover 5 of the 72 inputs"), e.getMessage());
  }

  /**
   * A row explained against shared samples gets the bits of its explanation alone from the shared
   * stream (the per-row path with the shared key); the model scores the shared samples once.
   */
  @Test
  void sharedSamplesGiveEachRowItsExplanationFromTheSharedStream() {
    TabularStatistics s = TabularStatistics.of(reference(2_000), 5, GROUPS);
    double[] xs = Arrays.copyOf(reference(9), 45);
    BatchModel[] models = {new Linear(new double[] {1.5, -0.4, 2, 0.3, -1}), new Softmax()};
    for (BatchModel model : models) {
      for (boolean discretize : new boolean[] {true, false}) {
        TabularLime shared =
            new TabularLime(
                    model,
                    new TabularSampler(s, discretize, 500, 5),
                    new LocalSurrogate(1, "none", 3),
                    0,
                    TabularLime.PREDICTED,
                    42)
                .shareSamples();
        TabularLime.Result[] all = shared.explain(xs, new long[9], 9);
        assertEquals(499 + 9, shared.evaluations(), "the shared samples scored once");
        shared.explain(xs, new long[9], 9);
        assertEquals(499 + 18, shared.evaluations());
        for (int i = 0; i < 9; i++) {
          TabularLime alone =
              new TabularLime(
                  model,
                  new TabularSampler(s, discretize, 500, 5),
                  new LocalSurrogate(1, "none", 3),
                  0,
                  TabularLime.PREDICTED,
                  42);
          TabularLime.Result one =
              alone
                  .explain(
                      Arrays.copyOfRange(xs, i * 5, i * 5 + 5),
                      new long[] {TabularLime.SHARED_KEY},
                      1)[0];
          String what =
              model.info().kind() + (discretize ? " quartile" : " continuous") + " row " + i;
          assertArrayEquals(one.fit().weights(), all[i].fit().weights(), what);
          assertEquals(one.fit().intercept(), all[i].fit().intercept(), what);
          assertEquals(one.fit().score(), all[i].fit().score(), what);
          assertEquals(one.output(), all[i].output(), what);
          assertEquals(one.target(), all[i].target(), what);
        }
      }
    }
  }

  /** f(x) = 3 x0 - x1 + 0.5 x2 (+ 0 x3), one output: LIME recovers signs, ranking, fidelity. */
  @Test
  void recoversALinearModelsCoefficients() {
    double[] coef = {3, -1, 0.5, 0};
    BatchModel linear = new Linear(coef);
    SplittableRandom r = new SplittableRandom(4);
    int n = 2000;
    double[] rows = new double[n * 4];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = r.nextGaussian();
    }
    List<FeatureGroup> groups =
        List.of(
            new FeatureGroup("a", new int[] {0}),
            new FeatureGroup("b", new int[] {1}),
            new FeatureGroup("c", new int[] {2}),
            new FeatureGroup("d", new int[] {3}));
    TabularStatistics s = TabularStatistics.of(rows, 4, groups);
    double[] xs = {0.3, 0.3, 1.0, 0.5};
    for (boolean discretize : new boolean[] {false, true}) {
      TabularLime lime =
          new TabularLime(
              linear,
              new TabularSampler(s, discretize, 20_000, 4),
              new LocalSurrogate(1, "none", 4),
              0,
              TabularLime.PREDICTED,
              42);
      TabularLime.Result res = lime.explain(xs, new long[] {7}, 1)[0];
      double[] wts = res.fit().weights();
      if (!discretize) {
        for (int j = 0; j < 4; j++) {
          assertEquals(coef[j] * s.scale()[j], wts[j], 0.02 * (1 + Math.abs(coef[j])), "w" + j);
        }
        assertTrue(res.fit().score() > 0.99, "fidelity " + res.fit().score());
      } else {
        // Being in the row's bin moves f by the coefficient times the bin's offset from the other
        // bins' mean: +0.43 for 0.3 (x0, x1: weights near 1.3 and -0.43), +1.7 for 1.0 (x2:
        // 0.85), so the signs are the coefficients' and the order is x0, x2, x1, x3.
        assertTrue(wts[0] > 0 && wts[1] < 0 && wts[2] > 0, Arrays.toString(wts));
        assertTrue(
            wts[0] > wts[2] && wts[2] > -wts[1] && -wts[1] > Math.abs(wts[3]),
            Arrays.toString(wts));
        assertEquals(0, wts[3], 0.25, Arrays.toString(wts)); // noise: sd about 0.06 over keys
      }
      assertEquals(linear.outputs(xs, 1)[0], res.output(), 1e-12);
    }
  }

  private static double chiSquare(long[] counts, double[] shares) {
    long total = Arrays.stream(counts).sum();
    double chi = 0;
    for (int k = 0; k < counts.length; k++) {
      if (shares[k] > 0) {
        double e = shares[k] * total;
        chi += (counts[k] - e) * (counts[k] - e) / e;
      } else {
        assertEquals(0, counts[k]);
      }
    }
    return chi;
  }

  private static double[] row(Neighbourhood rep, int i) {
    double[] v = new double[rep.players()];
    for (int j = 0; j < v.length; j++) {
      v[j] = rep.value(i, j);
    }
    return v;
  }

  private static double phi(double z) {
    return 0.5 * Erf.erfc(-z / Math.sqrt(2));
  }

  /** A three-class softmax of the first three inputs as a batch model. */
  record Softmax() implements BatchModel {
    @Override
    public ModelInfo info() {
      return new ModelInfo(
          "softmax",
          "test",
          new int[] {5},
          List.of("a", "b", "c"),
          OutputKind.LOGIT,
          java.util.Set.of());
    }

    @Override
    public Scores score(double[] inputs, int rows) {
      double[] out = new double[rows * 3];
      double[] predicted = new double[rows];
      for (int i = 0; i < rows; i++) {
        out[i * 3] = inputs[i * 5] - 1;
        out[i * 3 + 1] = 0.2 * inputs[i * 5 + 1];
        out[i * 3 + 2] = inputs[i * 5 + 2] + inputs[i * 5 + 3];
        predicted[i] = OutputKind.LOGIT.predict(out, i * 3, 3);
      }
      return new Scores(out, predicted, 3);
    }
  }

  /** A linear regressor as a batch model. */
  record Linear(double[] coef) implements BatchModel {
    @Override
    public ModelInfo info() {
      return new ModelInfo(
          "linear",
          "test",
          new int[] {coef.length},
          List.of("y"),
          OutputKind.REGRESSION,
          java.util.Set.of());
    }

    @Override
    public Scores score(double[] inputs, int rows) {
      double[] out = new double[rows];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < coef.length; j++) {
          out[i] += coef[j] * inputs[i * coef.length + j];
        }
      }
      return new Scores(out, out, 1);
    }
  }
}
