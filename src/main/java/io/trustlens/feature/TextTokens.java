package io.trustlens.feature;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into lower-case word tokens (letters and digits), the players of text explanations:
 * removing a token is how a word is "absent".
 */
public final class TextTokens {
  private TextTokens() {}

  /** The words of {@code text} in order; empty for null or blank text. */
  public static List<String> of(String text) {
    List<String> tokens = new ArrayList<>();
    if (text == null) {
      return tokens;
    }
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (Character.isLetterOrDigit(ch)) {
        word.append(Character.toLowerCase(ch));
      } else if (word.length() > 0) {
        tokens.add(word.toString());
        word.setLength(0);
      }
    }
    if (word.length() > 0) {
      tokens.add(word.toString().toLowerCase(Locale.ROOT));
    }
    return tokens;
  }
}
