package io.trustlens.explain.lime;

import io.trustlens.feature.BatchedRows;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.model.ModelSource;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What a task needs to explain the images of its partition with {@link ImageLime}, one image at a
 * time (its samples fill the model's calls).
 */
record ImagePlan(
    ModelSource model,
    FeatureSpace features,
    Superpixels.Segmenter segmenter,
    int samples,
    LocalSurrogate surrogate,
    double width,
    int target,
    long seed,
    double hide,
    StructType schema,
    String idCol)
    implements MapPartitionsFunction<Row, Row> {

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    ImageLime lime =
        new ImageLime(
            model.open(),
            features.image(),
            segmenter,
            samples,
            surrogate,
            width,
            target,
            seed,
            hide);
    FeatureSpace.Reader reader = features.reader(schema);
    int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
    int size = features.size();
    return new BatchedRows(rows) {
      private long seen;

      @Override
      protected boolean full(List<Row> pending, Row added) {
        return true;
      }

      @Override
      protected Object[][] explain(List<Row> pending) {
        double[] image = new double[size];
        long[] key = new long[1];
        BatchedRows.read(pending, reader, idCol, idIndex, seen, image, key);
        seen++;
        ImageLime.Result r = lime.explain(image, key[0]);
        LocalSurrogate.Fit f = r.fit();
        return new Object[][] {
          {
            f.weights(),
            r.superpixels().segment(),
            r.map(),
            f.intercept(),
            f.score(),
            f.prediction(),
            r.output(),
            r.target()
          }
        };
      }
    };
  }
}
