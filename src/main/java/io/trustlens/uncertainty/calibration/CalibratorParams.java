package io.trustlens.uncertainty.calibration;

import io.trustlens.feature.Columns;
import io.trustlens.uncertainty.InvalidScoresException;
import io.trustlens.uncertainty.ScoreColumns;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The params every calibrator and its model share, made for an owning stage: which column holds the
 * scores and whether they are probabilities or logits, the output column, the row id column.
 */
final class CalibratorParams implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  private static final double CLIP = 1e-15;

  final Param<String> inputCol;
  final Param<String> inputKind;
  final Param<String> outputCol;
  final Param<String> idCol;

  CalibratorParams(Params owner) {
    inputCol =
        new Param<>(owner, "inputCol", "the per-class scores: probabilities or logits per row");
    inputKind =
        new Param<>(
            owner,
            "inputKind",
            "probability (scores sum to one; their logarithms serve as logits) or logits",
            ParamValidators.inArray(new String[] {"probability", "logits"}));
    outputCol = new Param<>(owner, "outputCol", "the calibrated class probabilities");
    idCol = new Param<>(owner, "idCol", "the column that names rows in errors; empty for none");
  }

  void defaults(Params owner) {
    owner.setDefault(inputCol, "probability");
    owner.setDefault(inputKind, "probability");
    owner.setDefault(outputCol, "calibrated_probability");
    owner.setDefault(idCol, "");
  }

  /** The output schema: {@code schema} with the calibrated probabilities appended. */
  StructType transformSchema(Params owner, StructType schema) {
    ScoreColumns.scores(schema, owner.getOrDefault(inputCol), owner.getOrDefault(inputKind));
    Columns.requireId(schema, owner.getOrDefault(idCol));
    StructField out =
        DataTypes.createStructField(
            owner.getOrDefault(outputCol),
            DataTypes.createArrayType(DataTypes.DoubleType, false),
            false);
    return Columns.append(schema, List.of(out));
  }

  /** What reads one row's logits from a table, checking them. */
  Reader reader(Params owner, StructType schema) {
    String id = owner.getOrDefault(idCol);
    return new Reader(
        schema.fieldIndex(owner.getOrDefault(inputCol)),
        owner.getOrDefault(inputKind).equals("probability"),
        id.isEmpty() ? -1 : schema.fieldIndex(id),
        id);
  }

  /** Reads a row's scores as logits: log-probabilities for probabilities (clipped at 1e-15). */
  record Reader(int index, boolean probabilities, int id, String idCol)
      implements java.io.Serializable {

    double[] logits(Row row, int classes) {
      double[] v = ScoreColumns.read(row, index);
      String problem = null;
      if (v == null) {
        problem = "has no scores (null)";
      } else if (classes > 0 && v.length != classes) {
        problem = "has " + v.length + " scores; the calibrator knows " + classes + " classes";
      } else if (probabilities) {
        problem = CalibrationSums.check(v, 0, v.length);
      } else {
        for (double x : v) {
          if (!Double.isFinite(x)) {
            problem = "has logit " + x + ", not a finite number";
          }
        }
      }
      if (problem != null) {
        throw new InvalidScoresException(ScoreColumns.describe(row, id, idCol) + " " + problem);
      }
      if (probabilities) {
        for (int c = 0; c < v.length; c++) {
          v[c] = Math.log(Math.max(v[c], CLIP));
        }
      }
      return v;
    }
  }
}
