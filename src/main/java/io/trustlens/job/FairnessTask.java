package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;

import io.trustlens.data.Disparity;
import io.trustlens.data.GroupFairness;
import io.trustlens.data.GroupRates;
import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelScorer;
import io.trustlens.report.DataCharts;
import io.trustlens.report.HtmlReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code data} with method {@code fairness}: a classifier's decisions across the groups of one or
 * two sensitive columns ({@link GroupFairness}), from a model it scores or a column of predicted
 * classes, with the share of attribution the sensitive columns carry when explanations are given;
 * thresholds on the parity difference and ratio and the equalized odds difference.
 */
final class FairnessTask implements AuditTask<DataSpec> {
  private static final String SCORE = "_trustlens_p_positive";

  @Override
  public Map<String, Object> run(AuditRun run, DataSpec task) {
    AuditSpec.Input in = run.spec().input;
    if (in.label == null) {
      throw new SpecException(
          "fairness compares decisions with the truth: the input needs a label (input.label,"
              + " --label)");
    }
    DataTask.requireColumns(run, task.sensitive, "sensitive column");
    double positive = task.positive != null ? Double.parseDouble(task.positive) : 1.0;
    int maxGroups = task.maxGroups != null ? task.maxGroups : 50;
    Dataset<Row> scored;
    String prediction;
    String score = null;
    String decidedBy;
    if (task.prediction != null) {
      DataTask.requireColumns(run, List.of(task.prediction), "prediction column");
      scored = run.input().table();
      prediction = task.prediction;
      decidedBy = "the column " + prediction;
    } else {
      String name = modelName(run, task);
      LoadedModel model = run.model(name);
      if (!model.info().kind().isClassification()) {
        throw new SpecException(
            "fairness measures a classifier's decisions; the model '" + name + "' is a regression");
      }
      int index = (int) positive;
      if (index != positive || index < 0 || index >= model.info().outputSize()) {
        throw new SpecException(
            "positive is "
                + task.positive
                + "; the model's classes are the indices 0 to "
                + (model.info().outputSize() - 1));
      }
      Dataset<Row> prepared = run.input().prepare(model);
      FeatureSpace features = run.input().features(model, prepared);
      ModelScorer scorer =
          new ModelScorer(model.source(), features)
              .setOnInvalid(run.input().onInvalid())
              .setPredictionCol("_trustlens_prediction")
              .setProbabilityCol("_trustlens_probability");
      scored =
          scorer
              .transform(prepared)
              .withColumn(SCORE, element_at(col("_trustlens_probability"), index + 1));
      prediction = "_trustlens_prediction";
      score = SCORE;
      decidedBy = "the model " + name;
    }
    for (String c : List.of(in.label, prediction)) {
      var type = scored.schema().apply(c).dataType();
      if (!(type instanceof org.apache.spark.sql.types.NumericType
          || type instanceof org.apache.spark.sql.types.BooleanType)) {
        throw new SpecException(
            "fairness compares classes as numbers: the column '"
                + c
                + "' is "
                + type.simpleString()
                + "; give the class indices (0, 1, ...) the model predicts");
      }
    }
    // Counted once, then grouped: score once (the run releases what a task cached when it ends).
    scored = scored.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    long unlabelled = scored.filter(ColumnNames.col(in.label).isNull()).count();
    if (unlabelled > 0) {
      run.warn(unlabelled + " rows have no label and are left out of the group rates");
      scored = scored.filter(ColumnNames.col(in.label).isNotNull());
    }
    List<GroupFairness> groupings =
        GroupFairness.of(scored, in.label, prediction, score, task.sensitive, positive, maxGroups);
    String name = task.name != null ? task.name : "fairness";
    List<GroupRow> rows = new ArrayList<>();
    for (GroupFairness g : groupings) {
      g.groups().forEach(r -> rows.add(new GroupRow(g.grouping(), r)));
    }
    DataTables<GroupRow> groupTable =
        new DataTables<GroupRow>()
            .text("grouping", GroupRow::grouping)
            .text("group", r -> r.rates().group())
            .count("rows", r -> r.rates().rows())
            .number("base_rate", r -> r.rates().baseRate())
            .number("selection_rate", r -> r.rates().selectionRate())
            .number("true_positive_rate", r -> r.rates().truePositiveRate())
            .number("false_positive_rate", r -> r.rates().falsePositiveRate())
            .number("precision", r -> r.rates().precision())
            .number("accuracy", r -> r.rates().accuracy())
            .number("mean_probability", r -> r.rates().meanScore())
            .number("calibration_gap", r -> r.rates().calibrationGap());
    List<Row> writtenGroups = groupTable.write(run, name, rows);
    Map<String, Double> shares = attributionShares(run, task);
    DataTables<GroupFairness> disparityTable =
        new DataTables<GroupFairness>()
            .text("grouping", GroupFairness::grouping)
            .count("levels", GroupFairness::levels)
            .flag("capped", GroupFairness::capped)
            .number("parity_difference", g -> g.disparity().parityDifference())
            .number("parity_ratio", g -> g.disparity().parityRatio())
            .number(
                "true_positive_rate_difference", g -> g.disparity().truePositiveRateDifference())
            .number(
                "false_positive_rate_difference", g -> g.disparity().falsePositiveRateDifference())
            .number("equalized_odds_difference", g -> g.disparity().equalizedOddsDifference())
            .number("base_rate_difference", g -> g.disparity().baseRateDifference())
            .number("attribution_share", g -> shares == null ? null : shares.get(g.grouping()));
    List<Row> writtenDisparity = disparityTable.write(run, name + "_disparity", groupings);

    HtmlReport.Section section = run.report().section("Fairness: " + name);
    section
        .paragraph(
            "Decisions by "
                + decidedBy
                + "; positive class "
                + Attributions.number(positive)
                + " of "
                + in.label
                + ". Differences are the largest minus the smallest rate over the groups (a pooled"
                + " rest of many small groups is listed but not compared); the parity ratio is the"
                + " smallest selection rate over the largest (four-fifths rule: >= 0.8).",
            "note")
        .table(disparityTable.header(), DataTables.cells(writtenDisparity))
        .table(groupTable.header(), DataTables.cells(writtenGroups));
    for (GroupFairness g : groupings) {
      List<GroupRates> kept =
          g.capped() ? g.groups().subList(0, g.groups().size() - 1) : g.groups();
      Map<String, double[]> series = new LinkedHashMap<>();
      series.put("selection rate", kept.stream().mapToDouble(GroupRates::selectionRate).toArray());
      series.put(
          "true positive rate", kept.stream().mapToDouble(GroupRates::truePositiveRate).toArray());
      series.put(
          "false positive rate",
          kept.stream().mapToDouble(GroupRates::falsePositiveRate).toArray());
      series.put("base rate (label)", kept.stream().mapToDouble(GroupRates::baseRate).toArray());
      section.figure(
          "Rates by " + g.grouping() + " (share of the group's rows)",
          DataCharts.groupedBars(
              kept.stream().map(r -> r.group() + " (" + r.rows() + ")").toList(),
              series,
              "rate",
              1.0));
      if (g.capped()) {
        run.warn(
            g.grouping()
                + " has "
                + g.levels()
                + " levels: the "
                + maxGroups
                + " largest are compared and the rest pooled (max_groups)");
      }
    }
    thresholds(run, task, groupings);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("decided_by", decidedBy);
    result.put("positive", positive);
    List<Map<String, Object>> summary = new ArrayList<>();
    for (GroupFairness g : groupings) {
      Disparity d = g.disparity();
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("grouping", g.grouping());
      e.put("levels", g.levels());
      e.put("capped", g.capped());
      e.put("parity_difference", d.parityDifference());
      e.put("parity_ratio", d.parityRatio());
      e.put("equalized_odds_difference", d.equalizedOddsDifference());
      e.put("base_rate_difference", d.baseRateDifference());
      Map<String, Double> selection = new LinkedHashMap<>();
      g.groups().forEach(r -> selection.put(r.group(), r.selectionRate()));
      e.put("selection_rate", selection);
      if (shares != null) {
        e.put("attribution_share", shares.get(g.grouping()));
      }
      summary.add(e);
    }
    result.put("groupings", summary);
    result.put(
        "outputs",
        Ordered.map(
            name, run.outputPath(name), name + "_disparity", run.outputPath(name + "_disparity")));
    return result;
  }

