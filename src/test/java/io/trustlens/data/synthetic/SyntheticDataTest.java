package io.trustlens.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticDataTest {

  @Test
  void sameSeedGivesTheSameBytesAsTheBundledFiles(@TempDir Path dir) throws Exception {
    CreditData.write(dir, 2000, 7);
    ShapesData.write(dir, 600, 8);
    JobAdsData.write(dir, 2000, 9);
    Path bundled = Path.of("datasets/synthetic");
    for (String f :
        List.of(
            "credit.csv", "credit.truth.json", "shapes.json", "jobads.csv", "jobads.truth.json")) {
      assertArrayEquals(
          Files.readAllBytes(bundled.resolve(f)), Files.readAllBytes(dir.resolve(f)), f);
    }
  }

  @Test
  void creditLabelsFollowTheTrueLogit(@TempDir Path dir) throws Exception {
    CreditData.write(dir, 20000, 11);
    List<String> lines = Files.readAllLines(dir.resolve("credit.csv"));
    double observed = 0;
    double expected = 0;
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      double logit =
          CreditData.logit(
              Double.parseDouble(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]), f[5]);
      expected += 1 / (1 + Math.exp(-logit));
      observed += Integer.parseInt(f[6]);
    }
    // 20,000 Bernoulli draws: the count is within 4 standard deviations (< 300) of its mean.
    assertEquals(expected, observed, 300);
  }

  @Test
  void shapesAreDecidedByTheTopLeftRegion(@TempDir Path dir) throws Exception {
    ShapesData.write(dir, 200, 3);
    for (String line : Files.readAllLines(dir.resolve("shapes.json"))) {
      int label = line.contains("\"label\":1") ? 1 : 0;
      String[] v = line.substring(line.indexOf('[') + 1, line.indexOf(']')).split(",");
      assertEquals(256, v.length);
      int bright = 0;
      boolean outside = false;
      for (int p = 0; p < v.length; p++) {
        if (Double.parseDouble(v[p]) == 1.0) {
          bright++;
          outside |= p / 16 >= 8 || p % 16 >= 8;
        }
      }
      assertEquals(16, bright);
      assertEquals(label == 0, outside, line.substring(0, 30));
    }
  }

  @Test
  void jobAdSalariesAreTheBasePlusTheirWordEffects(@TempDir Path dir) throws Exception {
    JobAdsData.write(dir, 500, 5);
    List<String> lines = Files.readAllLines(dir.resolve("jobads.csv"));
    for (String line : lines.subList(1, lines.size())) {
      String text = line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
      double salary = Double.parseDouble(line.substring(line.lastIndexOf(',') + 1));
      double effect = 0;
      for (String w : text.split(" ")) {
        effect += JobAdsData.EFFECTS.getOrDefault(w, 0);
      }
      assertTrue(Math.abs(salary - 50000 - effect) < 5000, line);
    }
  }
}
