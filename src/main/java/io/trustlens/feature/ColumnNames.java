package io.trustlens.feature;

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
}
