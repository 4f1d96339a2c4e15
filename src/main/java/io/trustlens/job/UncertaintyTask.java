package io.trustlens.job;

import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.trustlens.feature.ColumnNames;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import io.trustlens.model.ModelScorer;
import io.trustlens.report.CalibrationCharts;
import io.trustlens.report.HtmlReport;
import io.trustlens.uncertainty.EnsembleUncertainty;
import io.trustlens.uncertainty.ExplanationSpread;
import io.trustlens.uncertainty.SpreadStage;
import io.trustlens.uncertainty.autoencoder.AutoencoderNovelty;
import io.trustlens.uncertainty.autoencoder.AutoencoderNoveltyModel;
import io.trustlens.uncertainty.bayes.BayesianNeuralNetwork;
import io.trustlens.uncertainty.bayes.BayesianNeuralNetworkModel;
import io.trustlens.uncertainty.calibration.Binning;
import io.trustlens.uncertainty.calibration.Calibration;
import io.trustlens.uncertainty.calibration.CalibrationMetrics;
import io.trustlens.uncertainty.calibration.Calibrator;
import io.trustlens.uncertainty.calibration.CalibratorModel;
import io.trustlens.uncertainty.calibration.IsotonicCalibration;
import io.trustlens.uncertainty.calibration.PlattScaling;
import io.trustlens.uncertainty.calibration.PlattScalingModel;
import io.trustlens.uncertainty.calibration.ReliabilityDiagram;
import io.trustlens.uncertainty.calibration.TemperatureScaling;
import io.trustlens.uncertainty.calibration.TemperatureScalingModel;
import io.trustlens.uncertainty.conformal.ConformalClassifier;
import io.trustlens.uncertainty.conformal.ConformalClassifierModel;
import io.trustlens.uncertainty.conformal.ConformalRegressor;
import io.trustlens.uncertainty.conformal.ConformalRegressorModel;
import io.trustlens.uncertainty.dropout.McDropoutUncertainty;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * The {@code uncertainty} task: per row the spread of an ensemble's members ({@link
 * EnsembleUncertainty}; several models) or of a model's Monte Carlo dropout passes ({@link
 * McDropoutUncertainty}; {@code mc_dropout}), and, when the input has a label, calibration measured
 * on held-out rows before and after a calibrator fitted on the calibration rows, and conformal sets
 * (or intervals) whose threshold the calibration rows fit. Rows are split by a hash of (seed, row
 * id), so the split does not depend on the partitioning. Thresholds: max_ece, min_coverage.
 */
final class UncertaintyTask implements AuditTask<UncertaintySpec> {
  static final String SPLIT = "uncertainty_split";

  @Override
  public Map<String, Object> run(AuditRun run, UncertaintySpec task) {
    List<Dataset<Row>> cached = new ArrayList<>();
    try {
      return run(run, task, cached);
    } finally {
      cached.forEach(Dataset::unpersist); // on failure too
    }
  }

