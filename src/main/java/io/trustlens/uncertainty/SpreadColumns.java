package io.trustlens.uncertainty;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * The {@code uncertainty_*} columns of a row's {@link Spread}, each with its meaning in the
 * column's metadata: for classifiers {@code _mean}, {@code _prediction}, {@code _std}, {@code
 * _entropy}, {@code _expected_entropy}, {@code _mutual_information}, {@code _disagreement}; for
 * regressions {@code _mean} and {@code _std}.
 */
public final class SpreadColumns {
  private SpreadColumns() {}

  /** The columns added for draws of {@code what} ("members", "passes"). */
  public static List<StructField> fields(
      String prefix, boolean classifier, List<String> classes, String what) {
    List<StructField> added = new ArrayList<>();
    if (classifier) {
      Metadata names =
          meaning("mean class probability over the " + what)
              .putStringArray("names", classes.toArray(new String[0]))
              .build();
      added.add(
          new StructField(
              prefix + "_mean",
              DataTypes.createArrayType(DataTypes.DoubleType, false),
              false,
              names));
      added.add(number(prefix + "_prediction", "the class of the largest mean probability"));
      added.add(
          number(
              prefix + "_std",
              "standard deviation over the " + what + " of the predicted class's probability"));
      added.add(number(prefix + "_entropy", "predictive entropy H[mean p], nats (total)"));
      added.add(
          number(
              prefix + "_expected_entropy", "mean over " + what + " of H[p_k], nats (aleatoric)"));
      added.add(
          number(
              prefix + "_mutual_information",
              "H[mean p] - mean H[p_k], nats (epistemic; BALD, arXiv 1112.5745)"));
      added.add(
          number(
              prefix + "_disagreement",
              "share of " + what + " not voting with the majority class"));
    } else {
      added.add(number(prefix + "_mean", "mean prediction over the " + what));
      added.add(number(prefix + "_std", "standard deviation of the " + what + "' predictions"));
    }
    return added;
  }

  /** {@code row} with the spread of its {@code k} draws appended (see {@link #fields}). */
  static Row appended(Row row, double[] draws, int offset, int k, int width, boolean classifier) {
    double[] own = java.util.Arrays.copyOfRange(draws, offset, offset + k * width);
    if (!classifier) {
      Spread.Regression r = Spread.ofValues(own, k);
      return io.trustlens.feature.Columns.appended(row, r.mean(), r.std());
    }
    Spread.Classification s = Spread.ofProbabilities(own, k, width);
    return io.trustlens.feature.Columns.appended(
        row,
        s.mean(),
        (double) s.prediction(),
        s.std(),
        s.entropy(),
        s.expectedEntropy(),
        s.mutualInformation(),
        s.disagreement());
  }

  private static MetadataBuilder meaning(String text) {
    return new MetadataBuilder().putString("meaning", text);
  }

  private static StructField number(String name, String meaning) {
    return new StructField(name, DataTypes.DoubleType, false, meaning(meaning).build());
  }
}
