package io.trustlens.explain.lime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.FeatureGroup;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The LIME sampler's block loops with vector instructions: the same draws and indicators as one by
 * one, and whole neighbourhoods the same bits in JVMs with and without the vectors.
 */
class DrawLanesTest {

  /** A block's draws are the stream's, draw by draw, for every block length and lane remainder. */
  @Test
  void aBlockOfDrawsIsTheStreamDrawByDraw() {
    SplittableRandom r = new SplittableRandom(5);
    for (int n : new int[] {0, 1, 2, 3, 4, 5, 7, 8, 9, 63, 64, 128}) {
      long start = r.nextLong();
      long[] expected = new long[n];
      long state = start;
      for (int i = 0; i < n; i++) {
        state += SplitMix.GAMMA;
        expected[i] = SplitMix.mix(state);
      }
      long[] plain = new long[n];
      assertEquals(state, SplitMix.fill(start, plain, n), "the state after n = " + n);
      assertArrayEquals(expected, plain, "n = " + n);
      long[] lanes = new long[n + 3]; // room past n stays untouched
      assertEquals(state, DrawLanes.fill(start, lanes, n), "lanes' state after n = " + n);
      assertArrayEquals(expected, Arrays.copyOf(lanes, n), "lanes, n = " + n);
      assertArrayEquals(new long[3], Arrays.copyOfRange(lanes, n, n + 3), "past n = " + n);
    }
  }

  /** A player's block of indicators equals its samples' one by one, in one word or two. */
  @Test
  void aBlockOfIndicatorsIsEachSamplesOwn() {
    SplittableRandom r = new SplittableRandom(8);
    for (int players : new int[] {30, 64, 70}) {
      int samples = 200;
      Neighbourhood block = Neighbourhood.indicators(samples, players);
      Neighbourhood single = Neighbourhood.indicators(samples, players);
      for (int j = 0; j < players; j++) {
        for (int from = 1; from < samples; from += 64) {
          int n = Math.min(samples - from, 64 - r.nextInt(3)); // tails of 0..3 past the lanes
          long[] drawn = new long[n];
          int own = r.nextInt(4);
          for (int i = 0; i < n; i++) {
            drawn[i] = r.nextInt(4);
            single.setWhenEqual(from + i, j, (int) drawn[i], own);
          }
          block.setWhereEqual(from, n, j, drawn, own);
        }
      }
      assertArrayEquals(single.bits(), block.bits(), players + " players");
      assertTrue(Arrays.stream(block.bits()).anyMatch(b -> b != 0));
      long[] words = new long[4];
      DrawLanes.orWhereEqual(words, 0, new long[] {2, 1, 2, 2}, 4, 2, 1L << 5);
      assertArrayEquals(new long[] {32, 0, 32, 32}, words, "the lanes alone");
    }
  }

  /**
   * Whole neighbourhoods (quartiles drawn as truncated normals and as pieces between split
   * thresholds, categories, scaled normals, and shared samples' codes) are the same bits in this
   * JVM as in JVMs without vectors or without 64-bit lane products.
   */
  @Test
  void neighbourhoodsAreTheSameBitsWithAndWithoutVectors() throws Exception {
    String here = Probe.digest();
    String module = "--add-modules=jdk.incubator.vector";
    assertEquals(here, digestIn(module), "a JVM like this one");
    assertEquals(here, digestIn(module, "-Dtrustlens.vectors=false"), "plain Java");
    assertEquals(here, digestIn(module, "-XX:+IgnoreUnrecognizedVMOptions", "-XX:UseAVX=2"));
    // 64-bit lane products need AVX-512 and vectors.
    assertEquals(
        "false", longMultiplyIn(module, "-XX:+IgnoreUnrecognizedVMOptions", "-XX:UseAVX=2"));
    assertEquals("false", longMultiplyIn(module, "-Dtrustlens.vectors=false"));
  }

  private static String digestIn(String... options) throws Exception {
    return child(options, "digest");
  }

  /** {@link Lanes#LONG_MULTIPLY} in a JVM started with {@code options}. */
  private static String longMultiplyIn(String... options) throws Exception {
    return child(options, "multiply");
  }

  private static String child(String[] options, String what) throws Exception {
    return ChildJvm.output(List.of(options), Probe.class, what);
  }

  /** Prints a digest of sampled neighbourhoods, or whether this JVM multiplies 64-bit lanes. */
  public static final class Probe {
    public static void main(String[] args) {
      System.out.println(
          args[0].equals("multiply") ? String.valueOf(Lanes.LONG_MULTIPLY) : digest());
    }

    static String digest() {
      SplittableRandom r = new SplittableRandom(13);
      int d = 8; // 5 numeric players, then a one-hot block of 3
      int rows = 400;
      double[] reference = new double[rows * d];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < 5; j++) {
          reference[i * d + j] = r.nextGaussian() * (j + 1) + j;
        }
        reference[i * d + 5 + r.nextInt(3)] = 1;
      }
      List<FeatureGroup> groups = new ArrayList<>();
      for (int j = 0; j < 5; j++) {
        groups.add(new FeatureGroup("x" + j, new int[] {j}));
      }
      groups.add(new FeatureGroup("colour", new int[] {5, 6, 7}));
      TabularStatistics stats = TabularStatistics.of(reference, d, groups);
      double[][] thresholds = new double[d][];
      thresholds[1] = new double[] {-1, 0.5, 1.5, 4};
      thresholds[3] = new double[] {2, 3};
      long hash = 17;
      int n = 301; // four blocks and a sample: a lane tail in the last
      for (boolean discretize : new boolean[] {true, false}) {
        TabularSampler sampler = new TabularSampler(stats, discretize, n, d, thresholds);
        Neighbourhood rep = sampler.neighbourhood();
        double[] inputs = new double[n * d];
        for (int row = 0; row < 5; row++) {
          sampler.sample(reference, row * d, new SplittableRandom(row), inputs, 0, rep);
          hash = hash(hash, inputs, rep);
        }
        SharedSamples shared = sampler.shared(new SplittableRandom(77));
        hash = 31 * hash + Arrays.hashCode(shared.inputs());
        hash = 31 * hash + Arrays.hashCode(shared.codes());
        sampler.neighbourhood(reference, 0, shared, rep);
        hash = hash(hash, shared.inputs(), rep);
      }
      return Long.toHexString(hash);
    }

    private static long hash(long hash, double[] inputs, Neighbourhood rep) {
      hash = 31 * hash + Arrays.hashCode(inputs);
      for (int i = 0; i < rep.samples(); i++) {
        for (int j = 0; j < rep.players(); j++) {
          hash = 31 * hash + Double.hashCode(rep.value(i, j));
        }
      }
      return hash;
    }
  }
}
