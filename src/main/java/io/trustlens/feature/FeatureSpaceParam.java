package io.trustlens.feature;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;

/**
 * A Param holding a {@link FeatureSpace}, saved and loaded with its stage as JSON: the source, the
 * columns read, the names, the groups and the image shape. A stage built on a feature space (a map
 * of the table, the neighbour graph) thereby copies, saves and loads as MLlib's own stages do.
 */
public final class FeatureSpaceParam extends Param<FeatureSpace> {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  public FeatureSpaceParam(Identifiable parent, String name, String doc) {
    super(parent.uid(), name, doc);
  }

  @Override
  public String jsonEncode(FeatureSpace value) {
    ObjectNode o = JSON.createObjectNode();
    o.put("source", value.source().name());
    ArrayNode columns = o.putArray("columns");
    value.columns().forEach(columns::add);
    ArrayNode names = o.putArray("names");
    value.names().forEach(names::add);
    ArrayNode groups = o.putArray("groups");
    for (FeatureGroup g : value.groups()) {
      ObjectNode group = groups.addObject();
      group.put("name", g.name());
      ArrayNode slots = group.putArray("slots");
      for (int s : g.slots()) {
        slots.add(s);
      }
    }
    if (value.image() != null) {
      ImageShape i = value.image();
      o.putArray("image").add(i.channels()).add(i.height()).add(i.width());
    }
    return o.toString();
  }

  @Override
  public FeatureSpace jsonDecode(String json) {
    try {
      JsonNode o = JSON.readTree(json);
      List<String> columns = new ArrayList<>();
      o.get("columns").forEach(n -> columns.add(n.asText()));
      List<String> names = new ArrayList<>();
      o.get("names").forEach(n -> names.add(n.asText()));
      List<FeatureGroup> groups = new ArrayList<>();
      for (JsonNode g : o.get("groups")) {
        int[] slots = new int[g.get("slots").size()];
        for (int s = 0; s < slots.length; s++) {
          slots[s] = g.get("slots").get(s).asInt();
        }
        groups.add(new FeatureGroup(g.get("name").asText(), slots));
      }
      JsonNode image = o.get("image");
      return FeatureSpace.restore(
          FeatureSpace.Source.valueOf(o.get("source").asText()),
          columns,
          names,
          groups,
          image == null
              ? null
              : new ImageShape(image.get(0).asInt(), image.get(1).asInt(), image.get(2).asInt()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read a saved feature space: " + e.getMessage(), e);
    }
  }
}