  private Map<String, Object> run(AuditRun run, UncertaintySpec task, List<Dataset<Row>> cached) {
    AuditSpec.Input in = run.spec().input;
    LoadedModel model = run.model(run.spec().modelOf(task));
    ModelInfo info = model.info();
    boolean classifier = info.kind().isClassification();
    List<String> locations = List.of(run.spec().models.get(run.spec().modelOf(task)).split(","));
    boolean ensemble = locations.size() > 1;
    String name = task.name != null ? task.name : "uncertainty";
    Dataset<Row> prepared = run.input().prepare(model);
    FeatureSpace features = run.input().features(model, prepared);
    String id = in.id == null ? "" : in.id;

    boolean dropout = task.mcDropout != null;
    Dataset<Row> scored;
    String probabilities;
    String prediction;
    if (ensemble || dropout) {
      SpreadStage<?> stage =
          ensemble
              ? new EnsembleUncertainty().setModelPaths(locations.toArray(new String[0]))
              : new McDropoutUncertainty()
                  .setModelPath(locations.get(0))
                  .setPasses(task.mcDropout)
                  .setSeed(run.spec().seed);
      stage.setIdCol(id).setOnInvalid(run.input().onInvalid());
      switch (features.source()) {
        case VECTOR -> stage.setVectorCol(features.columns().get(0));
        case COLUMNS -> stage.setFeaturesCols(features.columns().toArray(new String[0]));
        default -> stage.setImageCol(in.image).setImageShape(in.imageShape);
      }
      if (task.batchSize != null) {
        stage.setBatchSize(task.batchSize);
      }
      scored = stage.transform(prepared);
      probabilities = "uncertainty_mean";
      prediction = classifier ? "uncertainty_prediction" : "uncertainty_mean";
    } else {
      ModelScorer scorer =
          new ModelScorer(model.source(), features)
              .setOnInvalid(run.input().onInvalid())
              .setIdCol(id);
      if (task.batchSize != null) {
        scorer.setBatchSize(task.batchSize);
      }
      scored = scorer.transform(prepared);
      probabilities = "probability";
      prediction = "prediction";
    }

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("model", run.spec().modelOf(task));
    result.put("members", locations.size());
    if (dropout) {
      result.put("mc_dropout_passes", task.mcDropout);
    }
    result.put("output", info.kind().name().toLowerCase(java.util.Locale.ROOT));
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("model", run.spec().models.get(run.spec().modelOf(task)) + " (" + info.type() + ")");
    facts.put("members", locations.size());
    if (dropout) {
      facts.put("Monte Carlo dropout passes per row", task.mcDropout);
    }
    HtmlReport.Section section = run.report().section("Uncertainty: " + name);
    List<Runnable> figures = new ArrayList<>();

    if (UncertaintyKeys.novelty(task)) {
      scored =
          novelty(run, task, model, features, prepared, scored, result, facts, figures, section);
    }
    if (UncertaintyKeys.bayesian(task)) {
      scored = bayesian(run, task, model, features, prepared, scored, result, facts);
    }
    if (task.explanationSpread != null) {
      ExplanationSpread stage =
          new ExplanationSpread()
              .setModelPaths(locations.toArray(new String[0]))
              .setMethod(task.explanationSpread)
              .setSeed(run.spec().seed)
              .setIdCol(id)
              .setOnInvalid(run.input().onInvalid());
      switch (features.source()) {
        case VECTOR -> stage.setVectorCol(features.columns().get(0));
        case COLUMNS -> stage.setFeaturesCols(features.columns().toArray(new String[0]));
        default -> stage.setImageCol(in.image).setImageShape(in.imageShape);
      }
      scored = stage.transform(scored);
    }
    if (in.label != null) {
      double fraction = task.calibrationFraction != null ? task.calibrationFraction : 0.5;
      scored = scored.withColumn(SPLIT, split(run, in, fraction));
      scored = scored.persist();
      cached.add(scored);
      Dataset<Row> calibration = scored.filter(col(SPLIT).equalTo("calibration"));
      Column heldOut = col(SPLIT).equalTo("held_out");
      result.put("calibration_fraction", fraction);
      result.put("calibration_rows", calibration.count());
      result.put("held_out_rows", scored.filter(heldOut).count());
      facts.put(
          "rows: calibration / held out",
          result.get("calibration_rows") + " / " + result.get("held_out_rows"));
      if (classifier) {
        Calibrated c = calibrate(run, task, scored, probabilities, in, id, info);
        scored = c.table();
        result.put("calibration", c.summary());
        facts.putAll(c.facts());
        figures.addAll(c.figures(section));
        scored = conformalSets(run, task, scored, c.column(), in, id, result, facts);
      } else {
        scored = conformalIntervals(run, task, scored, prediction, in, id, result, facts);
      }
    } else if (!ensemble && !dropout && !UncertaintyKeys.novelty(task)) {
      throw new SpecException(
          "uncertainty task '"
              + name
              + "': with one model it measures calibration and conformal sets, which need the"
              + " input's label (--label); without a label give several models (--model,"
              + " repeated), mc_dropout or autoencoder");
    }
    String path = run.writeAppended(name, prepared, scored);
    Dataset<Row> written = run.readWritten(name);
    if (UncertaintyKeys.novelty(task)) {
      unfamiliarShare(run, task, written, result, facts, section, figures);
    }
    if (task.explanationSpread != null) {
      result.put(
          "explanation_spread",
          explanationSpread(written, task.explanationSpread, id, section, figures));
    }
    if (UncertaintyKeys.bayesian(task)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> bnn = (Map<String, Object>) result.get("bayesian_network");
      bnn.put(
          "spread",
          spread(
              written,
              classifier,
              "bnn",
              "the Bayesian network's weight samples",
              section,
              figures));
    }
    if (ensemble || dropout) {
      String draws = ensemble ? "the ensemble's members" : "the model's Monte Carlo dropout passes";
      result.put("spread", spread(written, classifier, "uncertainty", draws, section, figures));
    }
    result.put("outputs", Map.of(name, path));
    facts.put("table", path);
    section.keyValues(facts);
    figures.forEach(Runnable::run);
    return result;
  }

