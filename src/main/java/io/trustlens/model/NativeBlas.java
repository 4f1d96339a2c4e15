package io.trustlens.model;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps netlib's probes for system BLAS, LAPACK and ARPACK off the console. The first time MLlib
 * asks for a native one, netlib (3.2) dlopens the system library ({@code libblas.so.3}, {@code
 * liblapack.so.3}, {@code libarpack.so.2}) and, when the machine has none, prints {@code
 * netlib-blas: JNI_OnLoad: dlopen(libblas.so.3) failed} to standard error from native code, then
 * logs which Java implementation it chose through {@code java.util.logging} (two more lines at
 * INFO); MLlib then uses that Java implementation. Where the library is not on the dynamic linker's
 * path and the user decided nothing ({@code dev.ludovic.netlib.blas.allowNative}, {@code
 * nativeLib}, {@code nativeLibPath} unset; likewise for lapack and arpack), this sets netlib's own
 * {@code allowNative=false}, so the probe never runs and MLlib's arithmetic is the same, bit for
 * bit, as after a failed probe; netlib's INFO lines go only where {@code --verbose} asks for INFO.
 * Where a system library is present, MLlib uses it as before.
 */
public final class NativeBlas {
  /** netlib's three libraries and the system library each one's JNI part dlopens. */
  private static final String[][] LIBRARIES = {
    {"blas", "libblas.so.3"}, {"lapack", "liblapack.so.3"}, {"arpack", "libarpack.so.2"}
  };

  /** Held so that its level stays set (java.util.logging keeps loggers weakly). */
  private static final Logger NETLIB = Logger.getLogger("dev.ludovic.netlib");

  private static volatile boolean done;

  private NativeBlas() {}

  /**
   * Skips each probe (BLAS, LAPACK, ARPACK) whose system library the machine lacks; once per JVM,
   * before MLlib's first use of them.
   */
  public static void skipProbesOfMissingLibraries() {
    if (done) {
      return;
    }
    synchronized (NativeBlas.class) {
      if (done) {
        return;
      }
      done = true;
      if (NETLIB.getLevel() == null) {
        NETLIB.setLevel(Level.WARNING);
      }
      if (!System.getProperty("os.name", "").startsWith("Linux")) {
        return;
      }
      List<Path> path = linkerPath();
      for (String[] library : LIBRARIES) {
        String prefix = "dev.ludovic.netlib." + library[0] + ".";
        if (System.getProperty(prefix + "allowNative") == null
            && System.getProperty(prefix + "nativeLib") == null
            && System.getProperty(prefix + "nativeLibPath") == null
            && !systemLibraryPresent(library[1], path)) {
          System.setProperty(prefix + "allowNative", "false");
        }
      }
    }
  }

  /** Shows netlib's INFO lines ({@code --verbose}) or keeps them out of the console. */
  public static void verbose(boolean on) {
    NETLIB.setLevel(on ? Level.INFO : Level.WARNING);
  }

  /**
   * Whether the dynamic linker would find {@code library}: in one of {@code folders} or in its
   * cache ({@code /etc/ld.so.cache}, which names every library it knows).
   */
  static boolean systemLibraryPresent(String library, List<Path> folders) {
    for (Path folder : folders) {
      if (Files.exists(folder.resolve(library))) {
        return true;
      }
    }
    try {
      byte[] cache = Files.readAllBytes(Path.of("/etc/ld.so.cache"));
      return new String(cache, StandardCharsets.ISO_8859_1).contains(library);
    } catch (java.io.IOException | SecurityException e) {
      return true; // cannot tell: leave the probe to netlib
    }
  }

  /** {@code LD_LIBRARY_PATH}'s folders, then the linker's default ones. */
  static List<Path> linkerPath() {
    List<Path> folders = new ArrayList<>();
    String env = System.getenv("LD_LIBRARY_PATH");
    if (env != null) {
      for (String f : env.split(":")) {
        if (!f.isEmpty()) {
          folders.add(Path.of(f));
        }
      }
    }
    for (String f : new String[] {"/lib", "/usr/lib", "/lib64", "/usr/lib64"}) {
      folders.add(Path.of(f));
    }
    return folders;
  }
}
