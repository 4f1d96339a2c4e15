package io.trustlens.explain.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.model.TorchSettings;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jobs/gpu-bundle}'s folder is whole: its own Java runtime, jars and classes run {@link
 * DeviceCheck} (here on the CPU, with the test classpath's libtorch standing in for the GPU
 * machine's), and its check script is there and parses.
 */
class GpuBundleTest {
  @Test
  void theBundleRunsTheDeviceCheckOnItsOwnRuntimeAndJars(@TempDir Path dir) throws Exception {
    Path bundle = dir.resolve("bundle");
    Output made = run(List.of("bash", "jobs/gpu-bundle", bundle.toString()), false);
    assertEquals(0, made.status(), made.text());
    for (String part : List.of("check", "gpu-discovery.sh", "build-djl-jni", "jre/bin/java")) {
      assertTrue(Files.isExecutable(bundle.resolve(part)), part + " in " + made.text());
    }
    assertEquals(0, run(List.of("bash", "-n", bundle.resolve("check").toString()), false).status());

    // libtorch and DJL's JNI library for the CPU, from the test classpath: what the GPU machine's
    // own PyTorch and build-djl-jni give there. Everything else comes from the bundle.
    String natives =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(p -> p.contains("pytorch-jni") || p.contains("pytorch-native"))
            .collect(Collectors.joining(File.pathSeparator));
    String classpath =
        String.join(
            File.pathSeparator,
            bundle.resolve("classes").toString(),
            bundle.resolve("lib") + File.separator + "*",
            natives);
    Output checked =
        run(
            List.of(
                bundle.resolve("jre/bin/java").toString(),
                "-Dai.djl.offline=true",
                "-cp",
                classpath,
                DeviceCheck.class.getName(),
                bundle.resolve("models/shapes_cnn.pt").toString(),
                "--input",
                bundle.resolve("models/shapes.json").toString(),
                "--rows",
                "30",
                "--device",
                "cpu",
                "--repeat",
                "1"),
            true);
    assertEquals(0, checked.status(), checked.text());
    assertTrue(checked.text().contains("device-check: PASS"), checked.text());
    assertTrue(checked.text().contains(TorchSettings.TF32_VARIABLE + "=0"), checked.text());
  }

  @Test
  void aFolderThatIsNotABundleIsNeverRemoved(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("keep.txt"), "mine");
    Output refused = run(List.of("bash", "jobs/gpu-bundle", dir.toString()), false);
    assertEquals(2, refused.status(), refused.text());
    assertTrue(refused.text().contains("is not a bundle"), refused.text());
    assertEquals("mine", Files.readString(dir.resolve("keep.txt")));
  }

  private record Output(int status, String text) {}

  private static Output run(List<String> command, boolean withoutTf32Variable) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (withoutTf32Variable) {
      builder.environment().remove(TorchSettings.TF32_VARIABLE);
    }
    Process process = builder.start();
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Output(process.waitFor(), text);
  }
}