  /**
   * Scores every row by an autoencoder: a saved one (autoencoder_model) or one fitted to the
   * reference table (the input itself when there is none, with a warning), saved beside the outputs
   * as autoencoder/ for later runs.
   */
  private static Dataset<Row> novelty(
      AuditRun run,
      UncertaintySpec task,
      LoadedModel model,
      FeatureSpace features,
      Dataset<Row> prepared,
      Dataset<Row> scored,
      Map<String, Object> result,
      Map<String, Object> facts,
      List<Runnable> figures,
      HtmlReport.Section section) {
    AuditSpec.Input in = run.spec().input;
    String name = task.name != null ? task.name : "uncertainty";
    AutoencoderNoveltyModel fitted;
    Map<String, Object> summary = new LinkedHashMap<>();
    if (task.autoencoderModel != null) {
      fitted = AutoencoderNoveltyModel.load(task.autoencoderModel);
      summary.put("loaded_from", task.autoencoderModel);
    } else {
      AutoencoderNovelty estimator =
          new AutoencoderNovelty().setOnInvalid(run.input().onInvalid()).setSeed(run.spec().seed);
      switch (features.source()) {
        case VECTOR -> estimator.setVectorCol(features.columns().get(0));
        case COLUMNS -> estimator.setFeaturesCols(features.columns().toArray(new String[0]));
        default ->
            throw new SpecException(
                "uncertainty task '"
                    + name
                    + "': the autoencoder reads feature columns or a vector, not images; use"
                    + " mc_dropout for an image model");
      }
      if (task.noveltyPercentile != null) {
        estimator.setPercentile(task.noveltyPercentile);
      }
      Dataset<Row> reference =
          reference(
              run,
              task,
              model,
              prepared,
              null,
              summary,
              "the autoencoder learns the input table itself (no reference), so about "
                  + String.format(java.util.Locale.ROOT, "%.1f%%", 100 - estimator.getPercentile())
                  + " of its rows are unfamiliar by construction");
      if (task.reference == null) {
        estimator.setIdCol(in.id == null ? "" : in.id);
      }
      fitted = estimator.fit(reference);
      summary.put("saved_to", run.saveStage("autoencoder", fitted));
    }
    Dataset<Row> out = fitted.setIdCol(in.id == null ? "" : in.id).transform(scored);
    summary.put("training_rows", fitted.getTrainingRows());
    summary.put("training_mean_error", fitted.getTrainingError());
    summary.put("percentile", fitted.getPercentile());
    summary.put("threshold", fitted.getThreshold());
    summary.put("layers", fitted.autoencoder().sizes());
    result.put("novelty", summary);
    facts.put(
        "autoencoder trained on", summary.getOrDefault("trained_on", summary.get("loaded_from")));
    facts.put(
        "unfamiliar beyond (reconstruction error, training percentile "
            + fitted.getPercentile()
            + ")",
        fitted.getThreshold());
    return out;
  }

