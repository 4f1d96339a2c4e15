package io.trustlens.feature;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.feature.OneHotEncoderModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Names a pipeline's assembled vector in the user's words: each input of the {@link
 * VectorAssembler} becomes a group named after the column it came from (a one-hot block of {@code
 * region} is the group {@code region}, its slots {@code region=north}, ...), tracing back through
 * {@link OneHotEncoderModel} and {@link StringIndexerModel} stages.
 */
public final class PipelineFeatures {
  private PipelineFeatures() {}

  /**
   * Renames and groups {@code space} (a vector column made by {@code stages}) or returns it as it
   * is when no assembler made it.
   */
  public static FeatureSpace describe(
      FeatureSpace space, List<Transformer> stages, StructType preparedSchema) {
    String vectorCol = space.columns().get(0);
    VectorAssembler assembler = null;
    for (Transformer t : stages) {
      if (t instanceof VectorAssembler a && a.getOutputCol().equals(vectorCol)) {
        assembler = a;
      }
    }
    if (assembler == null) {
      return space;
    }
    List<String> names = new ArrayList<>();
    List<FeatureGroup> groups = new ArrayList<>();
    for (String param : assembler.getInputCols()) {
      String input = ColumnNames.ofStage(param);
      StructField f = preparedSchema.apply(input);
      String source = sourceColumn(input, stages);
      int start = names.size();
      if (f.dataType().equals(SQLDataTypes.VectorType())) {
        AttributeGroup attrs = AttributeGroup.fromStructField(f);
        for (int k = 0; k < attrs.size(); k++) {
          String value =
              attrs.attributes().isDefined() && attrs.attributes().get()[k].name().isDefined()
                  ? attrs.attributes().get()[k].name().get()
                  : String.valueOf(k);
          names.add(source + "=" + value);
        }
      } else {
        names.add(source);
      }
      int[] slots = new int[names.size() - start];
      for (int k = 0; k < slots.length; k++) {
        slots[k] = start + k;
      }
      groups.add(new FeatureGroup(source, slots));
    }
    if (names.size() != space.size()) {
      return space;
    }
    return space.withNamesAndGroups(names, groups);
  }

  private static String sourceColumn(String column, List<Transformer> stages) {
    String current = column;
    boolean moved = true;
    while (moved) {
      moved = false;
      for (Transformer t : stages) {
        String[] in = null;
        String[] out = null;
        if (t instanceof OneHotEncoderModel m) {
          in = m.isSet(m.inputCols()) ? m.getInputCols() : new String[] {m.getInputCol()};
          out = m.isSet(m.outputCols()) ? m.getOutputCols() : new String[] {m.getOutputCol()};
        } else if (t instanceof StringIndexerModel m) {
          in = m.isSet(m.inputCols()) ? m.getInputCols() : new String[] {m.getInputCol()};
          out = m.isSet(m.outputCols()) ? m.getOutputCols() : new String[] {m.getOutputCol()};
        }
        if (in != null) {
          for (int k = 0; k < out.length; k++) {
            if (out[k].equals(current)) {
              current = ColumnNames.ofStage(in[k]);
              moved = true;
            }
          }
        }
      }
    }
    return current;
  }
}
