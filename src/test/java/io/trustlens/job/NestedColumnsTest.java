package io.trustlens.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.trustlens.testing.Cli;
import io.trustlens.testing.SparkTestSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Parquet table with booleans, dates, timestamps, arrays, maps and structs beside its numbers and
 * strings: train leaves the others out of its default features, and the commands that key rows by a
 * hash of all their cells (explore's order without an id, uncertainty's calibration split) take a
 * map's cells too (Spark's hashes refuse maps).
 */
class NestedColumnsTest {
  @TempDir Path dir;

  @Test
  void trainExploreAndUncertaintyRunOnATableOfEveryKind() throws Exception {
    Path table = dir.resolve("kinds.parquet");
    SparkTestSession.get()
        .sql(
            "select id, cast(id % 2 as int) as y, rand(1) * 10 + (id % 2) * 3 as x1, id % 3 = 0 as"
                + " flag, date_add(date'2020-01-01', cast(id as int)) as d, timestamp'2020-01-01"
                + " 00:00:00' as ts, array(rand(3), rand(4)) as arr, map('k', id) as m,"
                + " named_struct('a', id, 'n', map('b', id)) as st, concat('c', id % 4) as cat,"
                + " cast(id as float) as fl from range(400)")
        .write()
        .parquet(table.toString());
    Path model = dir.resolve("gbt");
    run("train", "--input", table, "--label", "y", "--estimator", "gbt", "--output", model);
    VectorAssembler assembler =
        (VectorAssembler)
            List.of(PipelineModel.load(model.toString()).stages()).stream()
                .filter(s -> s instanceof VectorAssembler)
                .findFirst()
                .orElseThrow();
    assertEquals(List.of("id", "x1", "cat_onehot", "fl"), List.of(assembler.getInputCols()));

    for (String id : new String[] {null, "id"}) {
      List<Object> args = new ArrayList<>(List.of("explore", "--input", table, "--method", "pca"));
      if (id != null) {
        args.addAll(List.of("--id", id));
      }
      args.addAll(List.of("--output", dir.resolve("pca" + id)));
      run(args.toArray());
    }
    Path uncertain = dir.resolve("uncertainty");
    run(
        "uncertainty",
        "--input",
        table,
        "--label",
        "y",
        "--model",
        model,
        "--bins",
        "5",
        "--output",
        uncertain);
    JsonNode summary = new ObjectMapper().readTree(uncertain.resolve("summary.json").toFile());
    assertEquals(0, summary.at("/warnings").size(), summary.at("/warnings").toString());
  }

  private static void run(Object... args) {
    String[] text = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      text[i] = args[i].toString();
    }
    Cli cli = Cli.run(text);
    assertEquals(0, cli.exitCode(), String.join(" ", text) + ": " + cli.errors());
  }
}
