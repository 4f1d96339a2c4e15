package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input options a run's tasks do not read are a warning in its summary, and explore honours {@code
 * --on-invalid} for the feature columns it maps.
 */
class InputOptionsUseTest {
  private static final String IRIS = "datasets/iris.csv";
  @TempDir Path dir;

  @Test
  void optionsNoTaskReadsAreWarnedAboutAndOptionsReadAreNot() throws Exception {
    JsonNode profile =
        run("profile", "--input", IRIS, "--vector", "v", "--on-invalid", "skip").at("/warnings");
    assertEquals(
        List.of(
            "input: vector (v) is not used: no task of this run reads its features from the input",
            "input: on_invalid (skip) is not used: no task of this run scores or reads features"),
        texts(profile));
    JsonNode shapeAlone =
        run("explore", "--input", IRIS, "--method", "pca", "--image-shape", "1,2,2")
            .at("/warnings");
    assertEquals(
        List.of("input: image_shape (1,2,2) is not used: no image column is named"),
        texts(shapeAlone));
    JsonNode read =
        run(
                "explore",
                "--input",
                IRIS,
                "--method",
                "pca",
                "--features",
                "sepal_length_cm,petal_length_cm",
                "--on-invalid",
                "skip")
            .at("/warnings");
    assertEquals(List.of(), texts(read));
  }

  @Test
  void exploreRefusesANullFeatureNamingItsRowOrSkipsAndCountsIt() throws Exception {
    List<String> lines = Files.readAllLines(Path.of(IRIS));
    List<String> holed = new ArrayList<>(List.of("id," + lines.get(0)));
    int holes = 0;
    for (int i = 1; i < lines.size(); i++) {
      String[] v = lines.get(i).split(",", -1);
      if (i % 10 == 3) {
        v[2] = i % 20 == 3 ? "" : "NaN";
        holes++;
      }
      holed.add(i + "," + String.join(",", v));
    }
    Path table = dir.resolve("holed.csv");
    Files.write(table, holed);
    String[] args = {"explore", "--input", table.toString(), "--id", "id", "--method", "pca"};
    Path refused = dir.resolve("refused");
    Cli error = Cli.run(with(args, "--output", refused.toString()));
    assertEquals(1, error.exitCode());
    assertTrue(
        error
            .errors()
            .contains(
                "null in column 'petal_length_cm' of row id=3, which explore maps; fix the row or"
                    + " pass --on-invalid skip"),
        error.errors());
    assertTrue(!Files.exists(refused.resolve("summary.json")), "no summary for a failed run");

    Path skipped = dir.resolve("skipped");
    Cli skip = Cli.run(with(args, "--on-invalid", "skip", "--output", skipped.toString()));
    assertEquals(0, skip.exitCode(), skip.errors());
    JsonNode summary = new ObjectMapper().readTree(skipped.resolve("summary.json").toFile());
    assertEquals(holes, summary.at("/tasks/0/rows_skipped_invalid").asLong(), summary.toString());
    long mapped = SparkTestSession.get().read().parquet(skipped.resolve("pca").toString()).count();
    assertEquals(150 - holes, mapped);
  }

  private JsonNode run(String... args) throws Exception {
    Path out = dir.resolve("run" + Files.list(dir).count());
    Cli cli = Cli.run(with(args, "--output", out.toString()));
    assertEquals(0, cli.exitCode(), cli.errors());
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  private static String[] with(String[] args, String... more) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
