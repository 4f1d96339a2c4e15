package io.trustlens.explain.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.trustlens.model.TorchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU check's comparison, run CPU against CPU: the same maps, and its inputs checked. */
class DeviceCheckTest {
  private static final Path SHAPES_CNN = Path.of("datasets/models/torch/shapes_cnn.pt");

  @Test
  void theCpuAgainstItselfGivesTheSameMapsAndPasses() throws Exception {
    List<DeviceCheck.Result> results = cpuAgainstCpu(40, 1);
    assertEquals(2, results.size());
    for (DeviceCheck.Result r : results) {
      assertEquals(0.0, r.worstDifference(), r.method());
      assertTrue(r.passes(), r.method());
      assertTrue(r.cpuRate() > 0 && r.deviceRate() > 0, r.method());
    }
    assertEquals(results.get(1).cpuGap(), results.get(1).deviceGap(), "IG's gaps on both");
    assertTrue(
        results.get(1).cpuGap() < DeviceCheck.GAP_LIMIT, "IG's gap " + results.get(1).cpuGap());
    assertTrue(Double.isNaN(results.get(0).cpuGap()), "saliency has no gap");
    assertTrue(results.get(1).toString().contains("integrated_gradients(gauss_legendre, 16"));
    assertFalse(
        new DeviceCheck.Result("m", 1, 2e-4, Double.NaN, Double.NaN, 1, 1).passes()
            || new DeviceCheck.Result("m", 1, 0, 0.001, 0.03, 1, 1).passes(),
        "a difference or a device gap over its limit fails");
  }

  /**
   * Two threads sharing one loaded model (as two tasks sharing a device do) give every row the same
   * map as one thread.
   */
  @Test
  void twoThreadsSharingTheModelGiveTheSameMaps() throws Exception {
    // 150 rows: two calls of 75 rows, one per thread, at once
    for (DeviceCheck.Result r : cpuAgainstCpu(150, 2)) {
      assertEquals(0.0, r.worstDifference(), r.method());
    }
  }

  /** Saliency and IG (16 steps) of {@code n} shapes rows, the CPU (one thread) against itself. */
  private static List<DeviceCheck.Result> cpuAgainstCpu(int n, int threads) throws Exception {
    double[] rows =
        DeviceCheck.readRows(Path.of("datasets/synthetic/shapes.json"), "image", n, 256);
    return DeviceCheck.compare(
        SHAPES_CNN,
        Device.cpu(),
        rows,
        n,
        List.of(
            new Saliency("signed"), new IntegratedGradients(Baseline.zero(), 16, "gauss_legendre")),
        1,
        threads);
  }

  @Test
  void rowsAndDevicesAreChecked(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("rows.json");
    Files.writeString(file, "{\"image\": [1, 2]}\n{\"image\": [3, 4]}\n");
    double[] rows = DeviceCheck.readRows(file, "image", 3, 2);
    assertEquals(
        List.of(1.0, 2.0, 3.0, 4.0, 1.0, 2.0), java.util.Arrays.stream(rows).boxed().toList());
    IllegalArgumentException wrongSize =
        assertThrows(
            IllegalArgumentException.class, () -> DeviceCheck.readRows(file, "image", 1, 3));
    assertTrue(
        wrongSize.getMessage().contains("not an array of 3 numbers"), wrongSize.getMessage());
    assertEquals(Device.gpu(1), DeviceCheck.device("gpu1"));
    assertEquals(Device.cpu(), DeviceCheck.device("cpu"));
    assertThrows(IllegalArgumentException.class, () -> DeviceCheck.device("tpu"));
  }

  /**
   * A JVM started without {@code ONEDNN_MAX_CPU_ISA} (as under spark-submit or in a notebook) caps
   * oneDNN itself: Integrated Gradients' gaps on the shapes CNN stay small. On a CPU with AVX-512
   * (this project's machines) the uncapped gap is about 1.1 of |f(x) - f(baseline)|, so the check
   * fails there without the cap; elsewhere this passes either way. It also keeps a GPU's float32
   * arithmetic float32 ({@code NVIDIA_TF32_OVERRIDE=0} set in its own environment).
   */
  @Test
  void aJvmWithoutTheVariableCapsOneDnnItself() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder child =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                DeviceCheck.class.getName(),
                SHAPES_CNN.toString(),
                "--input",
                "datasets/synthetic/shapes.json",
                "--rows",
                "60",
                "--device",
                "cpu",
                "--repeat",
                "1")
            .redirectErrorStream(true);
    child.environment().remove("ONEDNN_MAX_CPU_ISA");
    child.environment().remove(TorchSettings.TF32_VARIABLE);
    Process process = child.start();
    String output = new String(process.getInputStream().readAllBytes(), "UTF-8");
    int status = process.waitFor();
    assertEquals(0, status, output);
    assertTrue(output.contains("oneDNN's instruction set: AVX2"), output);
    assertTrue(output.contains("NVIDIA_TF32_OVERRIDE=0"), output);
  }
}
