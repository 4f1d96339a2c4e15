package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.trustlens.model.InvalidModelException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.PredictionModel;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;

/**
 * The data randomization check's second model for MLlib (Adebayo et al. 2018, arXiv 1810.03292):
 * the estimator of a fitted model, with the model's own settings, fitted again on the same rows
 * with their labels permuted.
 *
 * <p>The permutation is uniform and depends on the seed and the rows alone: the rows sorted by a
 * hash of (seed, row key) take, in that order, the labels of the rows sorted by their key, so row
 * i's new label is row π(i)'s for a uniformly random π whatever the partitioning. The permuted
 * table's partitions depend on its row count alone, so the fit sees the same rows in the same
 * partitions however the input was partitioned.
 */
final class PermutedLabels {
  /** Settings of a model that are not the estimator's to copy: the training weights' column. */
  private static final List<String> NOT_COPIED = List.of("weightCol");

  /** The permuted label's column. */
  static final String PERMUTED = "_permuted_label";

  /** Rows per partition of the permuted table: its partitions depend on its size alone. */
  private static final long ROWS_PER_PARTITION = 200_000;

  private PermutedLabels() {}

  /** Rows 0..n-1 by position into {@code parts} consecutive ranges. */
  private static final class InOrder extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int parts;
    private final long rows;

    InOrder(int parts, long rows) {
      this.parts = parts;
      this.rows = Math.max(1, rows);
    }

    @Override
    public int numPartitions() {
      return parts;
    }

    @Override
    public int getPartition(Object key) {
      return (int) Math.min(parts - 1, (Long) key * parts / rows);
    }
  }

  /**
   * Fits {@code model}'s estimator, with the model's settings, on {@code table}'s {@code
   * featuresCol} with {@code label} permuted (rows without a label left out).
   *
   * @param keys the columns that key each row (the id, or the input's own columns)
   */
  static PredictionModel<?, ?> refit(
      PredictionModel<?, ?> model,
      Dataset<Row> table,
      String featuresCol,
      String label,
      List<Column> keys,
      long seed) {
    Estimator<?> estimator = estimatorOf(model);
    ParamMap settings = new ParamMap();
    for (ParamPair<?> pair : model.extractParamMap().toList()) {
      String name = pair.param().name();
      if (estimator.hasParam(name) && !NOT_COPIED.contains(name)) {
        @SuppressWarnings("unchecked")
        Param<Object> p = (Param<Object>) estimator.getParam(name);
        settings.put(p, pair.value());
      }
    }
    settings.put(estimator.getParam("featuresCol"), featuresCol);
    settings.put(estimator.getParam("labelCol"), PERMUTED);
    Dataset<Row> labelled = table.filter(col(label).isNotNull());
    return (PredictionModel<?, ?>)
        estimator.fit(permute(labelled, featuresCol, label, keys, seed), settings);
  }

  /**
   * {@code table}'s {@code featuresCol} and its {@code label} uniformly permuted, as {@code
   * featuresCol, _permuted_label}.
   */
  static Dataset<Row> permute(
      Dataset<Row> table, String featuresCol, String label, List<Column> keys, long seed) {
    Column u = order(keys, lit(seed));
    List<Column> byHash = new ArrayList<>(List.of(u));
    byHash.addAll(keys);
    JavaPairRDD<Long, Object> inHashOrder =
        table
            .orderBy(byHash.toArray(new Column[0]))
            .select(col(featuresCol))
            .javaRDD()
            .zipWithIndex()
            .mapToPair(t -> new Tuple2<>(t._2(), t._1().get(0)));
    JavaPairRDD<Long, Double> inKeyOrder =
        table
            .orderBy(keys.toArray(new Column[0]))
            .select(col(label).cast(DataTypes.DoubleType))
            .javaRDD()
            .zipWithIndex()
            .mapToPair(t -> new Tuple2<>(t._2(), t._1().getDouble(0)));
    StructType schema =
        new StructType()
            .add(featuresCol, table.schema().apply(featuresCol).dataType(), false)
            .add(PERMUTED, DataTypes.DoubleType, false);
    long rows = table.count();
    int parts =
        (int) Math.max(1, Math.min(10_000, (rows + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION));
    return table
        .sparkSession()
        .createDataFrame(
            inHashOrder
                .join(inKeyOrder)
                .repartitionAndSortWithinPartitions(new InOrder(parts, rows))
                .values()
                .map(t -> RowFactory.create(t._1(), t._2())),
            schema);
  }

  /** A row's place in the permuted order: a uniform number from a hash of the seed and its keys. */
  static Column order(List<Column> keys, Column seed) {
    return Bootstrap.uniform(keys, seed, lit("permuted labels"));
  }

  /**
   * A new estimator of {@code model}'s kind: {@code ...ClassificationModel} → {@code
   * ...Classifier}, {@code ...RegressionModel} → {@code ...Regressor} or {@code ...Regression},
   * {@code ...Model} → {@code ...}.
   */
  static Estimator<?> estimatorOf(PredictionModel<?, ?> model) {
    String name = model.getClass().getName();
    List<String> candidates = new ArrayList<>();
    if (name.endsWith("ClassificationModel")) {
      candidates.add(name.substring(0, name.length() - 19) + "Classifier");
    }
    if (name.endsWith("RegressionModel")) {
      String base = name.substring(0, name.length() - 15);
      candidates.add(base + "Regressor");
      candidates.add(base + "Regression");
    }
    if (name.endsWith("Model")) {
      candidates.add(name.substring(0, name.length() - 5));
    }
    for (String c : candidates) {
      try {
        Object o = Class.forName(c).getConstructor().newInstance();
        if (o instanceof Estimator<?> e) {
          return e;
        }
      } catch (ReflectiveOperationException | LinkageError e) {
        // try the next name
      }
    }
    throw new InvalidModelException(
        "cannot find the estimator of "
            + model.getClass().getSimpleName()
            + " to fit it again on permuted labels; give the same model trained on permuted"
            + " labels as permuted_model");
  }
}
