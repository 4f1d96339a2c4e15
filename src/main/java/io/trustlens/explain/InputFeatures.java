package io.trustlens.explain;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.ImageShape;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.model.LoadedModel;
import io.trustlens.model.ModelInfo;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.types.StructType;

/**
 * The features a per-row explainer stage reads for a bare model (no pipeline prefix): an image
 * column of a given shape, else a vector column, else named columns, else the columns the model's
 * card names; checked against the number of inputs the model reads.
 */
public final class InputFeatures {
  private InputFeatures() {}

  /**
   * The features of {@code schema} for {@code model}.
   *
   * @param imageCol a flat numeric array or Spark image column; empty for none
   * @param imageShape {@code C,H,W} of the images; needed with an image column
   * @param vectorCol an ML vector column; empty for none
   * @param featuresCols numeric columns; empty for none
   */
  public static FeatureSpace of(
      StructType schema,
      LoadedModel model,
      String imageCol,
      String imageShape,
      String vectorCol,
      String[] featuresCols) {
    ModelInfo info = model.info();
    FeatureSpace space;
    if (!imageCol.isEmpty()) {
      if (imageShape.isEmpty()) {
        throw new InvalidFeatureException("imageCol '" + imageCol + "' needs imageShape C,H,W");
      }
      ImageShape shape = ImageShape.parse(imageShape);
      boolean struct =
          schema.getFieldIndex(imageCol).isDefined()
              && schema.apply(imageCol).dataType() instanceof StructType;
      space =
          struct
              ? FeatureSpace.ofSparkImage(schema, imageCol, shape)
              : FeatureSpace.ofImageArray(schema, imageCol, shape);
    } else if (!vectorCol.isEmpty()) {
      space = FeatureSpace.ofVector(schema, vectorCol, info.inputSize());
    } else if (featuresCols.length > 0) {
      space = FeatureSpace.ofColumns(schema, List.of(featuresCols));
    } else if (!model.featureColumns().isEmpty()) {
      space = FeatureSpace.ofColumns(schema, model.featureColumns());
    } else {
      throw new InvalidFeatureException(
          info.location()
              + "'s card names no feature columns: set featuresCols, vectorCol or imageCol");
    }
    if (space.size() != info.inputSize()) {
      throw new InvalidFeatureException(
          "the table gives "
              + space.size()
              + " input values per row ("
              + space.source().name().toLowerCase(Locale.ROOT)
              + " "
              + space.columns()
              + "), but "
              + info.location()
              + " reads "
              + info.inputSize());
    }
    return space;
  }

  /**
   * How {@code model} reads text: an MLlib text pipeline over {@code schema}, or a TorchScript
   * model whose card (beside {@code modelPath}) has a {@code text} key (token ids); else null.
   */
  public static io.trustlens.feature.TextEncoder text(
      LoadedModel model, String modelPath, StructType schema) {
    if (model.hasFeatureStages()) {
      return io.trustlens.feature.TextFeatures.find(
          model.featureStages(), model.featuresCol(), schema);
    }
    java.nio.file.Path card =
        io.trustlens.model.TorchScriptCard.cardPath(java.nio.file.Path.of(modelPath));
    if (!model.info().type().equals("TorchScript") || !java.nio.file.Files.isRegularFile(card)) {
      return null;
    }
    com.fasterxml.jackson.databind.JsonNode json;
    try {
      json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(card.toFile());
    } catch (java.io.IOException e) {
      throw new io.trustlens.model.InvalidModelException(
          "cannot read the model card " + card + ": " + e.getMessage());
    }
    if (!json.has("text")) {
      return null;
    }
    io.trustlens.feature.TokenIds ids =
        io.trustlens.feature.TokenIds.of(
            json.get("text"), card.toString(), model.info().inputSize());
    if (!java.util.Arrays.asList(schema.fieldNames()).contains(ids.textColumn())) {
      throw new IllegalArgumentException(
          "the model reads the text column '"
              + ids.textColumn()
              + "' (its card's text.column); the table has "
              + java.util.Arrays.toString(schema.fieldNames()));
    }
    return ids;
  }
}