  /**
   * Adds the spread of a Bayesian network's weight samples per row (bnn_* columns): the network
   * learns the label from the reference rows (the input itself when there is none, with a warning)
   * and is saved beside the outputs as bayesian_network/.
   */
  private static Dataset<Row> bayesian(
      AuditRun run,
      UncertaintySpec task,
      LoadedModel model,
      FeatureSpace features,
      Dataset<Row> prepared,
      Dataset<Row> scored,
      Map<String, Object> result,
      Map<String, Object> facts) {
    AuditSpec.Input in = run.spec().input;
    String name = task.name != null ? task.name : "uncertainty";
    boolean classifier = model.info().kind().isClassification();
    BayesianNeuralNetwork estimator =
        new BayesianNeuralNetwork()
            .setLabelCol(in.label)
            .setKind(classifier ? "classification" : "regression")
            .setOutputPrefix("bnn")
            .setOnInvalid(run.input().onInvalid())
            .setSeed(run.spec().seed);
    switch (features.source()) {
      case VECTOR -> estimator.setVectorCol(features.columns().get(0));
      case COLUMNS -> estimator.setFeaturesCols(features.columns().toArray(new String[0]));
      default ->
          throw new SpecException(
              "uncertainty task '"
                  + name
                  + "': the Bayesian network reads feature columns or a vector, not images; use"
                  + " mc_dropout for an image model");
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    Dataset<Row> reference =
        reference(
            run,
            task,
            model,
            prepared,
            in.label,
            summary,
            "the Bayesian network learns the input table itself (no reference), so its rows are"
                + " all familiar to it");
    if (task.reference == null) {
      estimator.setIdCol(in.id == null ? "" : in.id);
    }
    BayesianNeuralNetworkModel fitted = estimator.fit(reference);
    summary.put("saved_to", run.saveStage("bayesian_network", fitted));
    summary.put("training_rows", fitted.getTrainingRows());
    summary.put("layers", fitted.posterior().sizes());
    summary.put("weight_samples", fitted.getSamples());
    if (!classifier) {
      summary.put("noise", fitted.getNoise());
    }
    result.put("bayesian_network", summary);
    facts.put("Bayesian network trained on", summary.get("trained_on"));
    facts.put("Bayesian network weight samples per row", fitted.getSamples());
    return fitted.setIdCol(in.id == null ? "" : in.id).transform(scored);
  }

  /**
   * Summary of the members' explanation spread: the share of rows whose members dispute a top
   * player's sign, each player's mean spread, and a table of the rows whose explanations are least
   * stable (largest spread of one player).
   */
  private static Map<String, Object> explanationSpread(
      Dataset<Row> written,
      String method,
      String id,
      HtmlReport.Section section,
      List<Runnable> figures) {
    String[] players =
        written.schema().apply("uncertainty_shap_std").metadata().getStringArray("names");
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("method", method);
    Row r =
        written
            .agg(avg(when(col("uncertainty_shap_sign_disagreement"), 1.0).otherwise(0.0)))
            .first();
    out.put("sign_disagreement_share", r.getDouble(0));
    List<Column> means = new ArrayList<>();
    for (int j = 0; j < players.length; j++) {
      means.add(avg(col("uncertainty_shap_std").getItem(j)));
    }
    Row m =
        written.agg(means.get(0), means.subList(1, means.size()).toArray(new Column[0])).first();
    Map<String, Object> perPlayer = new LinkedHashMap<>();
    for (int j = 0; j < players.length; j++) {
      perPlayer.put(players[j], m.getDouble(j));
    }
    out.put("mean_std_per_player", perPlayer);
    Column worst = org.apache.spark.sql.functions.array_max(col("uncertainty_shap_std"));
    List<Row> least =
        written.withColumn("_worst", worst).orderBy(col("_worst").desc()).limit(10).collectAsList();
    List<List<Object>> rows = new ArrayList<>();
    for (Row row : least) {
      List<Double> std = row.getList(row.fieldIndex("uncertainty_shap_std"));
      List<Double> mean = row.getList(row.fieldIndex("uncertainty_shap_mean"));
      int j = 0;
      for (int k = 1; k < std.size(); k++) {
        if (std.get(k) > std.get(j)) {
          j = k;
        }
      }
      List<Object> cells = new ArrayList<>();
      cells.add(id.isEmpty() ? "" : String.valueOf(row.get(row.fieldIndex(id))));
      cells.add(row.getInt(row.fieldIndex("uncertainty_shap_class")));
      cells.add(players[j]);
      cells.add(mean.get(j));
      cells.add(std.get(j));
      cells.add(
          row.getBoolean(row.fieldIndex("uncertainty_shap_sign_disagreement")) ? "yes" : "no");
      rows.add(cells);
    }
    figures.add(
        () ->
            section
                .paragraph(
                    "The rows whose explanations are least stable: the members' Shapley values ("
                        + method
                        + ") of one player spread the most. Unit: "
                        + (method.equals("tree")
                            ? "each member's raw output (GBT: margin, log-odds; forests and trees:"
                                + " class probability)"
                            : "the members' outputs (class probability for MLlib classifiers,"
                                + " the value for regressions)")
                        + ". Share of rows whose members dispute the sign of a top-3 player: "
                        + String.format(java.util.Locale.ROOT, "%.3f", r.getDouble(0)),
                    "")
                .table(
                    List.of(
                        id.isEmpty() ? "row" : id,
                        "class explained",
                        "player",
                        "mean Shapley value",
                        "std over members",
                        "sign disputed"),
                    rows));
    return out;
  }

  /**
   * The rows a learner fits: the reference table (the model's training data) through the model's
   * feature stages, or without one the input itself, with a warning that says what that means.
   *
   * @param label the label column the reference must have, or null
   */
  private static Dataset<Row> reference(
      AuditRun run,
      UncertaintySpec task,
      LoadedModel model,
      Dataset<Row> prepared,
      String label,
      Map<String, Object> summary,
      String withoutReference) {
    if (task.reference == null) {
      summary.put("trained_on", "the input itself");
      run.warn(
          task.name != null ? task.name : "uncertainty",
          withoutReference + "; give the model's training data with --reference");
      return prepared;
    }
    AuditSpec.Input ref = new AuditSpec.Input();
    ref.path = task.reference;
    ref.label = label;
    ref.onInvalid = run.input().onInvalid();
    summary.put("trained_on", task.reference);
    InputTable table = run.readOther(ref, "reference");
    return model.prepare(table.withClassIndices(table.table(), model, task.reference));
  }

  /** The share of unfamiliar rows, its threshold and the histogram of errors. */
  private static void unfamiliarShare(
      AuditRun run,
      UncertaintySpec task,
      Dataset<Row> written,
      Map<String, Object> result,
      Map<String, Object> facts,
      HtmlReport.Section section,
      List<Runnable> figures) {
    // the share's sum of 0/1 is exact; the error's mean comes from its histogram's exact sum
    Row r = written.agg(avg(when(col("uncertainty_unfamiliar"), 1.0).otherwise(0.0))).first();
    @SuppressWarnings("unchecked")
    Map<String, Object> novelty = (Map<String, Object>) result.get("novelty");
    novelty.put("unfamiliar_share", r.getDouble(0));
    facts.put("share of unfamiliar rows", r.getDouble(0));
    double meanError =
        histogram(
            written,
            "uncertainty_reconstruction_error",
            "Rows by the autoencoder's reconstruction error (mean squared, standardised units); rows"
                + " above "
                + String.format(java.util.Locale.ROOT, "%.4g", (Double) novelty.get("threshold"))
                + " (the training errors' "
                + novelty.get("percentile")
                + "th percentile) are unfamiliar",
            "reconstruction error (standardised units squared)",
            section,
            figures);
    novelty.put("mean_error", meanError);
    if (task.maxUnfamiliar != null) {
      run.threshold(
          "uncertainty",
          "share of unfamiliar rows (autoencoder)",
          task.maxUnfamiliar,
          r.getDouble(0),
          r.getDouble(0) <= task.maxUnfamiliar);
    }
  }

  /** A row's split: a hash of (seed, id) when there is an id, else of (seed, every column). */
  private static Column split(AuditRun run, AuditSpec.Input in, double fraction) {
    List<Column> keys = new ArrayList<>();
    keys.add(lit(run.spec().seed));
    if (in.id != null) {
      keys.add(ColumnNames.col(in.id));
    } else {
      keys.addAll(io.trustlens.feature.RowKeys.content(run.input().table().schema()));
    }
    Column u = pmod(xxhash64(keys.toArray(new Column[0])), lit(1_000_000L));
    return when(u.lt(lit(Math.round(fraction * 1_000_000))), "calibration").otherwise("held_out");
  }

  /** The calibrated table, its probability column and what the report shows of it. */
  private record Calibrated(
      Dataset<Row> table,
      String column,
      Map<String, Object> summary,
      Map<String, Object> facts,
      CalibrationMetrics before,
      CalibrationMetrics after,
      String calibrator) {

    List<Runnable> figures(HtmlReport.Section section) {
      List<Runnable> out = new ArrayList<>();
      out.add(() -> diagram(section, "before calibration", before));
      if (after != null) {
        out.add(() -> diagram(section, "after " + calibrator + " calibration", after));
      }
      out.add(
          () -> {
            List<List<Object>> rows = new ArrayList<>();
            for (int c = 0; c < before.perClass().size(); c++) {
              List<Object> row = new ArrayList<>();
              row.add(before.perClass().get(c).curve());
              row.add(before.perClass().get(c).ece());
              row.add(after == null ? "" : after.perClass().get(c).ece());
              rows.add(row);
            }
            section.table(List.of("class (one vs rest)", "ECE before", "ECE after"), rows);
          });
      return out;
    }

    private static void diagram(HtmlReport.Section s, String when, CalibrationMetrics m) {
      ReliabilityDiagram d = m.topLabel();
      s.figure(
          "Reliability diagram of the top label "
              + when
              + ", held-out rows, "
              + d.counts().length
              + " "
              + m.binning().label().replace('_', '-')
              + " bins: ECE "
              + String.format(java.util.Locale.ROOT, "%.4f", m.ece())
              + ". Bars: share of rows predicted right per bin; dots at the bin's mean confidence;"
              + " a calibrated model follows the diagonal.",
          CalibrationCharts.reliability(
              "top-label confidence (predicted probability)",
              "share predicted right",
              d.lower(),
              d.upper(),
              d.confidence(),
              d.frequency()));
    }
  }

  private static Calibrated calibrate(
      AuditRun run,
      UncertaintySpec task,
      Dataset<Row> scored,
      String probabilities,
      AuditSpec.Input in,
      String id,
      ModelInfo info) {
    int bins = task.bins != null ? task.bins : 15;
    Binning binning = Binning.named(task.binning != null ? task.binning : "equal_width");
    String idOrNull = id.isEmpty() ? null : id;
    Dataset<Row> heldOut = scored.filter(col(SPLIT).equalTo("held_out"));
    Dataset<Row> calibration = scored.filter(col(SPLIT).equalTo("calibration"));
    List<String> classes = info.outputNames();
    CalibrationMetrics before =
        Calibration.measure(heldOut, probabilities, in.label, idOrNull, bins, binning, classes);
    Map<String, Object> summary = new LinkedHashMap<>();
    Map<String, Object> facts = new LinkedHashMap<>();
    String kind = task.calibrator != null ? task.calibrator : "temperature";
    summary.put("bins", bins);
    summary.put("binning", binning.label());
    summary.put("calibrator", kind);
    summary.put("before", metrics(before));
    facts.put("held-out ECE before calibration (top label, " + bins + " bins)", before.ece());
    facts.put("held-out accuracy", before.accuracy());
    Calibrator<?> calibrator =
        switch (kind) {
          case "temperature" -> new TemperatureScaling();
          case "platt" -> new PlattScaling();
          case "isotonic" -> new IsotonicCalibration();
          default -> null;
        };
    if (calibrator == null) {
      gate(run, task, "ece (held out, uncalibrated probabilities)", before.ece());
      return new Calibrated(scored, probabilities, summary, facts, before, null, kind);
    }
    calibrator.setInputCol(probabilities);
    calibrator.setLabelCol(in.label);
    calibrator.setIdCol(id);
    CalibratorModel<?> fitted = calibrator.fit(calibration);
    Dataset<Row> table = fitted.transform(scored);
    String column = fitted.getOutputCol();
    CalibrationMetrics after =
        Calibration.measure(
            table.filter(col(SPLIT).equalTo("held_out")),
            column,
            in.label,
            idOrNull,
            bins,
            binning,
            classes);
    summary.put("after", metrics(after));
    if (fitted instanceof TemperatureScalingModel t) {
      summary.put("temperature", t.getTemperature());
      facts.put("fitted temperature", t.getTemperature());
    } else if (fitted instanceof PlattScalingModel p) {
      summary.put("slopes", p.getSlopes());
      summary.put("intercepts", p.getIntercepts());
    }
    facts.put("held-out ECE after " + kind + " calibration", after.ece());
    facts.put(
        "held-out log loss before / after",
        String.format(java.util.Locale.ROOT, "%.4f / %.4f", before.logLoss(), after.logLoss()));
    gate(run, task, "ece (held out, calibrated probabilities)", after.ece());
    return new Calibrated(table, column, summary, facts, before, after, kind);
  }

  private static void gate(AuditRun run, UncertaintySpec task, String check, double ece) {
    if (task.maxEce != null) {
      run.threshold("uncertainty", check, task.maxEce, ece, ece <= task.maxEce);
    }
  }

  private static Map<String, Object> metrics(CalibrationMetrics m) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rows", m.rows());
    out.put("ece", m.ece());
    out.put("mce", m.mce());
    out.put("classwise_ece", m.classwiseEce());
    out.put("brier", m.brier());
    out.put("log_loss", m.logLoss());
    out.put("accuracy", m.accuracy());
    List<Map<String, Object>> bins = new ArrayList<>();
    ReliabilityDiagram d = m.topLabel();
    for (int b = 0; b < d.counts().length; b++) {
      Map<String, Object> bin = new LinkedHashMap<>();
      bin.put("lower", d.lower()[b]);
      bin.put("upper", d.upper()[b]);
      bin.put("rows", d.counts()[b]);
      bin.put("confidence", Double.isNaN(d.confidence()[b]) ? null : d.confidence()[b]);
      bin.put("frequency", Double.isNaN(d.frequency()[b]) ? null : d.frequency()[b]);
      bins.add(bin);
    }
    out.put("top_label_bins", bins);
    return out;
  }

