package io.trustlens.model;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;

/**
 * A TorchScript file that executors read from a shared path or from the files shipped with the job
 * ({@code --files} / {@code spark.files}).
 */
record TorchScriptSource(String location, TorchScriptCard card, ModelInfo info)
    implements ModelSource {

  @Override
  public BatchModel open() {
    return ModelCache.torchScript(localFile(), card, Devices.forCurrentTask());
  }

  @Override
  public DifferentiableModel openDifferentiable() {
    return ModelCache.differentiable(localFile(), card, Devices.forCurrentTask());
  }

  @Override
  public TorchScriptModel openPrivateCopy() {
    return TorchScriptModel.load(localFile(), card, Devices.forCurrentTask(), true);
  }

  @Override
  public void checkMonteCarlo() {
    TorchScriptModel.checkMonteCarlo(card, location);
  }

  @Override
  public MonteCarloModel openMonteCarlo() {
    checkMonteCarlo();
    return ModelCache.torchScript(localFile(), card, Devices.forCurrentTask());
  }

  /** The copy shipped with the job ({@code --files}) when there is one, else the shared path. */
  private Path localFile() {
    Path path = Path.of(location);
    try {
      // SparkFiles may answer with a relative path, which DJL rejects.
      Path shipped = Path.of(SparkFiles.get(path.getFileName().toString())).toAbsolutePath();
      if (Files.isRegularFile(shipped)) {
        return shipped;
      }
    } catch (RuntimeException notInAJob) {
      // No SparkEnv in this JVM: only the shared path can serve.
    }
    if (Files.isRegularFile(path)) {
      return path;
    }
    throw new InvalidModelException(
        "TorchScript model "
            + location
            + " is not readable on this executor: put it on a shared path or ship it with --files");
  }
}
