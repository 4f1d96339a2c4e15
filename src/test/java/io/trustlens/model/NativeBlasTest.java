package io.trustlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeBlasTest {
  @TempDir Path dir;

  @Test
  void aLibraryIsFoundInAFolderOnThePath() throws Exception {
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(dir.resolve("lib/libtrustlens-probe.so.7"), "");
    assertTrue(
        NativeBlas.systemLibraryPresent("libtrustlens-probe.so.7", List.of(dir.resolve("lib"))));
    assertFalse(
        NativeBlas.systemLibraryPresent("libtrustlens-probe.so.8", List.of(dir.resolve("lib"))));
  }

  /**
   * In a fresh JVM on a machine without a system BLAS and LAPACK: MLlib's first BLAS and LAPACK
   * calls print netlib's dlopen failures unless {@link NativeBlas} ran first, and give the same
   * numbers either way.
   */
  @Test
  void netlibsProbesStayOffTheConsoleWithTheSameArithmetic() throws Exception {
    List<Path> path = NativeBlas.linkerPath();
    Assumptions.assumeFalse(
        NativeBlas.systemLibraryPresent("libblas.so.3", path)
            || NativeBlas.systemLibraryPresent("liblapack.so.3", path),
        "this machine has a system BLAS or LAPACK: netlib loads it and prints nothing");
    String[] plain = probe(false);
    String[] quiet = probe(true);
    assertTrue(plain[1].contains("dlopen(libblas.so.3) failed"), "the control prints: " + plain[1]);
    assertTrue(plain[1].contains("dlopen(liblapack.so.3) failed"), plain[1]);
    assertFalse(quiet[1].contains("netlib"), "nothing of netlib's: " + quiet[1]);
    assertEquals(plain[0], quiet[0], "the same numbers");
  }

  /** Runs {@link Probe} in a new JVM: its standard output and error. */
  private static String[] probe(boolean quiet) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Probe.class.getName());
    cmd.add(String.valueOf(quiet));
    Process p = new ProcessBuilder(cmd).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), new String(err, StandardCharsets.UTF_8));
    return new String[] {
      new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8)
    };
  }

  /** MLlib's native BLAS (a dot product, as a GBT sums its trees) and LAPACK (a Cholesky solve). */
  public static final class Probe {
    public static void main(String[] args) {
      if (Boolean.parseBoolean(args[0])) {
        NativeBlas.skipProbesOfMissingLibraries();
      }
      double[] a = new double[100];
      double[] b = new double[100];
      for (int i = 0; i < a.length; i++) {
        a[i] = Math.sin(i);
        b[i] = Math.cos(3 * i);
      }
      double dot = org.apache.spark.ml.linalg.BLAS$.MODULE$.nativeBLAS().ddot(100, a, 1, b, 1);
      double[] upper = {4, 2, 3}; // [[4, 2], [2, 3]] packed
      double[] solution =
          org.apache.spark.mllib.linalg.CholeskyDecomposition.solve(upper, new double[] {1, 2});
      System.out.println(
          Double.doubleToRawLongBits(dot)
              + " "
              + Double.doubleToRawLongBits(solution[0])
              + " "
              + Double.doubleToRawLongBits(solution[1]));
    }
  }
}
