package io.trustlens.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The card beside a TorchScript file ({@code name.json} next to {@code name.pt}): the input shape
 * of one row, what the outputs mean and their names, the extra methods the module exports.
 *
 * @param inputShape shape of one row without the batch dimension, such as {@code [1, 8, 8]}
 * @param kind what the outputs mean
 * @param outputs one name per output
 * @param methods exported methods, such as {@code forward_mc}
 * @param features the table columns the model reads, in order, when the card names them
 * @param mcNoise uniform numbers per row that the module's {@code forward_mc(x, noise)} turns into
 *     its dropout masks (Monte Carlo dropout); 0 when it exports no such method
 */
public record TorchScriptCard(
    int[] inputShape,
    OutputKind kind,
    List<String> outputs,
    List<String> methods,
    List<String> features,
    int mcNoise)
    implements Serializable {

  /** The card's file for a model file: {@code model.pt} has {@code model.json}. */
  public static Path cardPath(Path modelFile) {
    String name = modelFile.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return modelFile.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".json");
  }

  /** Reads the card beside a model file, or returns null when there is none. */
  public static TorchScriptCard readBeside(Path modelFile) {
    Path card = cardPath(modelFile);
    if (!Files.isRegularFile(card)) {
      return null;
    }
    try {
      JsonNode json =
          new ObjectMapper()
              .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
              .readTree(card.toFile());
      JsonNode shape = required(json, "input_shape", card);
      int[] inputShape = new int[shape.size()];
      for (int i = 0; i < inputShape.length; i++) {
        inputShape[i] = shape.get(i).asInt();
      }
      OutputKind kind =
          OutputKind.valueOf(
              required(json, "output", card).asText().toUpperCase(java.util.Locale.ROOT));
      List<String> outputs = new ArrayList<>();
      required(json, "outputs", card).forEach(n -> outputs.add(n.asText()));
      List<String> methods = new ArrayList<>();
      if (json.has("methods")) {
        json.get("methods").forEach(n -> methods.add(n.asText()));
      }
      List<String> features = new ArrayList<>();
      if (json.has("features")) {
        json.get("features").forEach(n -> features.add(n.asText()));
      }
      int mcNoise = json.has("mc_noise") ? json.get("mc_noise").asInt() : 0;
      if (mcNoise < 0) {
        throw new InvalidModelException(
            "model card " + card + ": mc_noise is " + mcNoise + "; expected a count >= 0");
      }
      return new TorchScriptCard(
          inputShape,
          kind,
          List.copyOf(outputs),
          List.copyOf(methods),
          List.copyOf(features),
          mcNoise);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidModelException("model card " + card + " is not valid: " + e.getMessage(), e);
    }
  }

  private static JsonNode required(JsonNode json, String key, Path card) {
    JsonNode node = json.get(key);
    if (node == null) {
      throw new InvalidModelException("model card " + card + " lacks the key '" + key + "'");
    }
    return node;
  }
}
