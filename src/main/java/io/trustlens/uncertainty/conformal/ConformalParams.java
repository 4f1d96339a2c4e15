package io.trustlens.uncertainty.conformal;

import io.trustlens.feature.Columns;
import io.trustlens.uncertainty.InvalidScoresException;
import io.trustlens.uncertainty.ScoreColumns;
import io.trustlens.uncertainty.calibration.CalibrationSums;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The params a conformal classifier and its model share, made for an owning stage. */
final class ConformalParams implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  final Param<String> probabilityCol;
  final Param<String> score;
  final Param<String> setCol;
  final Param<String> idCol;

  ConformalParams(Params owner) {
    probabilityCol = new Param<>(owner, "probabilityCol", "the class probabilities per row");
    score =
        new Param<>(
            owner,
            "score",
            "the nonconformity score: lac (1 - p_y) or aps (mass at or above y)",
            ParamValidators.inArray(new String[] {"lac", "aps"}));
    setCol =
        new Param<>(owner, "setCol", "the prediction set (class indices); its size goes to _size");
    idCol = new Param<>(owner, "idCol", "the column that names rows in errors; empty for none");
    owner.setDefault(probabilityCol, "probability");
    owner.setDefault(score, "lac");
    owner.setDefault(setCol, "conformal_set");
    owner.setDefault(idCol, "");
  }

  StructType transformSchema(Params owner, StructType schema) {
    ScoreColumns.scores(schema, owner.getOrDefault(probabilityCol), "class probabilities");
    Columns.requireId(schema, owner.getOrDefault(idCol));
    List<String> names = ConformalClassifier.outputs(owner.getOrDefault(setCol));
    return Columns.append(
        schema,
        List.of(
            DataTypes.createStructField(
                names.get(0), DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField(names.get(1), DataTypes.IntegerType, false)));
  }

  Reader reader(Params owner, StructType schema) {
    String id = owner.getOrDefault(idCol);
    return new Reader(
        schema.fieldIndex(owner.getOrDefault(probabilityCol)),
        id.isEmpty() ? -1 : schema.fieldIndex(id),
        id);
  }

  /** Reads and checks one row's probabilities. */
  record Reader(int index, int id, String idCol) implements java.io.Serializable {
    double[] probabilities(Row r, int classes) {
      double[] p = ScoreColumns.read(r, index);
      String problem =
          p == null
              ? "has no probabilities (null)"
              : CalibrationSums.check(p, 0, classes < 0 ? p.length : classes);
      if (problem != null) {
        throw new InvalidScoresException(describe(r) + " " + problem);
      }
      return p;
    }

    String describe(Row r) {
      return ScoreColumns.describe(r, id, idCol);
    }
  }
}
