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
}
