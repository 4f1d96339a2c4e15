package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A label of class names (iris's species as text): train indexes it into the saved pipeline, the
 * tasks that compare labels with predictions read the names as the model's class indices, writing
 * the names back, and a class name is a target.
 */
class StringLabelTest {
  /** Names whose alphabetical order is not the numeric codes' order (0, 1, 2). */
  private static final String[] NAMES = {"setosa", "versicolor", "iris-virginica"};

  @TempDir Path dir;

  /** Iris with an id and its species as {@link #NAMES}, the first row's as {@code firstName}. */
  private Path irisWithNames(String firstName) throws Exception {
    List<String> lines = Files.readAllLines(Path.of("datasets/iris.csv"));
    List<String> out = new ArrayList<>(List.of("id," + lines.get(0)));
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      int cut = line.lastIndexOf(',');
      String name = NAMES[Integer.parseInt(line.substring(cut + 1).trim())];
      out.add((i - 1) + "," + line.substring(0, cut + 1) + (i == 1 ? firstName : name));
    }
    Path csv = dir.resolve(firstName + ".csv");
    Files.write(csv, out);
    return csv;
  }

  /**
   * Runs {@code command} on {@code input} by id and species with {@code model}, then {@code more}.
   */
  private static Cli labelled(String command, Path input, Path model, Path output, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                command,
                "--input",
                input.toString(),
                "--id",
                "id",
                "--label",
                "species",
                "--model",
                model.toString(),
                "--output",
                output.toString()));
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  /** Trains {@code estimator} on {@code input}'s species into {@code output}. */
  private static Cli train(Path input, String estimator, Path output) {
    return Cli.run(
        "train",
        "--input",
        input.toString(),
        "--id",
        "id",
        "--label",
        "species",
        "--estimator",
        estimator,
        "--output",
        output.toString());
  }

  private static JsonNode task(Path output) throws Exception {
    return new ObjectMapper().readTree(output.resolve("summary.json").toFile()).at("/tasks/0");
  }

  @Test
  void trainIndexesTheNamesAndScoreUncertaintyAndPrototypesCompareThemAsTheModelsClasses()
      throws Exception {
    Path iris = irisWithNames("setosa");
    Path model = dir.resolve("model");
    Cli train = train(iris, "rf", model);
    assertEquals(0, train.exitCode(), train.errors());
    JsonNode record = new ObjectMapper().readTree(model.resolve("training.json").toFile());
    assertEquals(
        "[\"iris-virginica\",\"setosa\",\"versicolor\"]", record.get("classes").toString());
    assertEquals(50, record.at("/label_balance/setosa").asLong());

    // Score: its accuracy and confusion matrix are MLlib's own over the pipeline's label index.
    Path scored = dir.resolve("scored");
    Cli score = labelled("score", iris, model, scored);
    assertEquals(0, score.exitCode(), score.errors());
    List<Row> mllib =
        PipelineModel.load(model.toString())
            .transform(
                SparkTestSession.get()
                    .read()
                    .option("header", "true")
                    .option("inferSchema", "true")
                    .csv(iris.toString()))
            .select("label", "prediction")
            .collectAsList();
    long[][] confusion = new long[3][3];
    for (Row r : mllib) {
      confusion[(int) r.getDouble(0)][(int) r.getDouble(1)]++;
    }
    JsonNode result = task(scored);
    assertEquals(
        (confusion[0][0] + confusion[1][1] + confusion[2][2]) / 150.0,
        result.get("accuracy").asDouble());
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        assertEquals(confusion[i][j], result.at("/confusion_matrix/" + i + "/" + j).asLong());
      }
    }
    assertEquals(record.get("classes"), result.get("classes"));
    Set<String> written = new TreeSet<>();
    for (Row r :
        SparkTestSession.get()
            .read()
            .parquet(scored.resolve("predictions").toString())
            .select("species")
            .distinct()
            .collectAsList()) {
      written.add(r.getString(0));
    }
    assertEquals(new TreeSet<>(List.of(NAMES)), written, "the table's names, not indices");

    // Uncertainty calibrates against the names as class indices; its Bayesian network learns them
    // from the reference table so.
    Path uncertain = dir.resolve("uncertain");
    Cli uncertainty =
        labelled(
            "uncertainty",
            iris,
            model,
            uncertain,
            "--bins",
            "4",
            "--bayesian-network",
            "--reference",
            iris.toString());
    assertEquals(0, uncertainty.exitCode(), uncertainty.errors());
    assertTrue(task(uncertain).at("/calibration/before/accuracy").asDouble() > 0.9);
    assertEquals(3, task(uncertain).at("/bayesian_network/layers/2").asInt(), "one per class");

    // Prototype attention averages the examples' names as class indices.
    Path prototypes = dir.resolve("prototypes");
    Cli attention =
        labelled(
            "explain",
            iris,
            model,
            prototypes,
            "--method",
            "prototype_attention",
            "--examples",
            iris.toString());
    assertEquals(0, attention.exitCode(), attention.errors());
    assertTrue(task(prototypes).get("agreement").asDouble() > 0.7);

    // A class name is a target, the same as its index; a misspelt one is refused, named.
    JsonNode[] byTarget = new JsonNode[2];
    String[] targets = {"versicolor", "2"};
    for (int t = 0; t < 2; t++) {
      Path explained = dir.resolve("explained_" + t);
      Cli explain =
          Cli.run(
              "explain",
              "--input",
              iris.toString(),
              "--model",
              model.toString(),
              "--method",
              "tree",
              "--target",
              targets[t],
              "--output",
              explained.toString());
      assertEquals(0, explain.exitCode(), explain.errors());
      byTarget[t] = task(explained);
    }
    assertEquals("class_2 (versicolor)", byTarget[0].get("class_explained").asText());
    assertEquals(byTarget[1].get("mean_abs_shap"), byTarget[0].get("mean_abs_shap"));
    Cli misspelt =
        Cli.run(
            "explain",
            "--input",
            iris.toString(),
            "--model",
            model.toString(),
            "--method",
            "tree",
            "--target",
            "versicolr",
            "--output",
            dir.resolve("misspelt").toString());
    assertNotEquals(0, misspelt.exitCode());
    assertTrue(
        misspelt
            .errors()
            .contains(
                "unknown target 'versicolr'; the model's classes are iris-virginica, setosa,"
                    + " versicolor; did you mean 'versicolor'?"),
        misspelt.errors());

    // Tree rules end in the class names, setosa's being the one petal width alone separates.
    Path rules = dir.resolve("rules");
    Cli treeRules =
        Cli.run(
            "explain",
            "--input",
            iris.toString(),
            "--model",
            model.toString(),
            "--method",
            "tree_rules",
            "--output",
            rules.toString());
    assertEquals(0, treeRules.exitCode(), treeRules.errors());
    String said = task(rules).get("rules").toString();
    assertTrue(said.matches(".*petal_width_cm ≤ [0-9.]+ → setosa, p = 1.00.*"), said);
    assertFalse(said.contains("→ class_"), said);

    // A name the model never saw fails the run before any output, naming the row.
    Path unknown = irisWithNames("unicorn");
    Path refused = dir.resolve("refused");
    Cli bad = labelled("score", unknown, model, refused);
    assertNotEquals(0, bad.exitCode());
    assertTrue(
        bad.errors()
            .contains(
                "label 'unicorn' in column 'species' of row id=0 of "
                    + unknown
                    + " is not one of the model's classes (iris-virginica, setosa, versicolor)"),
        bad.errors());
    assertFalse(Files.exists(refused));
  }

  @Test
  void aStringLabelIsRefusedWhereItCannotBeFitted() throws Exception {
    Path iris = irisWithNames("setosa");
    Cli gbt = train(iris, "gbt", dir.resolve("gbt"));
    assertNotEquals(0, gbt.exitCode());
    assertTrue(
        gbt.errors().contains("has the values iris-virginica, setosa, versicolor"), gbt.errors());
    Cli regression = train(iris, "linear", dir.resolve("linear"));
    assertNotEquals(0, regression.exitCode());
    assertTrue(
        regression.errors().contains("'species' holds strings, class names"), regression.errors());
    Cli three =
        Cli.run(
            "train",
            "--input",
            iris.toString(),
            "--label",
            "species",
            "--estimator",
            "rf",
            "--positive",
            "setosa",
            "--output",
            dir.resolve("three").toString());
    assertNotEquals(0, three.exitCode());
    assertTrue(
        three
            .errors()
            .contains(
                "--positive applies to a label of two class names; 'species' has 3:"
                    + " iris-virginica, setosa, versicolor"),
        three.errors());
  }

  @Test
  void positiveNamesClassOneAndFitsTheNumericLabelsModel() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("datasets/synthetic/credit.csv"));
    List<String> named = new ArrayList<>(List.of(lines.get(0)));
    for (String line : lines.subList(1, lines.size())) {
      named.add(line.substring(0, line.length() - 1) + (line.endsWith("1") ? "bad" : "good"));
    }
    Path credit = dir.resolve("credit_names.csv");
    Files.write(credit, named);
    JsonNode[] held = new JsonNode[2];
    String[] inputs = {"datasets/synthetic/credit.csv", credit.toString()};
    for (int t = 0; t < 2; t++) {
      Path out = dir.resolve("credit_" + t);
      List<String> args =
          new ArrayList<>(
              List.of(
                  "train",
                  "--input",
                  inputs[t],
                  "--id",
                  "id",
                  "--label",
                  "default",
                  "--estimator",
                  "logistic",
                  "--output",
                  out.toString()));
      if (t == 1) {
        args.addAll(List.of("--positive", "bad")); // alphabetically first: class 0 without it
      }
      Cli cli = Cli.run(args.toArray(String[]::new));
      assertEquals(0, cli.exitCode(), cli.errors());
      held[t] = new ObjectMapper().readTree(out.resolve("training.json").toFile());
    }
    assertEquals("[\"good\",\"bad\"]", held[1].get("classes").toString());
    assertEquals(held[0].get("held_out"), held[1].get("held_out"), "the same fit, to the bit");
    Cli misspelt =
        Cli.run(
            "train",
            "--input",
            credit.toString(),
            "--label",
            "default",
            "--estimator",
            "logistic",
            "--positive",
            "bda",
            "--output",
            dir.resolve("bda").toString());
    assertNotEquals(0, misspelt.exitCode());
    assertTrue(
        misspelt
            .errors()
            .contains(
                "--positive is 'bda', which is not one of the two classes of 'default': it has"
                    + " bad, good"),
        misspelt.errors());
  }
}