  private static Dataset<Row> conformalSets(
      AuditRun run,
      UncertaintySpec task,
      Dataset<Row> scored,
      String probabilities,
      AuditSpec.Input in,
      String id,
      Map<String, Object> result,
      Map<String, Object> facts) {
    String score = task.conformal != null ? task.conformal : "lac";
    if (score.equals("none")) {
      return scored;
    }
    if (score.equals("absolute")) {
      throw new SpecException(
          "uncertainty: conformal absolute scores a regression; a classifier takes lac or aps");
    }
    double alpha = task.alpha != null ? task.alpha : 0.1;
    ConformalClassifierModel fitted =
        new ConformalClassifier()
            .setProbabilityCol(probabilities)
            .setLabelCol(in.label)
            .setIdCol(id)
            .setScore(score)
            .setAlpha(alpha)
            .fit(scored.filter(col(SPLIT).equalTo("calibration")));
    Dataset<Row> table = fitted.transform(scored);
    Dataset<Row> heldOut = table.filter(col(SPLIT).equalTo("held_out"));
    String set = fitted.getSetCol();
    Row r =
        heldOut
            .agg(
                avg(
                    when(
                            array_contains(
                                col(set), ColumnNames.col(in.label).cast(DataTypes.IntegerType)),
                            1.0)
                        .otherwise(0.0)),
                avg(col(set + "_size")),
                avg(when(col(set + "_size").equalTo(0), 1.0).otherwise(0.0)))
            .first();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("score", score);
    c.put("alpha", alpha);
    c.put("quantile", fitted.getQuantile());
    c.put("coverage", r.getDouble(0));
    c.put("mean_set_size", r.getDouble(1));
    c.put("empty_set_share", r.getDouble(2));
    result.put("conformal", c);
    facts.put(
        "conformal sets (" + score + ", alpha " + alpha + "): held-out coverage", r.getDouble(0));
    facts.put("mean set size (held out)", r.getDouble(1));
    coverageGate(run, task, r.getDouble(0));
    run.report()
        .section("Conformal coverage: " + (task.name != null ? task.name : "uncertainty"))
        .table(
            List.of(
                "score",
                "alpha",
                "target coverage",
                "q-hat",
                "held-out coverage",
                "mean set size",
                "empty sets"),
            List.of(
                List.of(
                    score,
                    alpha,
                    1 - alpha,
                    fitted.getQuantile(),
                    r.getDouble(0),
                    r.getDouble(1),
                    r.getDouble(2))));
    return table;
  }

