package io.trustlens.explain.lime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;

/** A param holding {@link TabularStatistics}, saved and loaded with the stage as JSON. */
public final class StatisticsParam extends Param<TabularStatistics> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  public StatisticsParam(Identifiable parent, String name, String doc) {
    super(parent.uid(), name, doc);
  }

  @Override
  public String jsonEncode(TabularStatistics value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode LIME statistics: " + e.getMessage(), e);
    }
  }

  @Override
  public TabularStatistics jsonDecode(String json) {
    try {
      return JSON.readValue(json, TabularStatistics.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot read LIME statistics: " + e.getMessage(), e);
    }
  }
}
