package io.trustlens.model;

import java.util.List;

/** Several model sources opened together as one {@link EnsembleModel}. */
record EnsembleSource(List<ModelSource> members, ModelInfo info) implements ModelSource {
  @Override
  public BatchModel open() {
    return new EnsembleModel(members.stream().map(ModelSource::open).toList());
  }

  @Override
  public List<ModelInfo> memberInfos() {
    return members.stream().map(ModelSource::info).toList();
  }
}
