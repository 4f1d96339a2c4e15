package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table whose column names hold dots, backticks, spaces and accents (an R export's {@code
 * Sepal.Length}): train fits on it (Spark 4's MLlib stages read a dotted input as a struct's field
 * unless it is quoted), and score and explain name its features as the table does.
 */
class OddColumnNamesTest {
  private static final List<String> FEATURES =
      List.of("sepal.length", "sepal `width`", "petal length", "kind.of");
  private static final String ID = "row id";
  private static final String LABEL = "species.class";

  @TempDir Path dir;

  @Test
  void trainScoreAndExplainKeepTheTablesNames() throws Exception {
    Path table = oddIris();
    Path model = dir.resolve("rf");
    Cli train = run("train", table, "--label", LABEL, "--estimator", "rf", "--output", model);
    assertEquals(0, train.exitCode(), train.errors());

    Path scored = dir.resolve("score");
    Cli score = run("score", table, "--label", LABEL, "--model", model, "--output", scored);
    assertEquals(0, score.exitCode(), score.errors());
    JsonNode task = summary(scored).at("/tasks/0");
    assertEquals(
        List.of("sepal.length", "sepal `width`", "petal length", "kind.of=long", "kind.of=short"),
        texts(task.get("features")));
    assertEquals(FEATURES, texts(task.get("feature_groups")));
    assertTrue(task.get("accuracy").asDouble() > 0.9, task.toString());
    List<String> written =
        List.of(
            SparkTestSession.get()
                .read()
                .parquet(scored.resolve("predictions").toString())
                .columns());
    assertTrue(written.containsAll(FEATURES) && written.contains(LABEL), written.toString());

    for (String method : List.of("tree", "kernel")) {
      Path explained = dir.resolve(method);
      Cli explain =
          run("explain", table, "--model", model, "--method", method, "--output", explained);
      assertEquals(0, explain.exitCode(), method + ": " + explain.errors());
      JsonNode e = summary(explained).at("/tasks/0");
      assertEquals(FEATURES, texts(e.get("players")), method);
      assertTrue(e.get("max_abs_gap").asDouble() < 1e-9, method + ": " + e);
    }
  }

  @Test
  void gbtRefusesALabelOfThreeClassesBeforeFitting() throws Exception {
    Cli gbt =
        run(
            "train",
            oddIris(),
            "--label",
            LABEL,
            "--estimator",
            "gbt",
            "--output",
            dir.resolve("gbt"));
    assertNotEquals(0, gbt.exitCode());
    assertTrue(
        gbt.errors().contains("gbt classifies two classes labelled 0 and 1")
            && gbt.errors().contains("'species.class' has the values 0, 1, 2")
            && gbt.errors().contains("use rf, dt or logistic"),
        gbt.errors());
  }

  private static Cli run(String command, Path table, Object... rest) {
    List<String> args = new ArrayList<>(List.of(command, "--input", table.toString(), "--id", ID));
    for (Object o : rest) {
      args.add(o.toString());
    }
    return Cli.run(args.toArray(new String[0]));
  }

  /** The bundled iris table under odd names, with a string feature of two categories. */
  private Path oddIris() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("datasets/iris.csv"), StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    out.add("row id,sepal.length,\"sepal `width`\",petal length,kind.of,species.class");
    for (int i = 1; i < lines.size(); i++) {
      String[] v = lines.get(i).split(",");
      String kind = Double.parseDouble(v[3]) > 1 ? "long" : "short";
      out.add(i + "," + v[0] + "," + v[1] + "," + v[2] + "," + kind + "," + v[4]);
    }
    Path table = dir.resolve("iris odd.csv");
    Files.write(table, out, StandardCharsets.UTF_8);
    return table;
  }

  private static JsonNode summary(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  private static List<String> texts(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(n -> names.add(n.asText()));
    return names;
  }
}