  private static void coverageGate(AuditRun run, UncertaintySpec task, double coverage) {
    if (task.minCoverage != null) {
      run.threshold(
          "uncertainty",
          "conformal coverage (held out)",
          task.minCoverage,
          coverage,
          coverage >= task.minCoverage);
    }
  }

  private static Dataset<Row> conformalIntervals(
      AuditRun run,
      UncertaintySpec task,
      Dataset<Row> scored,
      String prediction,
      AuditSpec.Input in,
      String id,
      Map<String, Object> result,
      Map<String, Object> facts) {
    String score = task.conformal != null ? task.conformal : "absolute";
    if (task.calibrator != null && !task.calibrator.equals("none")) {
      throw new SpecException(
          "uncertainty: calibrator "
              + task.calibrator
              + " calibrates a classifier; this model is a"
              + " regression (remove calibrator)");
    }
    if (task.bins != null || task.binning != null || task.maxEce != null) {
      throw new SpecException(
          "uncertainty: bins, binning and max_ece measure a classifier's calibration; this model"
              + " is a regression");
    }
    if (score.equals("none")) {
      return scored;
    }
    if (!score.equals("absolute")) {
      throw new SpecException(
          "uncertainty: conformal " + score + " scores a classifier; a regression takes absolute");
    }
    double alpha = task.alpha != null ? task.alpha : 0.1;
    ConformalRegressorModel fitted =
        new ConformalRegressor()
            .setPredictionCol(prediction)
            .setLabelCol(in.label)
            .setIdCol(id)
            .setAlpha(alpha)
            .fit(scored.filter(col(SPLIT).equalTo("calibration")));
    Dataset<Row> table = fitted.transform(scored);
    Column label = ColumnNames.col(in.label);
    double coverage =
        table
            .filter(col(SPLIT).equalTo("held_out"))
            .agg(
                avg(
                    when(
                            label
                                .geq(col("conformal_lower"))
                                .and(label.leq(col("conformal_upper"))),
                            1.0)
                        .otherwise(0.0)))
            .first()
            .getDouble(0);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("score", score);
    c.put("alpha", alpha);
    c.put("quantile", fitted.getQuantile());
    c.put("coverage", coverage);
    c.put("interval_width", 2 * fitted.getQuantile());
    result.put("conformal", c);
    facts.put("conformal intervals (alpha " + alpha + "): held-out coverage", coverage);
    facts.put("interval width", 2 * fitted.getQuantile());
    coverageGate(run, task, coverage);
    return table;
  }

