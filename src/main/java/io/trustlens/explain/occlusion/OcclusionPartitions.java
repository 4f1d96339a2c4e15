package io.trustlens.explain.occlusion;

import io.trustlens.feature.BatchedRows;
import io.trustlens.feature.Columns;
import io.trustlens.feature.FeatureSpace;
import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.feature.TextEncoder;
import io.trustlens.model.BatchModel;
import io.trustlens.model.ModelSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * What a task of {@link OcclusionExplainer} runs over its partition: rows are gathered into
 * batches, each row and its occluded copies become rows of one model call, and the maps are
 * appended to the rows in their order.
 */
final class OcclusionPartitions {
  private OcclusionPartitions() {}

  /** Images or table features: a fixed number of copies per row. */
  record Numeric(
      ModelSource model,
      FeatureSpace features,
      Occluder occluder,
      int target,
      StructType schema,
      String idCol,
      boolean floats)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      OcclusionBatches batches = new OcclusionBatches(model.open(), target);
      FeatureSpace.Reader reader = features.reader(schema);
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      int d = features.size();
      int perCall = batches.rowsPerCall(occluder.copies());
      return new BatchedRows(rows) {
        private long position;

        @Override
        protected boolean full(List<Row> pending, Row added) {
          return pending.size() >= perCall;
        }

        @Override
        protected Object[][] explain(List<Row> pending) {
          int n = pending.size();
          double[] xs = new double[n * d];
          BatchedRows.read(pending, reader, idCol, idIndex, position, xs, null);
          position += n;
          OcclusionMap[] maps = batches.explain(occluder, xs, n);
          Object[][] added = new Object[n][];
          for (int i = 0; i < n; i++) {
            OcclusionMap m = maps[i];
            Object values = floats ? toFloats(m.values()) : m.values();
            added[i] = new Object[] {values, m.target(), m.output()};
          }
          return added;
        }
      };
    }

    private static float[] toFloats(double[] values) {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) values[i];
      }
      return f;
    }
  }

  /**
   * Words of a text column (an MLlib text pipeline's, or a TorchScript model's token ids): as many
   * copies as a text has players.
   */
  record Words(
      ModelSource model,
      TextEncoder text,
      WordOcclusion words,
      int target,
      StructType schema,
      String idCol)
      implements MapPartitionsFunction<Row, Row> {

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
      BatchModel scorer = model.open();
      OcclusionBatches batches = new OcclusionBatches(scorer, target);
      int textIndex = schema.fieldIndex(text.textColumn());
      int idIndex = idCol.isEmpty() ? -1 : schema.fieldIndex(idCol);
      int d = text.size();
      long budget = Math.max(OcclusionBatches.MAX_VALUES, d);
      int inputsPerCall = 32 * scorer.batchRows();
      return new BatchedRows(rows) {
        private long position;
        private long values;
        private int inputs;
        private final List<List<String>> tokenLists = new ArrayList<>();

        @Override
        protected boolean full(List<Row> pending, Row added) {
          List<String> tokens = tokens(added);
          tokenLists.add(tokens); // tokenised once: explain() takes them from here
          int count = 1 + words.players(tokens).size();
          inputs += count;
          values += (long) count * d;
          return inputs >= inputsPerCall || values >= budget;
        }

        private List<String> tokens(Row row) {
          position++;
          if (row.isNullAt(textIndex)) {
            throw new InvalidFeatureException(
                Columns.describe(row, idCol, idIndex, position)
                    + ": null in text column '"
                    + text.textColumn()
                    + "'");
          }
          return text.tokens(row.getString(textIndex));
        }

        @Override
        protected Object[][] explain(List<Row> pending) {
          int n = pending.size();
          List<List<List<String>>> players = new ArrayList<>(n);
          int[] copies = new int[n];
          int total = 0;
          for (int i = 0; i < n; i++) {
            players.add(words.players(tokenLists.get(i)));
            copies[i] = players.get(i).size();
            total += 1 + copies[i];
          }
          double[] matrix = new double[total * d];
          int at = 0;
          for (int i = 0; i < n; i++) {
            Row row = pending.get(i);
            List<String> tokens = tokenLists.get(i);
            text.vector(tokens, row, matrix, at++ * d);
            for (List<String> player : players.get(i)) {
              text.vector(WordOcclusion.without(tokens, player), row, matrix, at++ * d);
            }
          }
          inputs = 0;
          values = 0;
          tokenLists.clear();
          OcclusionMap[] maps = batches.drops(matrix, copies, n);
          Object[][] added = new Object[n][];
          for (int i = 0; i < n; i++) {
            String[] names =
                players.get(i).stream().map(p -> String.join(" ", p)).toArray(String[]::new);
            OcclusionMap m = maps[i];
            added[i] = new Object[] {m.values(), names, m.target(), m.output()};
          }
          return added;
        }
      };
    }
  }
}
