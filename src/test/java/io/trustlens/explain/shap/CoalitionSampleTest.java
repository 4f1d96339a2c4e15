package io.trustlens.explain.shap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CoalitionSampleTest {

  @Test
  void randomCoalitionsOfASizeAreEquallyLikely() {
    CoalitionSample d = new CoalitionSample(6, 16);
    SplittableRandom random = new SplittableRandom(3);
    int draws = 60_000;
    for (int i = 0; i < draws; i++) {
      d.addRandom(2, random, false);
    }
    assertEquals(15, d.size(), "every pair of 6 players is drawn");
    double expected = draws / 15.0;
    for (int s = 0; s < d.size(); s++) {
      int players = 0;
      for (int i = 0; i < 6; i++) {
        players += d.has(s, i) ? 1 : 0;
      }
      assertEquals(2, players);
      // 4 standard deviations of a binomial count
      assertEquals(expected, d.weight(s), 4 * Math.sqrt(expected), "coalition " + s);
    }
  }

  @Test
  void repeatedDrawsMergeTheirWeightsAcrossWords() {
    int m = 70; // two words per coalition
    CoalitionSample d = new CoalitionSample(m, 4); // grows past its first capacity
    SplittableRandom random = new SplittableRandom(5);
    Map<String, Double> expected = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      d.addRandom(1 + random.nextInt(2), random, true); // sizes 1 and 2 of 70: many repeats
    }
    for (int s = 0; s < d.size(); s++) {
      StringBuilder key = new StringBuilder();
      int count = 0;
      for (int i = 0; i < m; i++) {
        key.append(d.has(s, i) ? '1' : '0');
        count += d.has(s, i) ? 1 : 0;
      }
      assertTrue(expected.put(key.toString(), d.weight(s)) == null, "each coalition once");
      assertTrue(count <= 2 || count >= m - 2, "a draw or its complement: " + count);
    }
    double total = 0;
    for (int s = 0; s < d.size(); s++) {
      total += d.weight(s);
    }
    assertEquals(6000, total, 1e-9, "every draw and complement counted once");
    assertTrue(d.size() < 6000, "repeats merged: " + d.size());
  }

  @Test
  void listNamesThePlayersInOrOutBelowALimit() {
    CoalitionSample d = new CoalitionSample(66, 2);
    d.addAllOfSize(1, 1.0, true); // {0} first, then its complement
    int[] out = new int[66];
    assertEquals(1, d.list(0, true, 65, out, 0));
    assertEquals(0, out[0]);
    int n = d.list(1, true, 65, out, 0);
    assertEquals(64, n, "players 1..64 of the complement, 65 left out by the limit");
    assertEquals(1, out[0]);
    assertEquals(64, out[63]);
    assertEquals(64, d.list(0, false, 65, out, 0));
  }
}
