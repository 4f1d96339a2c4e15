package io.trustlens.feature;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;

/**
 * A table's column names as Spark's parsers take them. {@code functions.col}, {@code Dataset.col}
 * and MLlib's stage inputs (Spark 4 parses them as attribute names) read {@code a.b} as field
 * {@code b} of a struct {@code a}, and fail on a lone backtick; a CSV header often has dots ({@code
 * Sepal.Length}), and any name may hold a backtick. Quoted here, every name means the top-level
 * column of exactly that name.
 */
public final class ColumnNames {
  private ColumnNames() {}

  /** {@code name} in backticks, each backtick in it doubled: {@code a`b.c} is {@code `a``b.c`}. */
  public static String quoted(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** The column named {@code name}, whatever its characters. */
  public static Column col(String name) {
    return org.apache.spark.sql.functions.col(quoted(name));
  }

  /** {@code table}'s column named {@code name}, whatever its characters. */
  public static Column col(Dataset<?> table, String name) {
    return table.col(quoted(name));
  }

  /**
   * {@code name} as an MLlib stage's input parameter takes it: quoted when it has a dot or a
   * backtick (which the stage's attribute-name parser would read as a path or refuse), else as it
   * is, so that a pipeline of plain names reads as MLlib users write it.
   */
  public static String forStage(String name) {
    return name.indexOf('.') >= 0 || name.indexOf('`') >= 0 ? quoted(name) : name;
  }

  /**
   * The column an MLlib stage's input parameter names: {@code `a``b.c`} is {@code a`b.c}, a name
   * without quotes is itself (a pipeline saved by Spark 3, or a plain name).
   */
  public static String ofStage(String param) {
    if (param.length() >= 2 && param.startsWith("`") && param.endsWith("`")) {
      String inner = param.substring(1, param.length() - 1);
      if (inner.replace("``", "").indexOf('`') < 0) {
        return inner.replace("``", "`");
      }
    }
    return param;
  }

  /**
   * What a user most likely meant by the missing column {@code name}, as a clause to append to an
   * error ({@code "; did you mean 'id'? (names are case-sensitive)"}), or "" when nothing is close
   * ({@link #closest}).
   */
  public static String didYouMean(String name, String[] columns) {
    String meant = closest(name, columns);
    return meant == null
        ? ""
        : "; did you mean '"
            + meant
            + "'?"
            + (meant.equalsIgnoreCase(name) ? " (names are case-sensitive)" : "");
  }

  /**
   * Of {@code names}, the one a user most likely meant by {@code name}, or null: the one equal but
   * for case, else, when {@code name} is longer than three characters, the one within two edits (a
   * typo) when only one is, or when none is, the one that starts with it (a name cut short) when
   * only one does.
   */
  public static String closest(String name, String[] names) {
    List<String> same = new java.util.ArrayList<>();
    List<String> near = new java.util.ArrayList<>();
    for (String c : names) {
      if (c.equalsIgnoreCase(name)) {
        same.add(c);
      } else if (Math.abs(c.length() - name.length()) <= 2 && edits(c, name) <= 2) {
        near.add(c);
      }
    }
    if (same.size() == 1) {
      return same.get(0);
    }
    if (!same.isEmpty() || name.length() <= 3) {
      return null;
    }
    if (near.size() == 1) {
      return near.get(0);
    }
    if (near.isEmpty()) { // a name cut short: sanity for sanity_checks
      List<String> longer = new java.util.ArrayList<>();
      for (String c : names) {
        if (c.toLowerCase(java.util.Locale.ROOT)
            .startsWith(name.toLowerCase(java.util.Locale.ROOT))) {
          longer.add(c);
        }
      }
      return longer.size() == 1 ? longer.get(0) : null;
    }
    return null;
  }

  /**
   * The error for a column {@code name} that {@code schema} lacks: the name, the table's columns
   * and {@link #didYouMean}.
   */
  public static String unknown(String name, org.apache.spark.sql.types.StructType schema) {
    return "unknown column '"
        + name
        + "'; the table has: "
        + String.join(", ", schema.fieldNames())
        + didYouMean(name, schema.fieldNames());
  }

  /** The Levenshtein distance of {@code a} and {@code b} (insertions, deletions, substitutions). */
  static int edits(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
