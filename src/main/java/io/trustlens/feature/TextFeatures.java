package io.trustlens.feature;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.CountVectorizerModel;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.IDFModel;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.StopWordsRemover;
import org.apache.spark.ml.feature.Tokenizer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * An MLlib text pipeline's features computed in the JVM from a list of tokens, so that text
 * explainers score thousands of edited texts without a DataFrame: {@link Tokenizer} or {@link
 * RegexTokenizer} (its own split), {@link StopWordsRemover}s, then {@link CountVectorizerModel} or
 * {@link HashingTF}, an optional {@link IDFModel}, and an optional {@link VectorAssembler} whose
 * other inputs are numeric columns of the table (held as they are in the row).
 *
 * <p>Invariant: {@code vector(tokens(text), row)} equals, value for value, the vector the
 * pipeline's {@code transform} writes for that row (tested on every stage kind above).
 */
public final class TextFeatures implements TextEncoder {
  private static final long serialVersionUID = 1L;

  /** The stages this class reproduces, for errors. */
  public static final String SUPPORTED =
      "Tokenizer or RegexTokenizer, StopWordsRemover, CountVectorizerModel or HashingTF, IDFModel,"
          + " VectorAssembler (with numeric columns)";

  private final String textColumn;
  private final Transformer tokenizer;
  private final List<StopWordsRemover> removers;
  private final Map<String, Integer> vocabulary;
  private final CountVectorizerModel counts;
  private final HashingTF hashing;
  private final double[] idf;
  private final int textSize;
  private final List<String> assembled;
  private final String textVectorCol;
  private final int size;

  private TextFeatures(
      String textColumn,
      Transformer tokenizer,
      List<StopWordsRemover> removers,
      Transformer vectorizer,
      IDFModel idf,
      List<String> assembled,
      String textVectorCol,
      int size) {
    this.textColumn = textColumn;
    this.tokenizer = tokenizer;
    this.removers = List.copyOf(removers);
    if (vectorizer instanceof CountVectorizerModel cv) {
      this.counts = cv;
      this.hashing = null;
      this.vocabulary = new HashMap<>();
      String[] words = cv.vocabulary();
      for (int i = 0; i < words.length; i++) {
        vocabulary.put(words[i], i);
      }
      this.textSize = words.length;
    } else {
      this.counts = null;
      this.hashing = (HashingTF) vectorizer;
      this.vocabulary = null;
      this.textSize = hashing.getNumFeatures();
    }
    this.idf = idf == null ? null : idf.idf().toArray();
    this.assembled = assembled;
    this.textVectorCol = textVectorCol;
    this.size = size;
  }

  /**
   * The text features of a pipeline's stages that make {@code featuresCol}, or null when no
   * tokenizer of a string column of {@code schema} feeds it.
   *
   * @throws InvalidFeatureException when text feeds the vector through a stage not reproduced here
   */
  public static TextFeatures find(List<Transformer> stages, String featuresCol, StructType schema) {
    Map<String, Transformer> maker = new HashMap<>();
    for (Transformer t : stages) {
      for (String out : outputs(t)) {
        maker.put(out, t);
      }
    }
    Transformer last = maker.get(featuresCol);
    List<String> assembled = null;
    String textVector = featuresCol;
    if (last instanceof VectorAssembler a) {
      assembled = java.util.Arrays.stream(a.getInputCols()).map(ColumnNames::ofStage).toList();
      textVector = null;
      for (String in : assembled) {
        if (reachesText(in, maker, schema)) {
          if (textVector != null) {
            throw new InvalidFeatureException(
                "the assembler of '"
                    + featuresCol
                    + "' takes two text vectors ("
                    + textVector
                    + ", "
                    + in
                    + "); text occlusion explains one text column");
          }
          textVector = in;
        }
      }
      if (textVector == null) {
        return null;
      }
    } else if (!reachesText(featuresCol, maker, schema)) {
      return null;
    }
    Transformer t = maker.get(textVector);
    IDFModel idf = null;
    if (t instanceof IDFModel m) {
      idf = m;
      t = maker.get(ColumnNames.ofStage(m.getInputCol()));
    }
    if (!(t instanceof CountVectorizerModel || t instanceof HashingTF)) {
      throw unsupported(textVector, t);
    }
    String tokens =
        ColumnNames.ofStage(
            t instanceof CountVectorizerModel cv
                ? cv.getInputCol()
                : ((HashingTF) t).getInputCol());
    Transformer vectorizer = t;
    List<StopWordsRemover> removers = new ArrayList<>();
    Transformer s = maker.get(tokens);
    while (s instanceof StopWordsRemover r) {
      if (r.isSet(r.inputCols())) {
        throw unsupported(tokens, s);
      }
      removers.add(0, r);
      s = maker.get(ColumnNames.ofStage(r.getInputCol()));
    }
    if (!(s instanceof Tokenizer || s instanceof RegexTokenizer)) {
      throw unsupported(tokens, s);
    }
    String text =
        ColumnNames.ofStage(
            s instanceof Tokenizer tk ? tk.getInputCol() : ((RegexTokenizer) s).getInputCol());
    int textSize =
        vectorizer instanceof CountVectorizerModel cv
            ? cv.vocabulary().length
            : ((HashingTF) vectorizer).getNumFeatures();
    int size = textSize;
    List<String> parts = assembled == null ? List.of(textVector) : assembled;
    if (assembled != null) {
      size = 0;
      for (String in : assembled) {
        if (in.equals(textVector)) {
          size += textSize;
        } else if (!maker.containsKey(in)
            && schema.getFieldIndex(in).isDefined()
            && schema.apply(in).dataType() instanceof NumericType) {
          size += 1;
        } else {
          throw new InvalidFeatureException(
              "text occlusion holds the assembler's other inputs as they are in the row, so they"
                  + " must be numeric columns of the table; '"
                  + in
                  + "' is "
                  + (maker.containsKey(in)
                      ? "made by " + maker.get(in).getClass().getSimpleName()
                      : "not a numeric column of the table"));
        }
      }
    }
    return new TextFeatures(text, s, removers, vectorizer, idf, parts, textVector, size);
  }

