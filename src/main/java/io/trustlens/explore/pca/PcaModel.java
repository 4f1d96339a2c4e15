package io.trustlens.explore.pca;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.FeatureSpaceParam;
import io.trustlens.feature.InternalRows;
import io.trustlens.feature.InvalidFeatureException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.encoders.ExpressionEncoder;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Fitted principal components: appends {@code pc1 .. pck} (the standardised features projected on
 * each component) to every row, and holds the explained variance and the loadings.
 */
public final class PcaModel extends Model<PcaModel> implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final FeatureSpaceParam features;
  private final DoubleArrayParam shift;
  private final DoubleArrayParam std;
  private final DoubleArrayParam components;
  private final DoubleArrayParam variance;
  private final DoubleParam totalVariance;
  private final LongParam rows;
  private final Param<String> solver;
  private final Param<String> outputPrefix;
  private transient Fitted fitted;

  /** The fitted values, read from the Params once (projection reads them per row). */
  private record Fitted(double[] shift, double[] std, double[] components, int k) {}

  /** A model with {@code uid} and no values yet (how MLlib loads models). */
  public PcaModel(String uid) {
    this.uid = uid; // first: every Param records its parent's uid when it is made
    features = new FeatureSpaceParam(this, "features", "the columns analysed");
    shift = new DoubleArrayParam(this, "shift", "what each column is centred by");
    std = new DoubleArrayParam(this, "std", "what each column is divided by");
    components =
        new DoubleArrayParam(this, "components", "unit components, row-major features x k");
    variance = new DoubleArrayParam(this, "variance", "the variance along each component");
    totalVariance = new DoubleParam(this, "totalVariance", "the covariance's trace");
    rows = new LongParam(this, "rows", "rows in the fit");
    solver = new Param<>(this, "solver", "exact or randomized: how it was fitted");
    outputPrefix = new Param<>(this, "outputPrefix", "output columns are prefix1, prefix2, ...");
    setDefault(outputPrefix, "pc");
  }

  PcaModel(
      String uid,
      FeatureSpace features,
      double[] shift,
      double[] std,
      double[] components,
      double[] variance,
      double totalVariance,
      long rows,
      String solver,
      String prefix) {
    this(uid);
    set(this.features, features);
    set(this.shift, shift);
    set(this.std, std);
    set(this.components, components);
    set(this.variance, variance);
    set(this.totalVariance, totalVariance);
    set(this.rows, rows);
    set(this.solver, solver);
    set(this.outputPrefix, prefix);
  }

  private Fitted fitted() {
    if (fitted == null) {
      fitted = new Fitted($(shift), $(std), $(components), $(variance).length);
    }
    return fitted;
  }

  public FeatureSpaceParam features() {
    return features;
  }

  public DoubleArrayParam shift() {
    return shift;
  }

  public DoubleArrayParam std() {
    return std;
  }

  public DoubleArrayParam components() {
    return components;
  }

  public DoubleArrayParam variance() {
    return variance;
  }

  public DoubleParam totalVarianceParam() {
    return totalVariance;
  }

  public LongParam rowsParam() {
    return rows;
  }

  public Param<String> solverParam() {
    return solver;
  }

  public Param<String> outputPrefix() {
    return outputPrefix;
  }

  public static MLReader<PcaModel> read() {
    return new DefaultParamsReader<>();
  }

  public static PcaModel load(String path) {
    return read().load(path);
  }

  /** The number of components. */
  public int k() {
    return fitted().k();
  }

  /** The variance along each component (the covariance's eigenvalues), largest first. */
  public double[] explainedVariance() {
    return $(variance).clone();
  }

  /** Each component's share of the total variance of the (standardised) features. */
  public double[] explainedVarianceRatio() {
    double[] v = $(variance);
    double[] r = new double[v.length];
    for (int j = 0; j < r.length; j++) {
      r[j] = v[j] / totalVariance();
    }
    return r;
  }

  /** The total variance of the (standardised) features: the covariance's trace. */
  public double totalVariance() {
    return (Double) $(totalVariance);
  }

  /** Weight of feature {@code i} in component {@code j} (unit-length components). */
  public double component(int i, int j) {
    return fitted().components()[i * k() + j];
  }

  /** The feature names, in component row order. */
  public List<String> featureNames() {
    return $(features).names();
  }

  /** Rows in the fit. */
  public long rows() {
    return (Long) $(rows);
  }

  /** exact or randomized. */
  public String solver() {
    return $(solver);
  }

  /** The names of the output columns. */
  public List<String> outputColumns() {
    List<String> names = new ArrayList<>();
    for (int j = 1; j <= k(); j++) {
      names.add($(outputPrefix) + j);
    }
    return names;
  }

  /** Projects one row's features ({@code x}) onto the components, into {@code out}. */
  public void project(double[] x, double[] out) {
    Fitted f = fitted();
    int k = f.k();
    double[] shift = f.shift();
    double[] std = f.std();
    double[] components = f.components();
    java.util.Arrays.fill(out, 0, k, 0.0);
    for (int i = 0; i < x.length; i++) {
      double z = (x[i] - shift[i]) / std[i];
      int o = i * k;
      for (int j = 0; j < k; j++) {
        out[j] += z * components[o + j];
      }
    }
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (String c : $(features).columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException(io.trustlens.feature.ColumnNames.unknown(c, schema));
      }
    }
    List<StructField> added = new ArrayList<>();
    for (String name : outputColumns()) {
      added.add(DataTypes.createStructField(name, DataTypes.DoubleType, false));
    }
    return Columns.append(schema, added);
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    Dataset<Row> in = dataset.toDF();
    StructType schema = in.schema();
    StructType out = transformSchema(schema);
    MapPartitionsFunction<Row, Row> projected = rows -> project(rows, schema);
    // A small run's plans are interpreted: its rows skip the generated row encoders (see
    // InternalRows.javaRDD); a large table's are faster through them.
    return InternalRows.interpreted(in.sparkSession())
        ? Columns.withMetadata(InternalRows.mapPartitions(in, out, projected), out)
        : in.mapPartitions(projected, ExpressionEncoder.apply(out));
  }

  private Iterator<Row> project(Iterator<Row> rows, StructType schema) {
    FeatureSpace space = $(features);
    FeatureSpace.Reader reader = space.reader(schema);
    double[] x = new double[space.size()];
    double[] pcs = new double[k()];
    return new Iterator<>() {
      long position;

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row row = rows.next();
        try {
          reader.read(row, x, 0);
        } catch (InvalidFeatureException e) {
          throw new InvalidFeatureException(
              Columns.describe(row, "", -1, position) + ": " + e.getMessage());
        }
        position++;
        project(x, pcs);
        Object[] added = new Object[pcs.length];
        for (int j = 0; j < pcs.length; j++) {
          added[j] = pcs[j];
        }
        return Columns.appended(row, added);
      }
    };
  }

  @Override
  public PcaModel copy(ParamMap extra) {
    return copyValues(new PcaModel(uid), extra).setParent(parent());
  }

  @Override
  public String uid() {
    return uid;
  }
}
