package io.trustlens.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.trustlens.feature.InvalidFeatureException;
import io.trustlens.testing.Tables;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

/** The table columns a pipeline's features are built from, and the error when a table lacks one. */
class LoadedModelTest {
  @Test
  void onlyColumnsTheFeaturesNeedAreRequired() {
    Dataset<Row> credit = Tables.csv("synthetic/credit.csv");
    PipelineModel fitted =
        new Pipeline()
            .setStages(
                new PipelineStage[] {
                  new StringIndexer().setInputCol("default").setOutputCol("label_index"),
                  new StringIndexer().setInputCol("region").setOutputCol("region_index"),
                  new OneHotEncoder().setInputCol("region_index").setOutputCol("region_onehot"),
                  new VectorAssembler()
                      .setInputCols(new String[] {"age", "region_onehot"})
                      .setOutputCol("features")
                })
            .fit(credit);
    LoadedModel model =
        new LoadedModel(null, List.<Transformer>of(fitted.stages()), "features", List.of());
    assertEquals(List.of("region", "age"), model.pipelineInputs(), "not the label's indexer");
    assertTrue(
        List.of(model.prepare(credit.drop("default")).columns()).contains("features"),
        "a table without the label is prepared");
    InvalidFeatureException e =
        assertThrows(
            InvalidFeatureException.class, () -> model.prepare(credit.drop("region", "age")));
    assertTrue(
        e.getMessage()
            .startsWith("the model's pipeline reads columns region, age, which the table"),
        e.getMessage());
  }
}