  private static InvalidFeatureException unsupported(String column, Transformer t) {
    return new InvalidFeatureException(
        "column '"
            + column
            + "' of the text pipeline is made by "
            + (t == null ? "no stage" : t.getClass().getSimpleName())
            + "; text occlusion reproduces "
            + SUPPORTED);
  }

  private static boolean reachesText(
      String column, Map<String, Transformer> maker, StructType schema) {
    Transformer t = maker.get(column);
    if (t == null) {
      return false;
    }
    if (t instanceof Tokenizer || t instanceof RegexTokenizer) {
      String in =
          ColumnNames.ofStage(
              t instanceof Tokenizer tk ? tk.getInputCol() : ((RegexTokenizer) t).getInputCol());
      return schema.getFieldIndex(in).isDefined()
          && schema.apply(in).dataType() instanceof StringType;
    }
    for (String in : inputs(t)) {
      if (reachesText(in, maker, schema)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> outputs(Transformer t) {
    return columns(t, "outputCol", "outputCols");
  }

  private static List<String> inputs(Transformer t) {
    return columns(t, "inputCol", "inputCols").stream().map(ColumnNames::ofStage).toList();
  }

  private static List<String> columns(Transformer t, String one, String many) {
    List<String> cols = new ArrayList<>();
    if (t.hasParam(one) && t.isDefined(t.getParam(one))) {
      cols.add((String) t.getOrDefault(t.getParam(one)));
    }
    if (t.hasParam(many) && t.isDefined(t.getParam(many))) {
      cols.addAll(List.of((String[]) t.getOrDefault(t.getParam(many))));
    }
    return cols;
  }

  /** The string column the pipeline tokenizes. */
  @Override
  public String textColumn() {
    return textColumn;
  }

  /** Values in the features vector. */
  @Override
  public int size() {
    return size;
  }

  /**
   * The tokens the vectorizer counts in {@code text}: the pipeline's tokenizer, then its stop-word
   * removers.
   */
  @Override
  public List<String> tokens(String text) {
    List<String> tokens =
        new ArrayList<>(
            scala.jdk.javaapi.CollectionConverters.asJava(
                tokenizer instanceof Tokenizer t
                    ? t.createTransformFunc().apply(text)
                    : ((RegexTokenizer) tokenizer).createTransformFunc().apply(text)));
    for (StopWordsRemover r : removers) {
      tokens = removeStopWords(r, tokens);
    }
    return tokens;
  }

  private static List<String> removeStopWords(StopWordsRemover r, List<String> tokens) {
    List<String> kept = new ArrayList<>(tokens.size());
    if (r.getCaseSensitive()) {
      Set<String> stop = Set.of(r.getStopWords());
      for (String s : tokens) {
        if (!stop.contains(s)) {
          kept.add(s);
        }
      }
      return kept;
    }
    Locale locale = Locale.forLanguageTag(r.getLocale().replace('_', '-'));
    Set<String> stop = new HashSet<>();
    for (String w : r.getStopWords()) {
      stop.add(w.toLowerCase(locale));
    }
    for (String s : tokens) {
      if (s == null || !stop.contains(s.toLowerCase(locale))) {
        kept.add(s);
      }
    }
    return kept;
  }

  /**
   * Writes the features of {@code tokens} (and the row's numeric inputs of the assembler) to {@code
   * dest} from {@code offset}; {@code dest} must hold zeros there.
   */
  @Override
  public void vector(List<String> tokens, Row row, double[] dest, int offset) {
    int at = offset;
    for (String part : assembled) {
      if (part.equals(textVectorCol)) {
        textVector(tokens, dest, at);
        at += textSize;
      } else {
        int i = row.fieldIndex(part);
        if (row.isNullAt(i)) {
          throw new InvalidFeatureException("null in feature column '" + part + "'");
        }
        double v = ((Number) row.get(i)).doubleValue();
        if (Double.isNaN(v)) {
          throw new InvalidFeatureException("NaN in feature column '" + part + "'");
        }
        dest[at++] = v;
      }
    }
  }

  private void textVector(List<String> tokens, double[] dest, int offset) {
    if (counts != null) {
      Map<Integer, Double> tf = new HashMap<>();
      for (String token : tokens) {
        Integer index = vocabulary.get(token);
        if (index != null) {
          tf.merge(index, 1.0, Double::sum);
        }
      }
      double minTf = counts.getMinTF();
      double effective = minTf >= 1.0 ? minTf : tokens.size() * minTf;
      for (Map.Entry<Integer, Double> e : tf.entrySet()) {
        if (e.getValue() >= effective) {
          dest[offset + e.getKey()] = counts.getBinary() ? 1.0 : e.getValue();
        }
      }
    } else {
      for (String token : tokens) {
        int index = hashing.indexOf(token);
        dest[offset + index] = hashing.getBinary() ? 1.0 : dest[offset + index] + 1.0;
      }
    }
    if (idf != null) {
      for (int j = 0; j < textSize; j++) {
        dest[offset + j] *= idf[j];
      }
    }
  }
}
