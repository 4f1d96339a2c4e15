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
    int perCall = lime.rowsPerCall();
    return new BatchedRows(rows) {
      private long seen;

      @Override
      protected boolean full(List<Row> pending, Row added) {
        return pending.size() >= perCall;
      }

      @Override
      protected Object[][] explain(List<Row> pending) {
        int n = pending.size();
        double[] images = new double[n * size];
        long[] keys = new long[n];
        BatchedRows.read(pending, reader, idCol, idIndex, seen, images, keys);
        seen += n;
        ImageLime.Result[] results = lime.explain(images, keys, n);
        Object[][] added = new Object[n][];
        for (int i = 0; i < n; i++) {
          ImageLime.Result r = results[i];
          LocalSurrogate.Fit f = r.fit();
          added[i] =
              new Object[] {
                f.weights(),
                r.superpixels().segment(),
                r.map(),
                f.intercept(),
                f.score(),
                f.prediction(),
                r.output(),
                r.target()
              };
        }
        return added;
      }
    };
  }
}
