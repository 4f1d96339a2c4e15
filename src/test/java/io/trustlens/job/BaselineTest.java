package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code audit --baseline}: no change against the same input, the shift against a moved one. */
class BaselineTest {
  @TempDir Path dir;

  @Test
  void theSameInputShowsNoChangeAndAShiftedOneBreaksTheThreshold() throws Exception {
    Path spec = dir.resolve("spec.yaml");
    Files.writeString(
        spec,
        "input: {path: ${TABLE:-datasets/synthetic/credit.csv}, id: id, label: default}\n"
            + "models: {gbt: datasets/models/credit_gbt}\n"
            + "output: unused\n"
            + "tasks:\n"
            + "  - {type: profile}\n"
            + "  - {type: explain, model: gbt, method: tree, name: shap}\n");
    String first = dir.resolve("first").toString();
    Cli a = Cli.run("audit", spec.toString(), "--output", first);
    assertEquals(0, a.exitCode(), a.errors());

    String again = dir.resolve("again").toString();
    Cli b =
        Cli.run(
            "audit",
            spec.toString(),
            "--output",
            again,
            "--baseline",
            first,
            "--set",
            "baseline.max_change=0",
            "--set",
            "baseline.min_rank_correlation=1");
    assertEquals(0, b.exitCode(), b.errors());
    JsonNode same = new ObjectMapper().readTree(Path.of(again, "summary.json").toFile());
    assertEquals(0.0, same.at("/baseline/largest_relative_change").asDouble());
    assertEquals(1.0, same.at("/baseline/importance/0/spearman").asDouble());
    assertTrue(same.at("/baseline/figures_compared").asInt() > 50);

    // Every age eight years later: the profile's figures of age move, the rest do not.
    List<String> lines = Files.readAllLines(Path.of("datasets/synthetic/credit.csv"));
    List<String> moved = new ArrayList<>(List.of(lines.get(0)));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", -1);
      f[1] = String.valueOf(Integer.parseInt(f[1]) + 8);
      moved.add(String.join(",", f));
    }
    Path shifted = dir.resolve("shifted.csv");
    Files.write(shifted, moved);
    String later = dir.resolve("later").toString();
    Cli c =
        Cli.run(
            "audit",
            spec.toString(),
            "--output",
            later,
            "--baseline",
            first,
            "--set",
            "input.path=" + shifted,
            "--set",
            "baseline.max_change=0.05");
    assertEquals(3, c.exitCode(), c.errors());
    JsonNode s = new ObjectMapper().readTree(Path.of(later, "summary.json").toFile());
    String figure = s.at("/baseline/largest_change/figure").asText();
    assertTrue(figure.startsWith("columns[age]."), figure);
    assertTrue(s.at("/baseline/largest_relative_change").asDouble() > 0.05);
    assertTrue(
        Files.readString(Path.of(later, "report.html")).contains("Against the baseline"),
        "a report section");

    Cli missing =
        Cli.run(
            "audit",
            spec.toString(),
            "--output",
            dir.resolve("x").toString(),
            "--baseline",
            dir.resolve("nowhere").toString());
    assertEquals(1, missing.exitCode());
    assertTrue(missing.errors().contains("has no summary.json"), missing.errors());
  }
}
