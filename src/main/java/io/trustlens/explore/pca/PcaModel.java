package io.trustlens.explore.pca;

import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
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
public final class PcaModel extends Model<PcaModel> {
  private static final long serialVersionUID = 1L;

  private final String uid;
  private final FeatureSpace features;
  private final double[] shift;
  private final double[] std;
  private final double[] components;
  private final double[] variance;
  private final double totalVariance;
  private final long rows;
  private final String solver;
  private final String prefix;

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
    this.uid = uid;
    this.features = features;
    this.shift = shift;
    this.std = std;
    this.components = components;
    this.variance = variance;
    this.totalVariance = totalVariance;
    this.rows = rows;
    this.solver = solver;
    this.prefix = prefix;
  }

  /** The number of components. */
  public int k() {
    return variance.length;
  }

  /** The variance along each component (the covariance's eigenvalues), largest first. */
  public double[] explainedVariance() {
    return variance.clone();
  }

  /** Each component's share of the total variance of the (standardised) features. */
  public double[] explainedVarianceRatio() {
    double[] r = new double[variance.length];
    for (int j = 0; j < r.length; j++) {
      r[j] = variance[j] / totalVariance;
    }
    return r;
  }

  /** The total variance of the (standardised) features: the covariance's trace. */
  public double totalVariance() {
    return totalVariance;
  }

  /** Weight of feature {@code i} in component {@code j} (unit-length components). */
  public double component(int i, int j) {
    return components[i * k() + j];
  }

  /** The feature names, in component row order. */
  public List<String> featureNames() {
    return features.names();
  }

  /** Rows in the fit. */
  public long rows() {
    return rows;
  }

  /** exact or randomized. */
  public String solver() {
    return solver;
  }

  /** The names of the output columns. */
  public List<String> outputColumns() {
    List<String> names = new ArrayList<>();
    for (int j = 1; j <= k(); j++) {
      names.add(prefix + j);
    }
    return names;
  }

  /** Projects one row's features ({@code x}) onto the components, into {@code out}. */
  public void project(double[] x, double[] out) {
    int k = k();
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
    for (String c : features.columns()) {
      if (schema.getFieldIndex(c).isEmpty()) {
        throw new InvalidFeatureException("unknown column '" + c + "'");
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
    return in.mapPartitions(
        (MapPartitionsFunction<Row, Row>) rows -> project(rows, schema),
        ExpressionEncoder.apply(out));
  }

  private Iterator<Row> project(Iterator<Row> rows, StructType schema) {
    FeatureSpace.Reader reader = features.reader(schema);
    double[] x = new double[features.size()];
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
    return copyValues(
        new PcaModel(
            uid, features, shift, std, components, variance, totalVariance, rows, solver, prefix),
        extra);
  }

  @Override
  public String uid() {
    return uid;
  }
}
