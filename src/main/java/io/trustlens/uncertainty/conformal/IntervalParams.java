package io.trustlens.uncertainty.conformal;

import io.trustlens.feature.Columns;
import io.trustlens.uncertainty.InvalidScoresException;
import io.trustlens.uncertainty.ScoreColumns;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The params a conformal regressor and its model share, made for an owning stage. */
final class IntervalParams implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  final Param<String> predictionCol;
  final Param<String> lowerCol;
  final Param<String> upperCol;
  final Param<String> idCol;

  IntervalParams(Params owner) {
    predictionCol = new Param<>(owner, "predictionCol", "the model's predicted value per row");
    lowerCol = new Param<>(owner, "lowerCol", "the interval's lower end");
    upperCol = new Param<>(owner, "upperCol", "the interval's upper end");
    idCol = new Param<>(owner, "idCol", "the column that names rows in errors; empty for none");
    owner.setDefault(predictionCol, "prediction");
    owner.setDefault(lowerCol, "conformal_lower");
    owner.setDefault(upperCol, "conformal_upper");
    owner.setDefault(idCol, "");
  }

  StructType transformSchema(Params owner, StructType schema) {
    ScoreColumns.numeric(schema, owner.getOrDefault(predictionCol), "predicted value");
    Columns.requireId(schema, owner.getOrDefault(idCol));
    return Columns.append(
        schema,
        List.of(
            DataTypes.createStructField(owner.getOrDefault(lowerCol), DataTypes.DoubleType, false),
            DataTypes.createStructField(
                owner.getOrDefault(upperCol), DataTypes.DoubleType, false)));
  }

  Reader reader(Params owner, StructType schema) {
    String id = owner.getOrDefault(idCol);
    return new Reader(
        schema.fieldIndex(owner.getOrDefault(predictionCol)),
        id.isEmpty() ? -1 : schema.fieldIndex(id),
        id);
  }

  /** Reads and checks one row's prediction. */
  record Reader(int index, int id, String idCol) implements java.io.Serializable {
    double prediction(Row r) {
      double v = ScoreColumns.number(r, index);
      if (!Double.isFinite(v)) {
        throw new InvalidScoresException(describe(r) + " has prediction " + v);
      }
      return v;
    }

    String describe(Row r) {
      return ScoreColumns.describe(r, id, idCol);
    }
  }
}
