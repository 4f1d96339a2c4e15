package io.trustlens.job;

import static org.apache.spark.sql.functions.lit;

import io.trustlens.feature.ColumnNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/**
 * What {@code train} says of its data and its model: the rows, the label's balance, and metrics on
 * rows held out of the fit, chosen by a hash of (seed, the row's key) so that the split does not
 * depend on the partitioning: AUC (two classes), accuracy and log loss for classifiers, RMSE and R²
 * for regressors, computed by MLlib's own evaluators.
 */
final class TrainingMetrics {
  private TrainingMetrics() {}

  /** Whether each row is held out: a share {@code fraction} of the rows, by hash. */
  static Column heldOut(long seed, double fraction, List<Column> keys) {
    return Bootstrap.uniform(keys, lit(seed), lit("holdout")).lt(lit(fraction));
  }

  /** Rows per label value, in label order (classifiers). */
  static Map<String, Long> balance(Dataset<Row> table, String label) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Row r :
        table
            .groupBy(ColumnNames.col(label))
            .count()
            .orderBy(ColumnNames.col(label))
            .collectAsList()) {
      counts.put(String.valueOf(r.get(0)), r.getLong(1));
    }
    return counts;
  }

  /** The held-out metrics of a fitted pipeline's predictions {@code scored}. */
  static Map<String, Double> of(Dataset<Row> scored, String label, boolean regression) {
    Map<String, Double> m = new LinkedHashMap<>();
    Dataset<Row> typed =
        scored.withColumn(label, ColumnNames.col(label).cast(DataTypes.DoubleType));
    if (regression) {
      RegressionEvaluator e = new RegressionEvaluator().setLabelCol(ColumnNames.forStage(label));
      m.put("rmse", e.setMetricName("rmse").evaluate(typed));
      m.put("r2", e.setMetricName("r2").evaluate(typed));
      return m;
    }
    if (typed.select(ColumnNames.col(label)).distinct().count() == 2) {
      m.put(
          "auc",
          new BinaryClassificationEvaluator()
              .setLabelCol(ColumnNames.forStage(label))
              .setMetricName("areaUnderROC")
              .setNumBins(0)
              .evaluate(typed));
    }
    MulticlassClassificationEvaluator e =
        new MulticlassClassificationEvaluator().setLabelCol(ColumnNames.forStage(label));
    m.put("accuracy", e.setMetricName("accuracy").evaluate(typed));
    if (List.of(typed.columns()).contains("probability")) {
      m.put("log_loss", e.setMetricName("logLoss").evaluate(typed));
    }
    return m;
  }

  /** One line for the console: {@code auc 0.812, accuracy 0.751}. */
  static String line(Map<String, Double> metrics) {
    List<String> parts = new ArrayList<>();
    metrics.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.4f", k, v)));
    return String.join(", ", parts);
  }
}
