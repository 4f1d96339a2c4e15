package io.trustlens.feature;

import com.fasterxml.jackson.databind.JsonNode;
import io.trustlens.model.InvalidModelException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;

/**
 * The token ids a TorchScript text model reads, as its card's {@code text} key describes them: the
 * text lower-cased (when {@code lowercase}), split on the regular expression {@code split}, empty
 * pieces dropped; each word's id is {@code first_id} plus its place in {@code vocabulary}, {@code
 * unknown_id} for other words; the first {@code max_tokens} words, then {@code padding_id}.
 *
 * <p>Invariant: the ids of a text are those the model's own export script made for it, so a word's
 * occlusion (removing every occurrence) is the model's input without that word.
 */
public final class TokenIds implements TextEncoder {
  private static final long serialVersionUID = 1L;

  private final String column;
  private final boolean lowercase;
  private final String split;
  private final int maxTokens;
  private final int paddingId;
  private final int unknownId;
  private final Map<String, Integer> ids;
  private transient Pattern pattern;

  private TokenIds(
      String column,
      boolean lowercase,
      String split,
      int maxTokens,
      int paddingId,
      int unknownId,
      Map<String, Integer> ids) {
    this.column = column;
    this.lowercase = lowercase;
    this.split = split;
    this.maxTokens = maxTokens;
    this.paddingId = paddingId;
    this.unknownId = unknownId;
    this.ids = ids;
  }

  /**
   * Reads the card's {@code text} key.
   *
   * @param where the card, for errors
   * @throws InvalidModelException naming the key that is missing or wrong
   */
  public static TokenIds of(JsonNode text, String where, int inputSize) {
    for (String key : List.of("column", "split", "max_tokens", "vocabulary")) {
      if (!text.has(key)) {
        throw new InvalidModelException(
            "model card " + where + ": text needs the key '" + key + "'");
      }
    }
    int first = text.path("first_id").asInt(2);
    Map<String, Integer> ids = new HashMap<>();
    JsonNode vocabulary = text.get("vocabulary");
    for (int i = 0; i < vocabulary.size(); i++) {
      ids.put(vocabulary.get(i).asText(), first + i);
    }
    int maxTokens = text.get("max_tokens").asInt();
    if (maxTokens != inputSize) {
      throw new InvalidModelException(
          "model card "
              + where
              + ": text.max_tokens is "
              + maxTokens
              + " but the model reads "
              + inputSize
              + " values");
    }
    return new TokenIds(
        text.get("column").asText(),
        text.path("lowercase").asBoolean(true),
        text.get("split").asText(),
        maxTokens,
        text.path("padding_id").asInt(0),
        text.path("unknown_id").asInt(1),
        ids);
  }

  @Override
  public String textColumn() {
    return column;
  }

  @Override
  public int size() {
    return maxTokens;
  }

  @Override
  public List<String> tokens(String text) {
    if (pattern == null) {
      pattern = Pattern.compile(split);
    }
    List<String> words = new ArrayList<>();
    for (String w : pattern.split(lowercase ? text.toLowerCase(Locale.ROOT) : text)) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }

  @Override
  public void vector(List<String> tokens, Row row, double[] dest, int offset) {
    for (int j = 0; j < maxTokens; j++) {
      dest[offset + j] = j < tokens.size() ? ids.getOrDefault(tokens.get(j), unknownId) : paddingId;
    }
  }
}