  private record GroupRow(String grouping, GroupRates rates) {}

  static String modelName(AuditRun run, DataSpec task) {
    if (task.model != null) {
      return task.model;
    }
    if (run.spec().models.size() == 1) {
      return run.spec().models.keySet().iterator().next();
    }
    throw new SpecException(
        "fairness needs the model whose decisions it measures (model, --model) or a column of"
            + " predicted classes (prediction, --prediction)");
  }

  private static void thresholds(AuditRun run, DataSpec task, List<GroupFairness> groupings) {
    GroupFairness parity = worst(groupings, g -> g.disparity().parityDifference());
    GroupFairness ratio = worst(groupings, g -> -g.disparity().parityRatio());
    GroupFairness odds = worst(groupings, g -> g.disparity().equalizedOddsDifference());
    if (task.maxParityDifference != null) {
      double v = parity.disparity().parityDifference();
      run.threshold(
          "fairness",
          "demographic parity difference (" + parity.grouping() + ")",
          task.maxParityDifference,
          v,
          v <= task.maxParityDifference);
    }
    if (task.minParityRatio != null) {
      double v = ratio.disparity().parityRatio();
      run.threshold(
          "fairness",
          "demographic parity ratio, at least (" + ratio.grouping() + ")",
          task.minParityRatio,
          v,
          v >= task.minParityRatio);
    }
    if (task.maxEqualizedOddsDifference != null) {
      double v = odds.disparity().equalizedOddsDifference();
      run.threshold(
          "fairness",
          "equalized odds difference (" + odds.grouping() + ")",
          task.maxEqualizedOddsDifference,
          v,
          !(v > task.maxEqualizedOddsDifference));
    }
  }

  private static GroupFairness worst(
      List<GroupFairness> groupings, java.util.function.ToDoubleFunction<GroupFairness> badness) {
    GroupFairness worst = groupings.get(0);
    for (GroupFairness g : groupings) {
      if (badness.applyAsDouble(g) > badness.applyAsDouble(worst)) {
        worst = g;
      }
    }
    return worst;
  }

  /**
   * The share of the mean absolute attribution that each grouping's sensitive columns (and their
   * one-hot groups) carry, from the explanations' Shapley values; null without explanations.
   */
  private static Map<String, Double> attributionShares(AuditRun run, DataSpec task) {
    if (task.explanations == null) {
      return null;
    }
    Attributions a = Attributions.read(run, task.explanations);
    Map<String, Double> shares = new LinkedHashMap<>();
    for (String s : task.sensitive) {
      shares.put(s, a.share(List.of(s)));
    }
    if (task.sensitive.size() == 2) {
      shares.put(String.join(" & ", task.sensitive), a.share(task.sensitive));
    }
    return shares;
  }
}
