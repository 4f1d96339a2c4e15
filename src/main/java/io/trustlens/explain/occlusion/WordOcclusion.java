package io.trustlens.explain.occlusion;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Occlusion of words (leave-one-out on text; Li, Monroe and Jurafsky 2016, "Understanding Neural
 * Networks through Representation Erasure", arXiv 1612.08220): the players of a text are its
 * distinct words, in the order they first appear, then, up to {@code ngrams}, its distinct runs of
 * 2, 3, ... consecutive words; a player's copy is the text with every occurrence of it removed, and
 * its value is the drop of the explained output.
 *
 * <p>Removing every occurrence of a word (not one position) matches how bag-of-words models see a
 * word: as present or absent, or by its count.
 */
public final class WordOcclusion implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int ngrams;

  /** Words alone ({@code ngrams = 1}) or also runs of up to {@code ngrams} words. */
  public WordOcclusion(int ngrams) {
    if (ngrams < 1) {
      throw new IllegalArgumentException("ngrams must be at least 1; got " + ngrams);
    }
    this.ngrams = ngrams;
  }

  /** The players of {@code tokens}: distinct words, then distinct n-grams joined by spaces. */
  public List<List<String>> players(List<String> tokens) {
    LinkedHashSet<List<String>> players = new LinkedHashSet<>();
    for (int n = 1; n <= ngrams; n++) {
      for (int i = 0; i + n <= tokens.size(); i++) {
        players.add(List.copyOf(tokens.subList(i, i + n)));
      }
    }
    return new ArrayList<>(players);
  }

  /** {@code tokens} without any occurrence of {@code player}, scanned left to right. */
  public static List<String> without(List<String> tokens, List<String> player) {
    List<String> kept = new ArrayList<>(tokens.size());
    int n = player.size();
    int i = 0;
    while (i < tokens.size()) {
      if (i + n <= tokens.size() && tokens.subList(i, i + n).equals(player)) {
        i += n;
      } else {
        kept.add(tokens.get(i++));
      }
    }
    return kept;
  }

  /** The longest run of words a player spans. */
  public int ngrams() {
    return ngrams;
  }
}
