package io.trustlens.model;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Several models scored together on the same rows; the ensemble's outputs are the members' mean
 * (mean probabilities for classifiers, mean value for regressors).
 */
public final class EnsembleModel implements BatchModel {
  private final List<BatchModel> members;
  private final ModelInfo info;

  /** An ensemble of members that read the same inputs and give the same outputs. */
  public EnsembleModel(List<BatchModel> members) {
    if (members.isEmpty()) {
      throw new InvalidModelException("an ensemble needs at least one model");
    }
    this.members = List.copyOf(members);
    this.info = combine(members.stream().map(BatchModel::info).toList());
  }

  /** The combined description of members that must agree on inputs and outputs. */
  static ModelInfo combine(List<ModelInfo> infos) {
    ModelInfo first = infos.get(0);
    List<String> locations = new ArrayList<>();
    for (ModelInfo m : infos) {
      if (m.inputSize() != first.inputSize() || !m.outputNames().equals(first.outputNames())) {
        throw new InvalidModelException(
            "ensemble members disagree: "
                + m.location()
                + " reads "
                + m.inputSize()
                + " features and outputs "
                + m.outputNames()
                + ", but "
                + first.location()
                + " reads "
                + first.inputSize()
                + " and outputs "
                + first.outputNames());
      }
      locations.add(m.location());
    }
    OutputKind kind = first.kind() == OutputKind.LOGIT ? OutputKind.PROBABILITY : first.kind();
    return new ModelInfo(
        String.join(",", locations),
        "Ensemble",
        first.inputShape(),
        first.outputNames(),
        kind,
        EnumSet.noneOf(Capability.class));
  }

  /** The members, in order. */
  public List<BatchModel> members() {
    return members;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  /** The largest of the members' batch sizes (theirs are powers of two: the others divide it). */
  @Override
  public int batchRows() {
    return members.stream().mapToInt(BatchModel::batchRows).max().getAsInt();
  }

  /** Each member's scores on the same rows. */
  public List<Scores> scoreMembers(double[] inputs, int rows) {
    List<Scores> all = new ArrayList<>();
    for (BatchModel m : members) {
      all.add(m.score(inputs, rows));
    }
    return all;
  }

  @Override
  public Scores score(double[] inputs, int rows) {
    int w = info.outputSize();
    double[] mean = new double[rows * w];
    double[] probabilities = new double[w];
    for (BatchModel m : members) {
      double[] out = m.score(inputs, rows).outputs();
      for (int i = 0; i < rows; i++) {
        if (m.info().kind() == OutputKind.LOGIT) {
          OutputKind.LOGIT.probabilities(out, i * w, w, probabilities);
          System.arraycopy(probabilities, 0, out, i * w, w);
        }
      }
      for (int j = 0; j < mean.length; j++) {
        mean[j] += out[j] / members.size();
      }
    }
    double[] predictions = new double[rows];
    for (int i = 0; i < rows; i++) {
      predictions[i] = info.kind().predict(mean, i * w, w);
    }
    return new Scores(mean, predictions, w);
  }
}
