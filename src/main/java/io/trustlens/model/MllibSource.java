package io.trustlens.model;

import org.apache.spark.broadcast.Broadcast;

/** An MLlib model broadcast to executors, deserialised once per executor JVM. */
record MllibSource(Broadcast<MllibModel> model, ModelInfo info) implements ModelSource {
  @Override
  public BatchModel open() {
    NativeBlas.skipProbesOfMissingLibraries(); // an executor's first MLlib model
    return model.value();
  }
}
