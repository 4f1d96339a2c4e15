package io.trustlens.model;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TorchScript models loaded in this JVM, keyed by file and device, so that each executor loads a
 * model once and every task on it reuses that copy (the job DJL's Spark extension would do).
 */
public final class ModelCache {
  private static final ConcurrentHashMap<String, TorchScriptModel> MODELS =
      new ConcurrentHashMap<>();
  private static final AtomicInteger LOADS = new AtomicInteger();

  private ModelCache() {}

  /** The model in {@code file} on {@code device}, loaded on first use. */
  public static TorchScriptModel torchScript(Path file, TorchScriptCard card, Device device) {
    String key = file.toAbsolutePath().normalize() + "@" + device;
    return MODELS.computeIfAbsent(
        key,
        k -> {
          LOADS.incrementAndGet();
          return TorchScriptModel.load(file, card, device);
        });
  }

  /**
   * The copy of the model in {@code file} on {@code device} that computes input gradients (see
   * {@link TorchScriptModel#load(Path, TorchScriptCard, Device, boolean)}), loaded on first use. It
   * is a second module beside the scoring one, so scoring keeps its inference-mode speed.
   */
  public static TorchScriptModel differentiable(Path file, TorchScriptCard card, Device device) {
    String key = file.toAbsolutePath().normalize() + "@" + device + "#gradients";
    return MODELS.computeIfAbsent(
        key,
        k -> {
          LOADS.incrementAndGet();
          return TorchScriptModel.load(file, card, device, true);
        });
  }

  /** How many times a model was loaded from disk in this JVM. */
  public static int loads() {
    return LOADS.get();
  }
}
