package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code explain --method nearest_examples}: in a CNN's embedding of the digits, rows held out of
 * training find examples of their own digit with credible verdicts, and inverted digits (outside
 * the training distribution) get lower credibility; bad input refused before any output.
 */
class NearestExamplesCommandTest {
  private static final String CNN = "datasets/models/torch/digits_cnn.pt";
  @TempDir Path dir;

  /** The digits with an id, rows {@code from ..< to}; {@code inverted}: each pixel p as 16 − p. */
  private Path digits(String name, int from, int to, boolean inverted) throws Exception {
    List<String> lines = Files.readAllLines(Path.of("datasets/digits.csv"));
    List<String> out = new ArrayList<>(List.of("id," + lines.get(0)));
    for (int i = from; i < to; i++) {
      String[] cells = lines.get(i + 1).split(",");
      if (inverted) {
        for (int j = 0; j < 64; j++) {
          cells[j] = String.valueOf(16 - Integer.parseInt(cells[j]));
        }
      }
      out.add(i + "," + String.join(",", cells));
    }
    Path path = dir.resolve(name + ".csv");
    Files.write(path, out);
    return path;
  }

  private Cli explain(Path input, Path examples, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "explain",
                "--input",
                input.toString(),
                "--id",
                "id",
                "--label",
                "digit",
                "--model",
                CNN,
                "--method",
                "nearest_examples",
                "--examples",
                examples.toString(),
                "--output",
                out.toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(new String[0]));
  }

  @Test
  void heldOutDigitsFindTheirOwnDigitAndInvertedOnesAreLessCredible() throws Exception {
    Path training = digits("training", 0, 1400, false);
    Path out = dir.resolve("held-out");
    Cli cli = explain(digits("held-out", 1400, 1797, false), training, out, "--embedding", "embed");
    assertEquals(0, cli.exitCode(), cli.errors());
    Dataset<Row> rows = SparkTestSession.get().read().parquet(out.resolve("examples").toString());
    assertEquals(397, rows.count());
    double accuracy = rows.where("examples_prediction = digit").count() / (double) rows.count();
    assertTrue(accuracy > 0.9, "DkNN accuracy in the embedding " + accuracy);
    assertEquals(
        0, rows.where("array_max(examples) >= 1400").count(), "examples are training rows");
    JsonNode task =
        new ObjectMapper().readTree(out.resolve("summary.json").toFile()).at("/tasks/0");
    assertEquals(1400, task.at("/indexed_rows").asInt() + task.at("/calibration_rows").asInt());
    assertEquals(0, task.at("/rows_among_their_examples").asInt());
    assertFalse(task.at("/standardized").asBoolean(), "an embedding is compared as it is");
    double inside = task.at("/mean_credibility").asDouble();

    Path inverted = dir.resolve("inverted");
    Cli shifted =
        explain(digits("inverted", 1400, 1797, true), training, inverted, "--embedding", "embed");
    assertEquals(0, shifted.exitCode(), shifted.errors());
    double outside =
        new ObjectMapper()
            .readTree(inverted.resolve("summary.json").toFile())
            .at("/tasks/0/mean_credibility")
            .asDouble();
    assertTrue(outside < inside - 0.2, "inverted " + outside + ", held out " + inside);
    assertTrue(Files.readString(out.resolve("report.html")).contains("Rows per credibility"));
  }

  @Test
  void badInputIsRefusedBeforeAnyOutput() throws Exception {
    Path training = digits("training", 0, 300, false);
    Path input = digits("input", 300, 400, false);
    String[][] cases = {
      {"--embedding", "penultimate"},
      {"--neighbours", "5000"},
      {"--search", "fast"},
    };
    String[] expected = {"exports no method 'penultimate'", "5000 examples asked", "search"};
    for (int c = 0; c < cases.length; c++) {
      Path out = dir.resolve("bad-" + c);
      Cli cli = explain(input, training, out, cases[c]);
      assertEquals(1, cli.exitCode(), String.join(" ", cases[c]));
      assertTrue(cli.errors().contains(expected[c]), cli.errors());
      assertFalse(Files.exists(out), "no output for " + String.join(" ", cases[c]));
    }
    Path unlabelled = dir.resolve("unlabelled.csv");
    List<String> lines = Files.readAllLines(training);
    List<String> cut = new ArrayList<>();
    for (String line : lines) {
      cut.add(line.substring(0, line.lastIndexOf(',')));
    }
    Files.write(unlabelled, cut);
    Cli noLabel = explain(input, unlabelled, dir.resolve("bad-label"));
    assertEquals(1, noLabel.exitCode());
    assertTrue(noLabel.errors().contains("'digit'"), noLabel.errors());
    Cli noExamples =
        Cli.run(
            "explain",
            "--input",
            input.toString(),
            "--id",
            "id",
            "--label",
            "digit",
            "--model",
            CNN,
            "--method",
            "nearest_examples",
            "--output",
            dir.resolve("none").toString());
    assertEquals(1, noExamples.exitCode());
    assertTrue(noExamples.errors().contains("needs examples"), noExamples.errors());
  }
}
