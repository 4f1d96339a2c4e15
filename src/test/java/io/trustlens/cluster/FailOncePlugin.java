package io.trustlens.cluster;

import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.util.TaskCompletionListener;

/**
 * A fault for the cluster tests ({@code spark.plugins}): in every stage, the first attempt of the
 * task for partition 1 throws once it has done its work (a task completion listener that throws
 * fails the task after its output is written), so Spark must run that partition again and the
 * result must not change. The message starts with {@link #MESSAGE}, which the driver's log shows.
 */
public final class FailOncePlugin implements SparkPlugin {
  static final String MESSAGE = "trustlens injected fault";

  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorPlugin() {
      @Override
      public void init(PluginContext context, Map<String, String> extraConf) {}

      @Override
      public void onTaskStart() {
        TaskContext task = TaskContext.get();
        if (task != null
            && task.partitionId() == 1
            && task.attemptNumber() == 0
            && task.stageAttemptNumber() == 0) {
          task.addTaskCompletionListener(
              (TaskCompletionListener)
                  done -> {
                    if (!done.isInterrupted()) {
                      throw new IllegalStateException(
                          MESSAGE + ": stage " + done.stageId() + " partition 1 fails once");
                    }
                  });
        }
      }
    };
  }
}
