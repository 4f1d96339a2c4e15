package io.trustlens.job;

import io.trustlens.model.ModelInfo;
import io.trustlens.model.OutputKind;

/**
 * What a Shapley value is measured in, by method and model: tree methods explain MLlib's raw score
 * (a GBT classifier's margin), linear ones a logistic regression's log-odds, and the model-agnostic
 * methods the model's output (probability, logit or predicted value).
 *
 * @param name the short name plots print on their axes
 * @param meaning the sentence the report's facts give
 * @param link how a probability follows from one output: 2 for a GBT margin ({@code 1 / (1 +
 *     exp(-2m))}), 1 for log-odds, 0 where it does not follow from one output alone
 */
record ExplainedUnit(String name, String meaning, int link) {

  static ExplainedUnit of(String method, ModelInfo info) {
    if (!info.kind().isClassification()) {
      return new ExplainedUnit("predicted value", "the predicted value, in the label's unit", 0);
    }
    if (method.startsWith("tree")) {
      return info.type().startsWith("GBT")
          ? new ExplainedUnit(
              "margin",
              "the margin, MLlib GBT's raw score: probability = 1 / (1 + exp(-2 × margin))",
              2)
          : new ExplainedUnit(
              "raw score",
              "MLlib's raw score (rawPrediction), before normalising to a probability",
              0);
    }
    if (method.equals("linear")) {
      return new ExplainedUnit(
          "log-odds", "the log-odds (the margin): probability = 1 / (1 + exp(-margin))", 1);
    }
    return info.kind() == OutputKind.PROBABILITY
        ? new ExplainedUnit("probability", "the class probability the model outputs", 0)
        : new ExplainedUnit("logit", "the model's logit, before the softmax", 0);
  }

  /** The probability an output in this unit gives, or NaN where one output does not decide it. */
  double probability(double output) {
    return link == 0 ? Double.NaN : 1 / (1 + Math.exp(-link * output));
  }
}
