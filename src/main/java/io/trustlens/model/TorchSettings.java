package io.trustlens.model;

/**
 * DJL settings every JVM that runs TorchScript needs, applied before the engine starts unless the
 * user set them: no network (DJL otherwise probes a cloud metadata address), and one libtorch
 * thread per task, because Spark already runs one task per core (two OpenMP threads per task on a
 * two-core executor measured about 100 times slower).
 */
public final class TorchSettings {
  private TorchSettings() {}

  public static void applyDefaults() {
    capOneDnn();
    exactFloat32OnGpu();
    keepFreedMemory();
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
    setIfAbsent("ai.djl.pytorch.num_threads", "1");
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
  }

  private static final ThreadLocal<Boolean> THREAD_SET = ThreadLocal.withInitial(() -> false);

  /**
   * Applies the libtorch thread count to the calling thread. libtorch keeps it per calling thread
   * (OpenMP), and DJL sets it only in the thread that starts the engine, so a Spark task thread
   * would otherwise run every operation on as many threads as the machine has cores: measured here
   * with the breast-cancer MLP, 0.66 M rows/s on such a thread against 3.1 M rows/s once set.
   */
  public static void applyToThisThread() {
    if (!THREAD_SET.get()) {
      ai.djl.pytorch.jni.JniUtils.setNumThreads(
          Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads", "1")));
      THREAD_SET.set(true);
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** The instruction-set cap oneDNN gets when the environment names none. */
  public static final String ONEDNN_ISA = "AVX2";

  private static String oneDnnIsa;

  /**
   * Caps libtorch's oneDNN at AVX2 unless the environment already sets {@code ONEDNN_MAX_CPU_ISA}:
   * libtorch 2.7.1's oneDNN computes wrong convolution gradients with any AVX-512 level on AMD EPYC
   * (Zen 5) CPUs (Integrated Gradients' completeness gap 120% on the shapes CNN instead of 0.5%,
   * and now and then a chunk's gradient NaN almost everywhere, varying from run to run). oneDNN
   * reads the variable when it first runs a primitive, so it is set in this process's C environment
   * (setenv through JNA) before the first model loads; executors load their models through here
   * too. This covers {@code spark-submit} and notebooks, where no launcher exported it.
   *
   * @return the cap in force: the environment's, this default, or null when it could not be set
   */
  public static synchronized String capOneDnn() {
    if (oneDnnIsa == null) {
      oneDnnIsa = setenvIfAbsent("ONEDNN_MAX_CPU_ISA", ONEDNN_ISA);
    }
    return oneDnnIsa.isEmpty() ? null : oneDnnIsa;
  }

  /**
   * Sets {@code name=value} in this process's C environment (setenv through JNA) unless the
   * environment already sets it; returns the value in force, or "" where it could not be set.
   */
  private static String setenvIfAbsent(String name, String value) {
    String given = System.getenv(name);
    if (given != null) {
      return given;
    }
    try {
      LibC.INSTANCE.setenv(name, value, 0);
      return java.util.Objects.requireNonNullElse(LibC.INSTANCE.getenv(name), "");
    } catch (LinkageError | RuntimeException e) { // no JNA, or no C library to load
      return ""; // leave the library as it is
    }
  }

  /** The environment variable NVIDIA's cuBLAS and cuDNN read: 0 turns TensorFloat-32 off. */
  public static final String TF32_VARIABLE = "NVIDIA_TF32_OVERRIDE";

  private static String tf32;

  /**
   * Keeps a GPU's float32 arithmetic float32: sets {@code NVIDIA_TF32_OVERRIDE=0} in this process's
   * C environment (setenv through JNA) before cuBLAS and cuDNN start, unless the environment sets
   * the variable itself or the system property {@code trustlens.tf32} is {@code true}. libtorch
   * lets cuDNN run float32 convolutions on TensorFloat-32 tensor cores by default (a 10-bit
   * mantissa): measured on an H100 with libtorch 2.11, the shapes CNN's saliency maps then differ
   * from the CPU's by up to 4.4% of a row's largest value and Integrated Gradients' by 0.6%, where
   * an explanation's numbers should not depend on where it ran (that the variable brings them
   * within {@code DeviceCheck}'s 1e-4 is still to be measured on a GPU). {@code
   * -Dtrustlens.tf32=true} trades that for speed. The CPU never uses TF32, so nothing changes
   * there; the setting is the process's, so other CUDA libraries in the same JVM see it too.
   *
   * @return the variable's value in force ("0" when set here), or null where it is unset or could
   *     not be set
   */
  public static synchronized String exactFloat32OnGpu() {
    if (tf32 == null) {
      boolean optedOut =
          System.getenv(TF32_VARIABLE) == null && Boolean.getBoolean("trustlens.tf32");
      tf32 = optedOut ? "" : setenvIfAbsent(TF32_VARIABLE, "0");
    }
    return tf32.isEmpty() ? null : tf32;
  }

  /** Blocks at least this large are mapped and unmapped on their own (glibc's largest allowed). */
  public static final int MMAP_THRESHOLD = 32 << 20;

  /** Free memory at the top of a heap is handed back to the system beyond this much. */
  public static final int TRIM_THRESHOLD = 256 << 20;

  /** {@code mallopt}'s parameters (glibc's malloc.h). */
  private static final int M_TRIM_THRESHOLD = -1;

  private static final int M_MMAP_THRESHOLD = -3;

  private static Boolean freedMemoryKept;

  /**
   * Lets the C library keep memory libtorch frees for its next call instead of handing it back to
   * the system at once, unless the environment sets either threshold itself ({@code
   * MALLOC_MMAP_THRESHOLD_}, {@code MALLOC_TRIM_THRESHOLD_}, or either in {@code GLIBC_TUNABLES})
   * or the system property {@code trustlens.keepFreedMemory} is {@code false}. libtorch allocates
   * each call's activations and gradients with {@code malloc} and frees them at the end; glibc by
   * default maps blocks of a few megabytes on their own and unmaps them on {@code free}, and trims
   * a heap's free top beyond twice that, so every call faults the same memory in again, page by
   * page, and two task threads serialise on the process's memory map. Measured on the digits CNN's
   * forward+backward (chunks of 1,024 rows): 35 instead of 60-117 µs/row, 0.25 M instead of 1.3-3.5
   * M page faults, and saliency through Spark local[2] over local[1] 1.9-2.3x instead of 1.3x. The
   * cost: a process keeps up to {@link #TRIM_THRESHOLD} of freed memory per heap for reuse. Uses
   * {@code mallopt} (glibc); elsewhere nothing changes.
   *
   * @return whether the thresholds are in force (set here, or by the environment)
   */
  public static synchronized boolean keepFreedMemory() {
    if (freedMemoryKept == null) {
      String tunables = System.getenv("GLIBC_TUNABLES");
      boolean given =
          System.getenv("MALLOC_MMAP_THRESHOLD_") != null
              || System.getenv("MALLOC_TRIM_THRESHOLD_") != null
              || (tunables != null
                  && (tunables.contains("malloc.mmap_threshold")
                      || tunables.contains("malloc.trim_threshold")));
      if ("false".equals(System.getProperty("trustlens.keepFreedMemory"))) {
        freedMemoryKept = false;
      } else if (given) {
        freedMemoryKept = true;
      } else {
        try {
          freedMemoryKept = // mallopt returns 1 on success
              LibC.INSTANCE.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                  && LibC.INSTANCE.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1;
        } catch (LinkageError | RuntimeException e) { // no JNA, or no glibc
          freedMemoryKept = false;
        }
      }
    }
    return freedMemoryKept;
  }

  /**
   * The C library calls {@link #capOneDnn}, {@link #exactFloat32OnGpu} and {@link #keepFreedMemory}
   * need.
   */
  private interface LibC extends com.sun.jna.Library {
    LibC INSTANCE = com.sun.jna.Native.load("c", LibC.class);

    int setenv(String name, String value, int overwrite);

    String getenv(String name);

    int mallopt(int param, int value);
  }
}
