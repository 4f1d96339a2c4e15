package io.trustlens.model;

/**
 * DJL settings every JVM that runs TorchScript needs, applied before the engine starts unless the
 * user set them: no network (DJL otherwise probes a cloud metadata address), and one libtorch
 * thread per task, because Spark already runs one task per core (two OpenMP threads per task on a
 * two-core executor measured about 100 times slower).
 */
final class TorchSettings {
  private TorchSettings() {}

  static void applyDefaults() {
    setIfAbsent("ai.djl.offline", "true");
    setIfAbsent("OPT_OUT_TRACKING", "true");
    setIfAbsent("ai.djl.pytorch.num_threads", "1");
    setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
