package io.trustlens.explore.mds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.FeatureSpace;
import io.trustlens.testing.SparkTestSession;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

class MdsTest {
  private final SparkSession spark = SparkTestSession.get();

  Dataset<Row> planar(int n, int d, long seed) {
    double[] x = LandmarkMdsTest.plane(n, d, seed);
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("id", DataTypes.LongType, false));
    List<String> cols = new ArrayList<>();
    for (int j = 0; j < d; j++) {
      fields.add(DataTypes.createStructField("x" + j, DataTypes.DoubleType, false));
    }
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Object[] v = new Object[d + 1];
      v[0] = (long) i;
      for (int j = 0; j < d; j++) {
        v[j + 1] = x[i * d + j];
      }
      rows.add(RowFactory.create(v));
    }
    return spark.createDataFrame(rows, DataTypes.createStructType(fields));
  }

  static FeatureSpace features(Dataset<Row> t) {
    List<String> cols = new ArrayList<>(List.of(t.columns()));
    cols.remove("id");
    return FeatureSpace.ofColumns(t.schema(), cols);
  }

  @Test
  void landmarkMdsOfPlanarRowsRecoversTheirDistances() {
    Dataset<Row> t = planar(3000, 6, 21);
    MdsResult r = new Mds(features(t)).setIdCol("id").setLandmarks(100).run(t);
    assertFalse(r.classical());
    assertEquals(100, r.landmarks());
    assertTrue(r.stress() < 1e-6, "stress " + r.stress());
    assertEquals(3000, r.table().count());
  }

  @Test
  void smallTablesGetClassicalMdsOfEveryRow() {
    Dataset<Row> t = planar(400, 5, 22);
    MdsResult r = new Mds(features(t)).run(t);
    assertTrue(r.classical());
    assertEquals(400, r.landmarks());
    assertTrue(r.stress() < 1e-6, "stress " + r.stress());
  }

  @Test
  void theMapDoesNotDependOnThePartitioning() {
    Dataset<Row> t = planar(800, 4, 23);
    Mds mds = new Mds(features(t)).setIdCol("id").setLandmarks(50).setMetric("manhattan");
    List<Row> one = mds.run(t.repartition(1)).table().orderBy("id").collectAsList();
    List<Row> seven = mds.run(t.repartition(7)).table().orderBy("id").collectAsList();
    assertEquals(one, seven);
  }
}
