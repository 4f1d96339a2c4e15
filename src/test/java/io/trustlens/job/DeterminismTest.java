package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every per-row method gives the same bits for 1, 3 and 16 partitions with the same seed: each
 * row's random draws are keyed by the seed and the row's id, never by where the row lands; and so
 * do the figures of its summary (sums kept exactly). The README's determinism table lists these
 * cases.
 */
class DeterminismTest {
  private static final String GBT = "datasets/models/credit_gbt";
  private static final String MLP = "datasets/models/torch/breast_cancer_mlp.pt";
  private static final String CNN = "datasets/models/torch/digits_cnn.pt";
  private static final int[] PARTITIONS = {1, 3, 16};

  @TempDir static Path dir;
  static String credit;
  static String cancer;
  static String digits;

  @BeforeAll
  static void tables() {
    credit = dir.resolve("credit").toString();
    Tables.csv("synthetic/credit.csv").limit(40).coalesce(1).write().parquet(credit);
    cancer = dir.resolve("cancer").toString();
    Tables.csv("breast_cancer.csv")
        .limit(40)
        .selectExpr("*", "monotonically_increasing_id() as id")
        .coalesce(1)
        .write()
        .parquet(cancer);
    digits = dir.resolve("digits").toString();
    Tables.csv("digits.csv")
        .limit(300)
        .selectExpr("*", "monotonically_increasing_id() as id")
        .coalesce(1)
        .write()
        .parquet(digits);
  }

  /** The cases: a name and the command's arguments before --partitions and --output. */
  private static Map<String, String[]> cases() {
    Map<String, String[]> c = new LinkedHashMap<>();
    String[] gbt = {"--input", credit, "--id", "id", "--label", "default", "--model", GBT};
    String[] mlp = {"--input", cancer, "--id", "id", "--label", "malignant", "--model", MLP};
    c.put("score gbt", join(new String[] {"score"}, gbt));
    c.put("exact", join(new String[] {"explain", "--method", "exact"}, gbt));
    c.put("kernel", join(new String[] {"explain", "--method", "kernel", "--samples", "64"}, gbt));
    c.put(
        "permutation",
        join(new String[] {"explain", "--method", "permutation", "--samples", "6"}, gbt));
    c.put("tree", join(new String[] {"explain", "--method", "tree"}, gbt));
    c.put(
        "tree_interventional",
        join(new String[] {"explain", "--method", "tree_interventional"}, gbt));
    c.put("lime", join(new String[] {"explain", "--method", "lime", "--samples", "200"}, gbt));
    c.put("occlusion", join(new String[] {"explain", "--method", "occlusion"}, gbt));
    c.put(
        "nearest_examples",
        join(
            new String[] {
              "explain",
              "--method",
              "nearest_examples",
              "--examples",
              "datasets/synthetic/credit.csv"
            },
            gbt));
    c.put("kernel torchscript", join(new String[] {"explain", "--samples", "64"}, mlp));
    c.put(
        "smoothgrad",
        join(new String[] {"explain", "--method", "smoothgrad", "--samples", "8"}, mlp));
    c.put(
        "integrated_gradients",
        join(new String[] {"explain", "--method", "integrated_gradients", "--steps", "16"}, mlp));
    String[] numeric = {
      "explore",
      "--input",
      credit,
      "--id",
      "id",
      "--features",
      "age,income,debt_ratio,years_employed"
    };
    c.put("explore pca", join(numeric, new String[] {"--method", "pca", "--scale"}));
    c.put("explore mds", join(numeric, new String[] {"--method", "mds"}));
    c.put("explore tsne", join(numeric, new String[] {"--method", "tsne", "--perplexity", "5"}));
    c.put("explore knn", join(numeric, new String[] {"--method", "knn", "--neighbours", "4"}));
    c.put(
        "mc_dropout",
        new String[] {
          "uncertainty",
          "--input",
          digits,
          "--id",
          "id",
          "--label",
          "digit",
          "--model",
          CNN,
          "--mc-dropout",
          "6"
        });
    return c;
  }

  @Test
  void everyPerRowMethodGivesTheSameBitsFor1And3And16Partitions() throws Exception {
    List<String> differing = new ArrayList<>();
    for (Map.Entry<String, String[]> c : cases().entrySet()) {
      Map<String, List<String>> first = null;
      String firstFigures = null;
      for (int p : PARTITIONS) {
        Path out = dir.resolve(c.getKey().replace(' ', '-') + "-" + p);
        Cli cli =
            Cli.run(
                join(
                    c.getValue(),
                    new String[] {"--partitions", String.valueOf(p), "--output", out.toString()}));
        assertEquals(0, cli.exitCode(), c.getKey() + ": " + cli.errors());
        Map<String, List<String>> tables = tables(out);
        assertFalse(tables.isEmpty(), c.getKey() + " wrote no table");
        String figures = figures(out);
        if (first == null) {
          first = tables;
          firstFigures = figures;
        } else if (!first.equals(tables)) {
          differing.add(c.getKey() + " at " + p + " partitions");
        } else if (!firstFigures.equals(figures)) {
          differing.add(
              c.getKey()
                  + " at "
                  + p
                  + " partitions, summary figures: "
                  + firstFigures
                  + " / "
                  + figures);
        }
      }
    }
    assertEquals(List.of(), differing, "the same bits whatever the partitioning");
  }

  @Test
  void theComparisonSeesOneChangedBit() throws Exception {
    Path out = dir.resolve("probe");
    String[] kernel = cases().get("kernel");
    assertEquals(0, Cli.run(join(kernel, new String[] {"--output", out.toString()})).exitCode());
    Path other = dir.resolve("probe-seed");
    assertEquals(
        0,
        Cli.run(join(kernel, new String[] {"--seed", "43", "--output", other.toString()}))
            .exitCode());
    assertTrue(!tables(out).equals(tables(other)), "another seed, other bits");
  }

  /**
   * The summary's task figures (its {@code tasks}, less each task's parameters and output paths,
   * which name the partitions and the folder, and its seconds), as JSON text.
   */
  private static String figures(Path out) throws Exception {
    JsonNode tasks = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("tasks");
    for (JsonNode task : tasks) {
      ((ObjectNode) task).remove(List.of("parameters", "outputs", "seconds"));
    }
    return tasks.toString();
  }

  private static Map<String, List<String>> tables(Path out) throws Exception {
    return Tables.outputs(SparkTestSession.get(), out);
  }

  private static String[] join(String[] a, String[] b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
