package io.trustlens.explain.example;

import io.trustlens.explore.RowOrder;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Prototype attention ({@link Prototypes}; Snell et al. 2017, arXiv 1703.05175) fitted on a
 * training table: its prototypes are built from up to {@code sampleRows} training rows (a sample
 * seeded by id) as k-means centres ({@code kmeans:K}, the default {@code kmeans:20}), {@code N} of
 * the rows themselves ({@code rows:N}) or each class's mean ({@code class_means}), in the compared
 * space (z-scores with {@code standardize}). The fitted {@link PrototypeAttentionModel} appends per
 * row the attention weights, the heaviest prototypes and the prototypes' prediction, and with a
 * {@code predictionCol} whether it agrees with the model's.
 */
public final class PrototypeAttention extends Estimator<PrototypeAttentionModel>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** Most prototypes {@code rows:N} takes (each row's weights list every prototype). */
  public static final int MAX_ROWS = 1000;

  /** Lloyd's iterations at most. */
  static final int KMEANS_ITERATIONS = 100;

  private final String uid;
  final PrototypeParams p;

  public PrototypeAttention() {
    this(Identifiable$.MODULE$.randomUID("prototypeAttention"));
  }

  public PrototypeAttention(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    p = new PrototypeParams(this);
  }

  /**
   * Whether {@code spec} names prototypes: {@code kmeans:K}, {@code rows:N} or {@code class_means}.
   */
  public static boolean isSpec(String spec) {
    return parse(spec) != null;
  }

  /** The kind and count of {@code spec} ({@code kmeans:K}, {@code rows:N}, {@code class_means}). */
  static Object[] parse(String spec) {
    if (spec.equals("class_means")) {
      return new Object[] {"class_means", 0};
    }
    for (String kind : new String[] {"kmeans", "rows"}) {
      if (spec.startsWith(kind + ":")) {
        try {
          int n = Integer.parseInt(spec.substring(kind.length() + 1));
          if (n > 0 && (kind.equals("kmeans") || n <= MAX_ROWS)) {
            return new Object[] {kind, n};
          }
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return null;
  }

  @Override
  public String uid() {
    return uid;
  }

  public StringArrayParam featuresCols() {
    return p.shared.featuresCols;
  }

  public Param<String> vectorCol() {
    return p.shared.vectorCol;
  }

  public Param<String> labelCol() {
    return p.shared.labelCol;
  }

  public Param<String> idCol() {
    return p.shared.idCol;
  }

  public Param<String> outputCol() {
    return p.shared.outputCol;
  }

  public Param<String> prototypes() {
    return p.prototypes;
  }

  public Param<String> similarity() {
    return p.similarity;
  }

  public IntParam classes() {
    return p.classes;
  }

  public IntParam top() {
    return p.top;
  }

  public IntParam sampleRows() {
    return p.sampleRows;
  }

  public LongParam seed() {
    return p.seed;
  }

  public BooleanParam standardize() {
    return p.standardize;
  }

  public Param<String> predictionCol() {
    return p.predictionCol;
  }

  public String getPrototypes() {
    return $(p.prototypes);
  }

  public String getSimilarity() {
    return $(p.similarity);
  }

  public int getClasses() {
    return (Integer) $(p.classes);
  }

  public int getTop() {
    return (Integer) $(p.top);
  }

  public long getSeed() {
    return (Long) $(p.seed);
  }

  public boolean getStandardize() {
    return (Boolean) $(p.standardize);
  }

  public PrototypeAttention setFeaturesCols(String... value) {
    set(p.shared.featuresCols, value);
    return this;
  }

  public PrototypeAttention setVectorCol(String value) {
    set(p.shared.vectorCol, value);
    return this;
  }

  public PrototypeAttention setLabelCol(String value) {
    set(p.shared.labelCol, value);
    return this;
  }

  public PrototypeAttention setIdCol(String value) {
    set(p.shared.idCol, value);
    return this;
  }

  public PrototypeAttention setOutputCol(String value) {
    set(p.shared.outputCol, value);
    return this;
  }

  public PrototypeAttention setPrototypes(String value) {
    set(p.prototypes, value);
    return this;
  }

  public PrototypeAttention setSimilarity(String value) {
    set(p.similarity, value);
    return this;
  }

  /** The labels' classes (0 .. value − 1); 0 for a regression label, whose values are averaged. */
  public PrototypeAttention setClasses(int value) {
    set(p.classes, value);
    return this;
  }

  public PrototypeAttention setTop(int value) {
    set(p.top, value);
    return this;
  }

  public PrototypeAttention setSampleRows(int value) {
    set(p.sampleRows, value);
    return this;
  }

  public PrototypeAttention setSeed(long value) {
    set(p.seed, value);
    return this;
  }

  public PrototypeAttention setStandardize(boolean value) {
    set(p.standardize, value);
    return this;
  }

  public PrototypeAttention setPredictionCol(String value) {
    set(p.predictionCol, value);
    return this;
  }

  /** Checks the training table: the compared columns, a numeric label and the id. */
  @Override
  public StructType transformSchema(StructType schema) {
    if (!p.shared.requireTraining(this, schema)) {
      throw new InvalidFeatureException(
          "label column '"
              + $(p.shared.labelCol)
              + "' is not numeric: prototype attention averages labels as class indices"
              + " (0 .. classes - 1) or values");
    }
    p.shared.requireSpace(this, schema);
    return schema;
  }

  @Override
  public PrototypeAttentionModel fit(Dataset<?> dataset) {
    Dataset<Row> table = dataset.toDF();
    transformSchema(table.schema());
    String id = $(p.shared.idCol);
    Dataset<Row> sample = RowOrder.sample(table, id, (Integer) $(p.sampleRows), getSeed());
    FeatureSpace space = p.shared.space(this, table.schema(), p.shared.vectorSize(this, table));
    TrainingRows rows = TrainingRows.gather(sample, space, id, $(p.shared.labelCol), true, null);
    int n = rows.points().size();
    int d = rows.points().dimensions();
    double[] means = new double[0];
    double[] divisors = new double[0];
    if (getStandardize()) {
      divisors = rows.deviations();
      means = rows.means();
      rows = rows.standardized(means, divisors);
    }
    int classes = getClasses();
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] = (Double) rows.labels()[i];
      if (classes > 0 && !(y[i] == Math.rint(y[i]) && y[i] >= 0 && y[i] < classes)) {
        throw new InvalidFeatureException(
            "training row "
                + id
                + "="
                + rows.ids()[i]
                + " has label "
                + y[i]
                + ", not a class index 0 .. "
                + (classes - 1)
                + " (set classes 0 for a regression label)");
      }
    }
    int outputs = classes > 0 ? classes : 1;
    Object[] spec = parse(getPrototypes());
    String kind = (String) spec[0];
    int count = (Integer) spec[1];
    if (!kind.equals("class_means") && count > n) {
      throw new InvalidFeatureException(
          getPrototypes() + " asks " + count + " prototypes of " + n + " training rows");
    }
    Prototypes built =
        switch (kind) {
          case "class_means" -> {
            if (classes == 0) {
              throw new InvalidFeatureException(
                  "class_means needs classes; a regression label has none (use kmeans:K)");
            }
            yield Prototypes.classMeans(rows.points(), y, outputs, getSimilarity());
          }
          case "rows" -> {
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
              names[i] = String.valueOf(rows.ids()[i]);
            }
            int[] first = new int[count];
            for (int a = 0; a < count; a++) {
              first[a] = a; // the sample is in seeded hash order: its first rows are random
            }
            yield Prototypes.rows(rows.points(), y, outputs, names, first, getSimilarity());
          }
          default ->
              Prototypes.kmeans(
                  rows.points(), y, outputs, count, KMEANS_ITERATIONS, getSeed(), getSimilarity());
        };
    PrototypeAttentionModel model = new PrototypeAttentionModel(uid);
    copyValues(model, extractParamMap());
    return model.setPrototypes(built, d, means, divisors, n).setParent(this);
  }

  @Override
  public PrototypeAttention copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<PrototypeAttention> read() {
    return new DefaultParamsReader<>();
  }

  public static PrototypeAttention load(String path) {
    return read().load(path);
  }
}
