package io.trustlens.model;

import java.util.List;
import java.util.Set;

/**
 * What a loaded model is: where it came from, what it reads and what its outputs mean.
 *
 * @param location the path the model was loaded from
 * @param type a short name of the model class, such as {@code GBTClassificationModel}
 * @param inputShape the shape of one input row; a flat vector has one dimension
 * @param outputNames one name per output column, in output order
 * @param kind what the outputs mean
 * @param capabilities what the model can do beyond scoring
 */
public record ModelInfo(
    String location,
    String type,
    int[] inputShape,
    List<String> outputNames,
    OutputKind kind,
    Set<Capability> capabilities)
    implements java.io.Serializable {

  /** The number of values in one input row (the product of the shape). */
  public int inputSize() {
    int size = 1;
    for (int d : inputShape) {
      size *= d;
    }
    return size;
  }

  /**
   * The default target: a binary classifier's positive class (output 1), so that every row's values
   * are of one class and add up across rows; any other model's predicted class per row.
   */
  public static final String AUTO = "auto";

  /** What a stage's {@code target} param takes, for its documentation. */
  public static final String TARGET_DOC =
      "auto (a binary classifier's positive class, else each row's predicted class),"
          + " predicted, or an output index or name";

  /** Whether the model is a classifier of two classes. */
  public boolean isBinaryClassifier() {
    return kind().isClassification() && outputSize() == 2;
  }

  /** The number of outputs per row. */
  public int outputSize() {
    return outputNames.size();
  }

  /**
   * The output a user names: {@code predicted} gives -1 (each row's largest output), {@code auto}
   * the positive class (1) of a binary classifier and -1 otherwise, else an output name or an
   * index.
   *
   * @throws IllegalArgumentException naming the outputs when {@code target} is none of those
   */
  public int outputIndex(String target) {
    if (target.equals(AUTO)) {
      return isBinaryClassifier() ? 1 : -1;
    }
    if (target.equals("predicted")) {
      return -1;
    }
    int byName = outputNames.indexOf(target);
    if (byName >= 0) {
      return byName;
    }
    try {
      int k = Integer.parseInt(target);
      if (k >= 0 && k < outputSize()) {
        return k;
      }
    } catch (NumberFormatException notANumber) {
      // fall through to the error
    }
    throw new IllegalArgumentException(
        "unknown target '"
            + target
            + "'; the model's outputs are "
            + outputNames
            + " (give a name, an index 0.."
            + (outputSize() - 1)
            + ", predicted or auto)");
  }
}
