package io.trustlens.explain.occlusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.FeatureGroup;
import io.trustlens.feature.ImageShape;
import io.trustlens.model.BatchModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.OutputKind;
import io.trustlens.model.Scores;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The occlusion cores against exact answers of models linear in their inputs. */
class OcclusionCoreTest {

  /** Two outputs, {@code w·x} and {@code -w·x + 1}, scored in chunks of 7 rows. */
  static BatchModel linear(double[] w) {
    ModelInfo info =
        new ModelInfo(
            "linear",
            "Linear",
            new int[] {w.length},
            List.of("up", "down"),
            OutputKind.LOGIT,
            Set.of());
    return new BatchModel() {
      @Override
      public ModelInfo info() {
        return info;
      }

      @Override
      public int batchRows() {
        return 7;
      }

      @Override
      public Scores score(double[] inputs, int rows) {
        double[] out = new double[rows * 2];
        double[] pred = new double[rows];
        for (int i = 0; i < rows; i++) {
          double s = 0;
          for (int j = 0; j < w.length; j++) {
            s += w[j] * inputs[i * w.length + j];
          }
          out[2 * i] = s;
          out[2 * i + 1] = 1 - s;
          pred[i] = s > 1 - s ? 0 : 1;
        }
        return new Scores(out, pred, 2);
      }
    };
  }

