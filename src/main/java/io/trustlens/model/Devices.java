package io.trustlens.model;

import ai.djl.Device;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import scala.Option;

/** Chooses where a task runs its model: the GPU Spark assigned to the task, else the CPU. */
public final class Devices {
  private Devices() {}

  /** The device for the current Spark task, or the CPU outside a task or without a GPU. */
  public static Device forCurrentTask() {
    TaskContext task = TaskContext.get();
    if (task == null) {
      return Device.cpu();
    }
    Option<ResourceInformation> gpu = task.resources().get("gpu");
    if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
      return Device.cpu();
    }
    return Device.gpu(Integer.parseInt(gpu.get().addresses()[0]));
  }
}
