package io.trustlens.feature;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * A string column read as a sequence of word tokens ({@link TextTokens}): the players of text
 * explanations, where a word is "absent" when it is removed.
 *
 * @param column the text column
 */
public record TextColumn(String column) implements Serializable {

  /** The text column {@code column} of {@code schema}, checked to exist and hold strings. */
  public static TextColumn of(StructType schema, String column) {
    if (schema.getFieldIndex(column).isEmpty()) {
      throw new InvalidFeatureException(ColumnNames.unknown(column, schema));
    }
    if (!(schema.apply(column).dataType() instanceof StringType)) {
      throw new InvalidFeatureException(
          "text column '"
              + column
              + "' is "
              + schema.apply(column).dataType().simpleString()
              + ", not a string");
    }
    return new TextColumn(column);
  }

  /** The tokens of one row's text; a null text has none. */
  public List<String> tokens(Row row) {
    int i = row.fieldIndex(column);
    return TextTokens.of(row.isNullAt(i) ? null : row.getString(i));
  }
}
