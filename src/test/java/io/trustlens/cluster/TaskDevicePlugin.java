package io.trustlens.cluster;

import io.trustlens.model.Devices;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Records, for the cluster tests ({@code spark.plugins}), where each task would run a model: as
 * each task starts (in its own thread), one line to the folder {@code spark.trustlens.deviceLog}
 * names with the stage, the partition, the GPU addresses Spark assigned the task and {@link
 * Devices#forCurrentTask()}.
 */
public final class TaskDevicePlugin implements SparkPlugin {
  static final String FOLDER = "spark.trustlens.deviceLog";

  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      private Path log;

      @Override
      public void init(PluginContext context, Map<String, String> extraConf) {
        log = Path.of(context.conf().get(FOLDER)).resolve("executor-" + context.executorID());
      }

      @Override
      public void onTaskStart() {
        TaskContext task = TaskContext.get();
        String addresses =
            task.resources()
                .get("gpu")
                .map(gpu -> String.join(",", gpu.addresses()))
                .getOrElse(() -> "");
        String line =
            task.stageId()
                + " "
                + task.partitionId()
                + " gpu="
                + addresses
                + " device="
                + Devices.forCurrentTask()
                + "\n";
        try {
          Files.writeString(
              log,
              line,
              StandardCharsets.UTF_8,
              StandardOpenOption.CREATE,
              StandardOpenOption.APPEND);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}
