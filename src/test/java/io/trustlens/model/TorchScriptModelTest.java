package io.trustlens.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.testing.SparkTestSession;
import io.trustlens.testing.Tables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** TorchScript models through DJL give PyTorch's own outputs, once loaded per JVM. */
class TorchScriptModelTest {
  private static final Path MODELS = Path.of("datasets/models/torch");

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "digits_cnn, digits.csv, digit",
    "breast_cancer_mlp, breast_cancer.csv, malignant",
    "digits_mlp_0, digits.csv, digit",
    "digits_mlp_4, digits.csv, digit"
  })
  void outputsEqualPyTorchReference(String name, String table, String label) throws Exception {
    Path file = MODELS.resolve(name + ".pt");
    TorchScriptModel model =
        ModelCache.torchScript(file, TorchScriptCard.readBeside(file), Device.cpu());
    List<String> reference = Files.readAllLines(MODELS.resolve(name + ".reference.csv"));
    int rows = reference.size() - 1;
    List<Row> data = Tables.csv(table).drop(label).limit(rows).collectAsList();
    int d = model.info().inputSize();
    double[] inputs = new double[rows * d];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < d; j++) {
        inputs[i * d + j] = ((Number) data.get(i).get(j)).doubleValue();
      }
    }
    Scores scores = model.score(inputs, rows);
    int w = scores.width();
    for (int i = 0; i < rows; i++) {
      String[] expected = reference.get(i + 1).split(",");
      assertEquals(w, expected.length - 1);
      for (int k = 0; k < w; k++) {
        assertEquals(Double.parseDouble(expected[k + 1]), scores.outputs()[i * w + k], 1e-5, name);
      }
      assertEquals(OutputKind.LOGIT.predict(scores.outputs(), i * w, w), scores.predictions()[i]);
    }
  }

  @Test
  void shapesVitOutputsEqualPyTorchAndItsAttentionRowsAreSoftmaxShares() throws Exception {
    Path file = MODELS.resolve("shapes_vit.pt");
    TorchScriptModel model =
        ModelCache.differentiable(file, TorchScriptCard.readBeside(file), Device.cpu());
    List<String> reference = Files.readAllLines(MODELS.resolve("shapes_vit.reference.csv"));
    int rows = reference.size() - 1;
    List<Row> data =
        io.trustlens.testing.SparkTestSession.get()
            .read()
            .json("datasets/synthetic/shapes.json")
            .select("image")
            .limit(rows)
            .collectAsList();
    double[] inputs = new double[rows * 256];
    for (int i = 0; i < rows; i++) {
      List<Number> image = data.get(i).getList(0);
      for (int j = 0; j < 256; j++) {
        inputs[i * 256 + j] = image.get(j).doubleValue();
      }
    }
    DifferentiableModel.Attention a = model.attention(inputs, rows);
    assertEquals(List.of(2, 4, 17, 17), java.util.Arrays.stream(a.shape()).boxed().toList());
    for (int i = 0; i < rows; i++) {
      String[] expected = reference.get(i + 1).split(",");
      for (int k = 0; k < 2; k++) {
        assertEquals(Double.parseDouble(expected[k + 1]), a.outputs()[i * 2 + k], 1e-5);
      }
    }
    for (int r = 0; r < a.weights().length / 17; r++) {
      double sum = 0;
      for (int k = 0; k < 17; k++) {
        sum += a.weights()[r * 17 + k];
      }
      assertEquals(1, sum, 1e-5, "every query's weights sum to 1");
    }
  }

  @Test
  void shapes64OutputsEqualPyTorchReferenceOnTheShapesScaledUp() throws Exception {
    Path file = MODELS.resolve("shapes64_cnn.pt");
    TorchScriptModel model =
        ModelCache.torchScript(file, TorchScriptCard.readBeside(file), Device.cpu());
    List<String> reference = Files.readAllLines(MODELS.resolve("shapes64_cnn.reference.csv"));
    int rows = reference.size() - 1;
    List<Row> data =
        io.trustlens.testing.SparkTestSession.get()
            .read()
            .json("datasets/synthetic/shapes.json")
            .orderBy("id")
            .limit(rows)
            .collectAsList();
    double[] inputs = new double[rows * 64 * 64];
    for (int i = 0; i < rows; i++) {
      List<Double> image = data.get(i).getList(data.get(i).fieldIndex("image"));
      for (int y = 0; y < 64; y++) {
        for (int x = 0; x < 64; x++) {
          inputs[i * 4096 + y * 64 + x] = image.get((y / 4) * 16 + x / 4);
        }
      }
    }
    double[] out = model.score(inputs, rows).outputs();
    for (int i = 0; i < rows; i++) {
      String[] expected = reference.get(i + 1).split(",");
      for (int k = 0; k < 2; k++) {
        assertEquals(Double.parseDouble(expected[k + 1]), out[i * 2 + k], 1e-4, "row " + i);
      }
    }
  }

  @Test
  void sparkScoringEqualsDirectScoringAndLoadsOncePerJvm() {
    Dataset<Row> digits = Tables.csv("digits.csv").repartition(6);
    Path file = MODELS.resolve("digits_cnn.pt");
    LoadedModel loaded =
        new ModelLoader(SparkTestSession.get()).load(file.toString(), -1, OutputKind.LOGIT);
    int loadsBefore = ModelCache.loads();
    FeatureSpace pixels =
        FeatureSpace.ofColumns(digits.schema(), List.of(digits.drop("digit").columns()));
    List<Row> scored =
        new ModelScorer(loaded.source(), pixels)
            .setBatchSize(100)
            .transform(digits)
            .collectAsList();
    assertEquals(1797, scored.size());
    // Six partitions on two task threads reuse the copy the driver's check loaded: no new load.
    assertEquals(loadsBefore, ModelCache.loads());
    BatchModel direct = loaded.source().open();
    long correct = 0;
    for (Row r : scored) {
      double[] x = new double[64];
      for (int j = 0; j < 64; j++) {
        x[j] = ((Number) r.get(j)).doubleValue();
      }
      Scores s = direct.score(x, 1);
      List<Double> logits = r.getList(r.fieldIndex("logits"));
      assertArrayEquals(s.outputs(), logits.stream().mapToDouble(Double::doubleValue).toArray());
      double sum =
          r.<Double>getList(r.fieldIndex("probability")).stream().mapToDouble(v -> v).sum();
      assertEquals(1.0, sum, 1e-9);
      if (r.<Double>getAs("prediction") == ((Number) r.getAs("digit")).doubleValue()) {
        correct++;
      }
    }
    assertTrue(correct > 0.95 * 1797, "accuracy " + correct / 1797.0);
  }

  @Test
  void corruptFileIsRejectedWithItsName(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("broken.pt");
    Files.writeString(bad, "not a zip archive");
    InvalidModelException e =
        assertThrows(
            InvalidModelException.class,
            () ->
                TorchScriptModel.load(
                    bad, TorchScriptModel.defaultCard(3, 1, OutputKind.REGRESSION), Device.cpu()));
    assertTrue(e.getMessage().contains("broken.pt"), e.getMessage());
    assertTrue(e.getMessage().contains("TorchScript"), e.getMessage());
  }

  /**
   * A task given a GPU by Spark while this JVM's libtorch is DJL's CPU build gets one clear error,
   * not libtorch's list of backends (skipped where the libtorch loaded has CUDA).
   */
  @Test
  void aGpuWithoutCudaInLibtorchIsRefusedNamingTheWaysOut() throws Exception {
    Path file = MODELS.resolve("shapes_cnn.pt");
    TorchScriptCard card = TorchScriptCard.readBeside(file);
    TorchScriptModel.load(file, card, Device.cpu()).close(); // loads libtorch
    Path libtorch = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
    try (var files = Files.list(libtorch)) {
      org.junit.jupiter.api.Assumptions.assumeFalse(
          files.anyMatch(f -> f.getFileName().toString().contains("torch_cuda")),
          "this libtorch has CUDA");
    }
    InvalidModelException e =
        assertThrows(
            InvalidModelException.class, () -> TorchScriptModel.load(file, card, Device.gpu(1)));
    for (String part :
        List.of("shapes_cnn.pt", "gpu(1)", "no CUDA part", "-Pgpu", libtorch.toString())) {
      assertTrue(e.getMessage().contains(part), part + " in: " + e.getMessage());
    }
    assertFalse(e.getMessage().contains("backend"), e.getMessage());
  }

  @Test
  void cardDescribesShapeAndOutputs() {
    TorchScriptCard card = TorchScriptCard.readBeside(MODELS.resolve("digits_cnn.pt"));
    assertArrayEquals(new int[] {1, 8, 8}, card.inputShape());
    assertEquals(OutputKind.LOGIT, card.kind());
    assertEquals(10, card.outputs().size());
    assertTrue(card.methods().contains("forward_mc"));
  }

  @Test
  void chunksShrinkForLargeInputs() {
    assertEquals(1024, TorchScriptModel.chunkRows(30));
    assertEquals(1024, TorchScriptModel.chunkRows(64), "8x8 digits");
    assertEquals(512, TorchScriptModel.chunkRows(256), "16x16 shapes");
    assertEquals(32, TorchScriptModel.chunkRows(64 * 64));
    assertEquals(1, TorchScriptModel.chunkRows(3 * 224 * 224));
    assertEquals(1, TorchScriptModel.chunkRows(50_000_000), "one row even beyond the budget");
  }

  @Test
  void rowOutputsDoNotDependOnBatchingOrPosition() {
    Path file = MODELS.resolve("digits_cnn.pt");
    TorchScriptModel model =
        ModelCache.torchScript(file, TorchScriptCard.readBeside(file), Device.cpu());
    // Two chunks of 1,024 rows: reversing moves rows across the boundary as well as within.
    List<Row> data = Tables.csv("digits.csv").drop("digit").limit(1500).collectAsList();
    int n = data.size();
    double[] all = new double[n * 64];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 64; j++) {
        all[i * 64 + j] = ((Number) data.get(i).get(j)).doubleValue();
      }
    }
    double[] together = model.score(all, n).outputs();
    // Reversed order, and one row at a time: every row keeps its bits.
    double[] reversed = new double[n * 64];
    for (int i = 0; i < n; i++) {
      System.arraycopy(all, i * 64, reversed, (n - 1 - i) * 64, 64);
    }
    double[] back = model.score(reversed, n).outputs();
    assertEquals(1024, model.batchRows());
    for (int i = 0; i < n; i += 37) {
      double[] one =
          model.score(java.util.Arrays.copyOfRange(all, i * 64, i * 64 + 64), 1).outputs();
      for (int k = 0; k < 10; k++) {
        assertEquals(together[i * 10 + k], one[k], 0.0, "row " + i + " alone");
        assertEquals(together[i * 10 + k], back[(n - 1 - i) * 10 + k], 0.0, "row " + i + " moved");
      }
    }
  }

  @Test
  void digitsCnnExportsMonteCarloDropoutAndEmbedding() {
    Path file = MODELS.resolve("digits_cnn.pt");
    TorchScriptModel model =
        ModelCache.torchScript(file, TorchScriptCard.readBeside(file), Device.cpu());
    assertEquals(64, model.noiseSize());
    Row row = Tables.csv("digits.csv").drop("digit").first();
    double[] x = new double[64];
    for (int j = 0; j < 64; j++) {
      x[j] = ((Number) row.get(j)).doubleValue();
    }
    double[] eval = model.outputs(x, 1);
    // Dropout (p = 0.25) sits before the last linear layer y = W h + b: all units dropped gives
    // b, all kept gives W h / 0.75 + b, so (kept - b) * 0.75 + b is the eval output.
    double[] dropped = model.passes(x, new float[64], 1);
    float[] keepAll = new float[64];
    java.util.Arrays.fill(keepAll, 0.25f);
    double[] kept = model.passes(x, keepAll, 1);
    for (int k = 0; k < 10; k++) {
      assertEquals(eval[k], (kept[k] - dropped[k]) * 0.75 + dropped[k], 1e-4, "class " + k);
    }
    float[] halfKept = new float[64];
    for (int j = 0; j < 64; j += 2) {
      halfKept[j] = 0.5f;
    }
    double[] half = model.passes(x, halfKept, 1);
    assertArrayEquals(half, model.passes(x, halfKept, 1), "the noise alone decides a pass");
    assertTrue(!java.util.Arrays.equals(half, kept), "other masks, other outputs");
    assertEquals(64, model.runMethod("embed", toFloats(x), 1).length);
    InvalidModelException e =
        assertThrows(InvalidModelException.class, () -> model.runMethod("no_such", toFloats(x), 1));
    assertTrue(e.getMessage().contains("no_such"), e.getMessage());
  }

  @Test
  void aModelWithoutForwardMcIsRefusedNamingWhatToExport() {
    Path file = MODELS.resolve("breast_cancer_mlp.pt");
    TorchScriptModel model =
        ModelCache.torchScript(file, TorchScriptCard.readBeside(file), Device.cpu());
    InvalidModelException e =
        assertThrows(
            InvalidModelException.class, () -> model.passes(new double[30], new float[0], 1));
    assertTrue(e.getMessage().contains("forward_mc(x, noise)"), e.getMessage());
    assertTrue(e.getMessage().contains("mc_noise"), e.getMessage());
  }

  private static float[] toFloats(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) x[i];
    }
    return f;
  }
}
