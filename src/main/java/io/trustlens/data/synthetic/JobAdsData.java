package io.trustlens.data.synthetic;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Short job adverts whose salary is 50,000 plus the effects of known words plus noise (standard
 * deviation 1,000); every other word has no effect.
 */
public final class JobAdsData {
  static final Map<String, Integer> EFFECTS =
      Map.of(
          "senior", 20000, "lead", 15000, "manager", 12000, "python", 10000, "junior", -15000,
          "intern", -25000);
  static final List<String> SALARY_WORDS =
      List.of("senior", "lead", "manager", "python", "junior", "intern");
  static final List<String> NEUTRAL =
      List.of(
          "we",
          "are",
          "hiring",
          "a",
          "team",
          "member",
          "for",
          "our",
          "office",
          "in",
          "the",
          "city",
          "with",
          "flexible",
          "hours",
          "and",
          "friendly",
          "colleagues",
          "apply",
          "now",
          "role",
          "engineer",
          "analyst",
          "support",
          "growing",
          "company",
          "remote",
          "work");

  private JobAdsData() {}

  /** Writes {@code jobads.csv} (id, text, salary) and {@code jobads.truth.json}. */
  public static void write(Path dir, int rows, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    try (Writer out = Files.newBufferedWriter(dir.resolve("jobads.csv"))) {
      out.write("id,text,salary\n");
      for (int i = 0; i < rows; i++) {
        List<String> words = new ArrayList<>();
        int n = 8 + random.nextInt(7);
        for (int k = 0; k < n; k++) {
          words.add(NEUTRAL.get(random.nextInt(NEUTRAL.size())));
        }
        double salary = 50000 + 1000 * CreditData.gaussian(random);
        int special = random.nextInt(3);
        for (int k = 0; k < special; k++) {
          String w = SALARY_WORDS.get(random.nextInt(SALARY_WORDS.size()));
          if (!words.contains(w)) {
            words.add(random.nextInt(words.size() + 1), w);
            salary += EFFECTS.get(w);
          }
        }
        out.write(
            String.format(Locale.ROOT, "%d,\"%s\",%.0f%n", i, String.join(" ", words), salary));
      }
    }
    List<String> lines = new ArrayList<>();
    for (String w : SALARY_WORDS) {
      lines.add("    \"" + w + "\": " + EFFECTS.get(w));
    }
    Collections.sort(lines);
    Files.writeString(
        dir.resolve("jobads.truth.json"),
        "{\n  \"table\": \"jobads.csv\", \"text\": \"text\", \"label\": \"salary\",\n"
            + "  \"base_salary\": 50000, \"noise_sd\": 1000,\n"
            + "  \"rule\": \"salary = base + sum of the effects of the words present (each counted"
            + " once) + noise\",\n  \"word_effects\": {\n"
            + String.join(",\n", lines)
            + "\n  }\n}\n");
  }
}