  /** Summary figures and histograms of the members' spread. */
  /**
   * Adds a 20-bin histogram of {@code column} between its smallest and largest value to the
   * figures; returns the column's mean.
   */
  private static double histogram(
      Dataset<Row> written,
      String column,
      String caption,
      String axis,
      HtmlReport.Section section,
      List<Runnable> figures) {
    // the mean from an exact sum: the same bits in any partitioning
    ArrayStats stats = ArrayStats.of(written, null, 0, column);
    double lo = stats.min(0);
    double hi = stats.max(0) > lo ? stats.max(0) : lo + 1;
    double[] edges = new double[21];
    for (int i = 0; i <= 20; i++) {
      edges[i] = lo + (hi - lo) * i / 20;
    }
    long[] counts =
        written
            .select(col(column))
            .javaRDD()
            .map(x -> x.getDouble(0))
            .mapToDouble(x -> x)
            .histogram(edges);
    figures.add(() -> section.figure(caption, CalibrationCharts.histogram(axis, edges, counts)));
    return stats.mean(0);
  }

  private static Map<String, Object> spread(
      Dataset<Row> written,
      boolean classifier,
      String prefix,
      String draws,
      HtmlReport.Section section,
      List<Runnable> figures) {
    Map<String, Object> out = new LinkedHashMap<>();
    List<String> columns =
        (classifier
                ? List.of("_entropy", "_mutual_information", "_std", "_disagreement")
                : List.of("_std"))
            .stream().map(c -> prefix + c).toList();
    for (String c : columns) {
      String unit =
          c.endsWith("entropy") || c.endsWith("information")
              ? " (nats)"
              : c.endsWith("disagreement") ? " (share of draws)" : " (probability)";
      out.put(
          "mean_" + c.substring(prefix.length() + 1),
          histogram(
              written, c, "Rows by " + c + unit + " over " + draws, c + unit, section, figures));
    }
    if (classifier) {
      out.put(
          "rows_with_disagreement", written.filter(col(prefix + "_disagreement").gt(0)).count());
    }
    return out;
  }
}
