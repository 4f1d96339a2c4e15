package io.trustlens.feature;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * How a model reads a text column: its tokens, and the model input those tokens make. Word
 * occlusion edits the tokens and re-encodes them in the JVM. {@link TextFeatures} recomputes an
 * MLlib text pipeline; {@link TokenIds} maps words to the token ids a TorchScript model reads.
 */
public interface TextEncoder extends Serializable {

  /** The string column the model reads. */
  String textColumn();

  /** Values in one model input. */
  int size();

  /** The words of {@code text} the model sees, in order. */
  List<String> tokens(String text);

  /**
   * Writes the model input of {@code tokens} (and of the row's other inputs) to {@code dest} from
   * {@code offset}; {@code dest} must hold zeros there.
   */
  void vector(List<String> tokens, Row row, double[] dest, int offset);
}
