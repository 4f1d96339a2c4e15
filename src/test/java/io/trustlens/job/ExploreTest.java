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

class ExploreTest {
  static final String WINE = "datasets/wine.csv";
  static final String DIGITS = "datasets/digits.csv";

  @TempDir Path dir;

  JsonNode summary(Path out) throws Exception {
    return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
  }

  @Test
  void pcaWritesComponentsVarianceLoadingsAndPlots() throws Exception {
    Path out = dir.resolve("pca");
    Cli cli =
        Cli.run(
            "explore",
            "--input",
            WINE,
            "--label",
            "cultivar",
            "--method",
            "pca",
            "--scale",
            "--components",
            "4",
            "--size",
            "alcohol",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task = summary(out).at("/tasks/0");
    assertEquals("exact", task.at("/solver").asText());
    assertEquals(4, task.at("/explained_variance_ratio").size());
    assertEquals(13, task.at("/loadings").size(), "one row of loadings per feature");
    double first = task.at("/explained_variance_ratio/0").asDouble();
    assertTrue(first > 0.3 && first < 0.4, "wine's first scaled component: " + first);
    Dataset<Row> t = SparkTestSession.get().read().parquet(out.resolve("pca").toString());
    assertEquals(178, t.count());
    assertTrue(List.of(t.columns()).containsAll(List.of("cultivar", "pc1", "pc4")));
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(
        html.contains("Scree plot") && html.contains("Biplot") && html.contains("size: alcohol"));
    assertTrue(html.contains("colour: cultivar"), "the label colours the map by default");
    assertFalse(html.contains("a seeded sample of"), "178 rows are under the plot sample");

    Path sampled = dir.resolve("pca-sampled");
    Cli small =
        Cli.run(
            "explore",
            "--input",
            WINE,
            "--method",
            "pca",
            "--plot-sample",
            "100",
            "--output",
            sampled.toString());
    assertEquals(0, small.exitCode(), small.errors());
    assertTrue(
        Files.readString(sampled.resolve("report.html"))
            .contains("a seeded sample of 100 of 178 rows"),
        "a full sample counts the table for its caption");
  }

  @Test
  void tsneOfADeepEncodersEmbeddingKeepsTheDigitsApart() throws Exception {
    Path out = dir.resolve("tsne");
    Cli cli =
        Cli.run(
            "explore",
            "--input",
            DIGITS,
            "--label",
            "digit",
            "--method",
            "tsne",
            "--model",
            "datasets/models/torch/digits_cnn.pt",
            "--iterations",
            "300",
            "--output",
            out.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode task = summary(out).at("/tasks/0");
    assertEquals("embed", task.at("/embedding/method").asText());
    int width = task.at("/embedding/width").asInt();
    assertEquals(Math.min(width, 50), task.at("/dimensions").asInt(), "reduced to 50 when wider");
    assertTrue(task.at("/trustworthiness_k10").asDouble() > 0.95, task.toString());
    Dataset<Row> t = SparkTestSession.get().read().parquet(out.resolve("tsne").toString());
    assertEquals(1797, t.count());
    assertTrue(List.of(t.columns()).containsAll(List.of("digit", "embedding", "tsne_x", "tsne_y")));
  }

  @Test
  void mdsAndKnnThroughAnAuditSpec() throws Exception {
    Path spec = dir.resolve("maps.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: maps",
            "input:",
            "  path: " + WINE,
            "  label: cultivar",
            "output: " + dir.resolve("maps"),
            "tasks:",
            "  - type: explore",
            "    method: mds",
            "    landmarks: 60",
            "  - type: explore",
            "    method: knn",
            "    neighbours: 5",
            "    pca_dims: 5",
            ""));
    Cli cli = Cli.run("audit", spec.toString());
    assertEquals(0, cli.exitCode(), cli.errors());
    JsonNode s = summary(dir.resolve("maps"));
    assertEquals("landmark", s.at("/tasks/0/kind").asText());
    assertEquals(60, s.at("/tasks/0/landmarks").asInt());
    double stress = s.at("/tasks/0/stress").asDouble();
    assertTrue(stress > 0 && stress < 0.2, "wine is nearly 2-D unscaled (proline): " + stress);
    Dataset<Row> knn = SparkTestSession.get().read().parquet(dir.resolve("maps/knn").toString());
    Row first = knn.orderBy("row_index").first();
    assertEquals(5, first.getList(first.fieldIndex("neighbours")).size());
    List<Double> d = first.getList(first.fieldIndex("neighbour_distances"));
    assertTrue(d.get(0) <= d.get(4));
  }

  @Test
  void badInputIsRefusedBeforeAnyOutput() throws Exception {
    List<String[]> cases = new ArrayList<>();
    cases.add(new String[] {"--method", "pca", "--components", "20"});
    cases.add(new String[] {"--method", "tsne", "--perplexity", "70"});
    cases.add(new String[] {"--method", "mds", "--perplexity", "5"});
    cases.add(new String[] {"--method", "umap"});
    List<String> expected =
        List.of("at most 13", "needs at least 211 rows", "does not apply", "expected one of");
    for (int i = 0; i < cases.size(); i++) {
      Path out = dir.resolve("bad" + i);
      List<String> args =
          new ArrayList<>(List.of("explore", "--input", WINE, "--label", "cultivar"));
      args.addAll(List.of(cases.get(i)));
      args.addAll(List.of("--output", out.toString()));
      Cli cli = Cli.run(args.toArray(new String[0]));
      assertTrue(cli.exitCode() != 0);
      assertTrue(cli.errors().contains(expected.get(i)), cli.errors());
      assertFalse(Files.exists(out), "no output directory after a failure");
    }
  }

  /**
   * t-SNE's console progress: a quick map prints nothing, a long one a line at most every 15 s
   * (none for the last iteration: the success line follows); with --verbose every 50 iterations.
   */
  @Test
  void tsneProgressLinesAreThrottledUnlessVerbose() {
    long s = 1_000_000_000L;
    ExploreTask.TsneProgress quiet = new ExploreTask.TsneProgress(0, false);
    assertFalse(quiet.due(50, 1000, 14 * s));
    assertTrue(quiet.due(51, 1000, 15 * s));
    assertFalse(quiet.due(52, 1000, 29 * s));
    assertTrue(quiet.due(53, 1000, 30 * s));
    assertFalse(quiet.due(1000, 1000, 100 * s));
    ExploreTask.TsneProgress verbose = new ExploreTask.TsneProgress(0, true);
    assertTrue(verbose.due(50, 1000, 0));
    assertFalse(verbose.due(51, 1000, 100 * s));
    assertTrue(verbose.due(1000, 1000, 0));
  }
}