  static double[] random(int n, long seed) {
    Random r = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian();
    }
    return v;
  }

  @Test
  void patchPositionsCoverEveryPixelAndStayInside() {
    for (int n = 1; n <= 20; n++) {
      for (int p = 1; p <= n; p++) {
        for (int s = 1; s <= p; s++) {
          int[] starts = PatchOcclusion.starts(n, p, s);
          boolean[] covered = new boolean[n];
          for (int k = 0; k < starts.length; k++) {
            assertTrue(starts[k] >= 0 && starts[k] + p <= n, "inside");
            assertTrue(k == 0 || starts[k] > starts[k - 1], "ascending, no repeats");
            for (int y = starts[k]; y < starts[k] + p; y++) {
              covered[y] = true;
            }
          }
          for (int y = 0; y < n; y++) {
            assertTrue(covered[y], n + "/" + p + "/" + s + ": pixel " + y);
          }
          assertEquals(0, starts[0]);
        }
      }
    }
    assertArrayEquals(new int[] {0, 2, 4}, PatchOcclusion.starts(8, 4, 2), "Captum's positions");
    assertArrayEquals(new int[] {0, 3, 5}, PatchOcclusion.starts(8, 3, 3), "plus the edge");
  }

  @Test
  void onePixelPatchesGiveEachPixelsTermOfALinearModel() {
    ImageShape shape = new ImageShape(1, 6, 5);
    double[] w = random(30, 1);
    double[] x = random(30, 2);
    OcclusionMap m =
        new OcclusionBatches(linear(w), 0)
            .explain(new PatchOcclusion(shape, 1, 1, Fill.constant(0)), x, 1)[0];
    for (int p = 0; p < 30; p++) {
      assertEquals(w[p] * x[p], m.values()[p], 1e-12, "pixel " + p);
    }
  }

  @Test
  void overlappingPatchesAverageTheirDropsOverEveryChannel() {
    ImageShape shape = new ImageShape(2, 5, 4);
    double[] w = random(40, 3);
    double[] x = random(40, 4);
    double fill = 0.25;
    int patch = 3;
    int stride = 2;
    OcclusionMap m =
        new OcclusionBatches(linear(w), 1)
            .explain(new PatchOcclusion(shape, patch, stride, Fill.constant(fill)), x, 1)[0];
    assertEquals(20, m.values().length, "one channel of H x W");
    // The oracle from the definition: every position, every pixel it covers, both channels.
    int[] ys = {0, 2};
    int[] xs = {0, 1};
    double[] sum = new double[20];
    int[] count = new int[20];
    for (int y0 : ys) {
      for (int x0 : xs) {
        double drop = 0;
        for (int c = 0; c < 2; c++) {
          for (int y = y0; y < y0 + patch; y++) {
            for (int xx = x0; xx < x0 + patch; xx++) {
              int j = c * 20 + y * 4 + xx;
              drop += -w[j] * (x[j] - fill); // output 1 is 1 - w.x
            }
          }
        }
        for (int y = y0; y < y0 + patch; y++) {
          for (int xx = x0; xx < x0 + patch; xx++) {
            sum[y * 4 + xx] += drop;
            count[y * 4 + xx]++;
          }
        }
      }
    }
    for (int p = 0; p < 20; p++) {
      assertEquals(sum[p] / count[p], m.values()[p], 1e-12, "pixel " + p);
    }
    assertEquals(1, m.target());
  }

  @Test
  void fillsAreTheImageMeanPerChannelAndABlurThatKeepsAConstantImage() {
    ImageShape shape = new ImageShape(2, 3, 3);
    double[] x = new double[18];
    for (int i = 0; i < 18; i++) {
      x[i] = i < 9 ? i : 100;
    }
    double[] mean = Fill.imageMean(shape).of(x);
    assertEquals(4.0, mean[0]);
    assertEquals(100.0, mean[17]);
    double[] blurred = Fill.blur(shape, 1.0).of(x);
    assertEquals(100.0, blurred[12], 1e-9, "a constant channel stays constant");
    assertTrue(blurred[0] > x[0] && blurred[8] < x[8], "a ramp is smoothed toward its middle");
  }

  @Test
  void featureGroupsDropTheirTermsToTheFill() {
    double[] w = random(6, 5);
    double[] x = random(6, 6);
    double[] fill = random(6, 7);
    List<FeatureGroup> groups =
        List.of(
            new FeatureGroup("a", new int[] {0}),
            new FeatureGroup("onehot", new int[] {1, 2, 3}),
            new FeatureGroup("b", new int[] {4}),
            new FeatureGroup("c", new int[] {5}));
    OcclusionMap m =
        new OcclusionBatches(linear(w), 0)
            .explain(new FeatureOcclusion(groups, Fill.values(fill)), x, 1)[0];
    for (int g = 0; g < groups.size(); g++) {
      double expected = 0;
      for (int j : groups.get(g).slots()) {
        expected += w[j] * (x[j] - fill[j]);
      }
      assertEquals(expected, m.values()[g], 1e-12, groups.get(g).name());
    }
  }

  @Test
  void aRowsMapDoesNotDependOnItsBatchAndPredictedFollowsEachRow() {
    double[] w = random(4, 8);
    int n = 23;
    double[] xs = random(n * 4, 9);
    Occluder occluder =
        new FeatureOcclusion(
            List.of(
                new FeatureGroup("a", new int[] {0}),
                new FeatureGroup("b", new int[] {1}),
                new FeatureGroup("c", new int[] {2, 3})),
            Fill.constant(0));
    OcclusionBatches batches = new OcclusionBatches(linear(w), OcclusionBatches.PREDICTED);
    OcclusionMap[] together = batches.explain(occluder, xs, n);
    for (int i = 0; i < n; i++) {
      double[] x = java.util.Arrays.copyOfRange(xs, i * 4, i * 4 + 4);
      OcclusionMap alone = batches.explain(occluder, x, 1)[0];
      assertArrayEquals(alone.values(), together[i].values(), 0.0, "row " + i);
      double s = 0;
      for (int j = 0; j < 4; j++) {
        s += w[j] * x[j];
      }
      assertEquals(s > 1 - s ? 0 : 1, alone.target(), "the larger output is explained");
    }
  }

  @Test
  void wordPlayersAreDistinctWordsThenRunsAndCopiesRemoveEveryOccurrence() {
    List<String> tokens = List.of("senior", "python", "engineer", "python", "engineer");
    assertEquals(
        List.of(List.of("senior"), List.of("python"), List.of("engineer")),
        new WordOcclusion(1).players(tokens));
    List<List<String>> two = new WordOcclusion(2).players(tokens);
    assertEquals(6, two.size(), "3 words, then senior python, python engineer, engineer python");
    assertEquals(List.of("python", "engineer"), two.get(4));
    assertEquals(List.of("senior"), WordOcclusion.without(tokens, List.of("python", "engineer")));
    assertEquals(
        List.of("senior", "engineer", "engineer"),
        WordOcclusion.without(tokens, List.of("python")));
    assertEquals(
        List.of("senior", "python", "engineer"),
        WordOcclusion.without(tokens, List.of("engineer", "python")));
    assertTrue(new WordOcclusion(3).players(List.of()).isEmpty());
  }

  @Test
  void badSettingsAreNamed() {
    ImageShape shape = new ImageShape(1, 8, 8);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new PatchOcclusion(shape, 9, 1, Fill.constant(0)));
    assertTrue(e.getMessage().contains("larger than the 8x8 image"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PatchOcclusion(shape, 2, 0, null));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new PatchOcclusion(shape, 2, 3, Fill.constant(0)));
    assertTrue(e.getMessage().contains("would have no value"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Fill.blur(shape, 0));
    assertThrows(IllegalArgumentException.class, () -> new WordOcclusion(0));
  }
}
