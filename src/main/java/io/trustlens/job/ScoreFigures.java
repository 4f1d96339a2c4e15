package io.trustlens.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.trustlens.feature.ColumnNames;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A scored table's figures against its label, from one pass over Spark's internal rows: the rows,
 * and for a classifier of {@code k} classes the rows predicted right, the confusion matrix (rows:
 * the label; columns: the prediction) and the log loss of the true class's probability clamped at
 * {@link ScoreTask#EPSILON}; for a regressor the squared errors. Each figure was one or two Spark
 * jobs of its own (an aggregate planned, compiled and run, then its shuffle read); a small table
 * waited ~0.2 s for each.
 *
 * <p>Which rows count, as the aggregates it replaces counted them: accuracy over every row (a null
 * or NaN label is not predicted right); the confusion matrix and the log loss over rows whose label
 * is a whole number in {@code 0..k-1} (the others, null labels too, counted apart as {@link
 * #outside()}); the RMSE over rows with a label (not null).
 *
 * <p>Asked to, a two-class classifier's pass also gathers the probability of class 1 of every row
 * the confusion matrix counts, by class, for {@link RocArea#area} on the driver: the AUC without a
 * pass of its own over a small table.
 *
 * <p>Invariant: sums are kept exactly ({@link ExactSum}) and counts are whole numbers, so every
 * figure is the same bits whatever the partitioning and the order in which tasks finish.
 */
final class ScoreFigures implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int classes;
  private long rows;
  private long right;
  private final long[][] confusion;
  private long outside;
  private final ExactSum loss = new ExactSum();
  private long lossRows;
  private final ExactSum squaredErrors = new ExactSum();
  private long labelled;
  private final RocArea.Scores scores;
  private transient List<Row> head = List.of();

  /** Empty figures for a classifier of {@code classes} outputs, or a regressor ({@code 0}). */
  ScoreFigures(int classes) {
    this(classes, false);
  }

  /** As above; {@code scores}: gather the scores of a two-class classifier for its AUC. */
  private ScoreFigures(int classes, boolean scores) {
    if (scores && classes != 2) {
      throw new IllegalArgumentException("the AUC's scores need a classifier of two classes");
    }
    this.classes = classes;
    this.confusion = new long[classes][classes];
    this.scores = scores ? new RocArea.Scores() : null;
  }

  /**
   * The figures of {@code written}: its {@code prediction} against {@code label} (null for none:
   * rows only), with the {@code probability} array when {@code probability} is true.
   */
  static ScoreFigures of(Dataset<Row> written, String label, int classes, boolean probability) {
    return of(written, label, classes, probability, false);
  }

  /**
   * As above; with {@code scores} (a two-class classifier with probabilities) the pass also gathers
   * the scores of {@link #rocArea()}.
   */
  static ScoreFigures of(
      Dataset<Row> written, String label, int classes, boolean probability, boolean scores) {
    return of(written, label, classes, probability, scores, 0);
  }

  /**
   * As above; the pass also gathers the table's first {@code headRows} rows ({@link #head()}), as
   * {@code written.limit(headRows).collectAsList()} gives them.
   */
  static ScoreFigures of(
      Dataset<Row> written,
      String label,
      int classes,
      boolean probability,
      boolean scores,
      int headRows) {
    return of(
        written,
        label == null ? null : ColumnNames.col(label),
        classes,
        probability,
        scores,
        headRows);
  }

  /**
   * As above, the label being the value of {@code label} (null for none): a column, or a string
   * label's class index ({@link InputTable#classIndex}).
   */
  static ScoreFigures of(
      Dataset<Row> written,
      Column label,
      int classes,
      boolean probability,
      boolean scores,
      int headRows) {
    List<Column> columns = columns(label, probability);
    Dataset<Row> read = written.select(HeadRows.columns(written, headRows > 0, columns));
    return merge(
        TablePass.over(read, fold(classes, scores, headRows)),
        read.schema(),
        columns.size(),
        () -> written,
        classes,
        scores,
        headRows);
  }

  /**
   * The figures of {@code table}, as {@link #of} gives them, folded into the job that writes it:
   * write {@link Written#table()}, then read {@link Written#figures}. The pass always gathers the
   * first {@code headRows} rows (it reads every column anyway).
   */
  static Written whileWriting(
      Dataset<Row> table,
      Column label,
      int classes,
      boolean probability,
      boolean scores,
      int headRows) {
    return new Written(
        TablePass.whileWriting(table, columns(label, probability), fold(classes, scores, headRows)),
        classes,
        scores,
        headRows);
  }

  /** Figures folded into a write: the table to write, then (once written) its figures. */
  static final class Written {
    private final TablePass.Writing<Part> pass;
    private final int classes;
    private final boolean scores;
    private final int headRows;

    private Written(TablePass.Writing<Part> pass, int classes, boolean scores, int headRows) {
      this.pass = pass;
      this.classes = classes;
      this.scores = scores;
      this.headRows = headRows;
    }

    /** The rows to write. */
    Dataset<Row> table() {
      return pass.table();
    }

    /**
     * The figures of the rows written; {@code written} reads them back, asked for only when the
     * first partitions held too few of the first rows.
     */
    ScoreFigures figures(java.util.function.Supplier<Dataset<Row>> written) {
      return merge(pass.parts(), pass.schema(), COLUMNS, written, classes, scores, headRows);
    }
  }

  /** The pass's own columns: the label and prediction as doubles, and the probabilities. */
  private static final int COLUMNS = 3;

  private static List<Column> columns(Column label, boolean probability) {
    return List.of(
        label == null ? lit(null).cast(DataTypes.DoubleType) : label.cast(DataTypes.DoubleType),
        col("prediction").cast(DataTypes.DoubleType),
        probability
            ? col("probability").cast(DataTypes.createArrayType(DataTypes.DoubleType))
            : lit(null).cast(DataTypes.createArrayType(DataTypes.DoubleType)));
  }

  private static TablePass.Fold<Part> fold(int classes, boolean scores, int headRows) {
    return new TablePass.Fold<>() {
      private static final long serialVersionUID = 1L;

      @Override
      public Part start(int partition) {
        return new Part(new ScoreFigures(classes, scores), HeadRows.of(partition, headRows));
      }

      @Override
      public void add(Part part, InternalRow row) {
        part.figures().add(row);
        part.head().offer(row);
      }
    };
  }

  /** The partitions' {@code parts} (in partition order) merged; the first rows converted. */
  private static ScoreFigures merge(
      List<Part> parts,
      StructType selected,
      int own,
      java.util.function.Supplier<Dataset<Row>> written,
      int classes,
      boolean scores,
      int headRows) {
    ScoreFigures total = new ScoreFigures(classes, scores);
    List<HeadRows> heads = new java.util.ArrayList<>();
    for (Part part : parts) {
      total.add(part.figures());
      heads.add(part.head());
    }
    total.head = HeadRows.rows(heads, selected, own, written, headRows);
    return total;
  }

  /** One partition's figures and first rows. */
  private record Part(ScoreFigures figures, HeadRows head) implements Serializable {}

  /** The table's first rows gathered by the pass (none unless asked for). */
  List<Row> head() {
    return head;
  }

  private void add(InternalRow r) {
    double label = r.isNullAt(0) ? Double.NaN : r.getDouble(0);
    double[] p = r.isNullAt(2) ? null : r.getArray(2).toDoubleArray();
    add(r.isNullAt(0), label, r.getDouble(1), p);
  }

  /**
   * Adds one row: its label ({@code missing} for a null), prediction and class probabilities (null
   * for none).
   */
  void add(boolean missing, double label, double prediction, double[] probability) {
    rows++;
    right += !missing && prediction == label ? 1 : 0;
    if (classes == 0) {
      if (missing) {
        return;
      }
      double e = prediction - label;
      squaredErrors.add(e * e);
      labelled++;
      return;
    }
    if (missing || !(label == Math.rint(label) && label >= 0 && label < classes)) {
      outside++;
      return;
    }
    int l = (int) label;
    confusion[l][(int) prediction]++;
    if (scores != null) {
      if (probability == null) {
        scores.addNull(l == 1);
      } else {
        scores.add(probability[1], l == 1);
      }
    }
    if (probability != null) {
      loss.add(-Math.log(Math.max(probability[l], ScoreTask.EPSILON)));
      lossRows++;
    }
  }

  /** Adds another partition's figures. */
  void add(ScoreFigures other) {
    rows += other.rows;
    right += other.right;
    for (int i = 0; i < classes; i++) {
      for (int j = 0; j < classes; j++) {
        confusion[i][j] += other.confusion[i][j];
      }
    }
    outside += other.outside;
    loss.add(other.loss);
    lossRows += other.lossRows;
    squaredErrors.add(other.squaredErrors);
    labelled += other.labelled;
    if (scores != null) {
      scores.add(other.scores);
    }
  }

  /** Whether the pass gathered the scores of {@link #rocArea()}. */
  boolean gatheredScores() {
    return scores != null;
  }

  /**
   * The area under the ROC curve of class 1's probability over the rows the confusion matrix counts
   * ({@link RocArea#area}), from the scores gathered in the pass; NaN when either class has no row.
   */
  double rocArea() {
    if (scores == null) {
      throw new IllegalStateException("these figures were not asked to gather scores");
    }
    return RocArea.area(java.util.Collections.singletonList(scores.part()));
  }

  /** Rows read. */
  long rows() {
    return rows;
  }

  /** The share of rows predicted right; NaN for no row. */
  double accuracy() {
    return rows == 0 ? Double.NaN : (double) right / rows;
  }

  /** The root mean squared error over rows with a label; NaN for none. */
  double rmse() {
    return labelled == 0 ? Double.NaN : Math.sqrt(squaredErrors.value() / labelled);
  }

  /** The confusion matrix's counts: {@code [label][prediction]}. */
  long[][] confusion() {
    return confusion;
  }

  /** Rows whose label is null or not a class index. */
  long outside() {
    return outside;
  }

  /** Rows with a class label and probabilities: those of the log loss. */
  long lossRows() {
    return lossRows;
  }

  /** The mean log loss over rows with a class label and probabilities; NaN for none. */
  double logLoss() {
    return lossRows == 0 ? Double.NaN : loss.value() / lossRows;
  }
}
